"""Rate limits through Django's cache, and the client address behind the portal's reverse proxies.

A ``Limite`` counts events (failed logins, reset requests, token requests…) per identifier (an IP address, an
e-mail address, a client id) in a fixed window that starts with the first event: ``cache.add`` then ``cache.incr``,
so that concurrent processes share one counter. The cache fails open (``chorus.cache``): while Redis is down a
limit is not enforced rather than turned into an error. Identifiers are hashed in the keys (no e-mail address in
Redis) and counted whether or not an account exists, so that a limit never tells which accounts exist.

``adresse_client(request)``: ``REMOTE_ADDR``, unless it is one of the trusted proxies of
``CHORUS_MANDATAIRES_DE_CONFIANCE`` (addresses or networks); then ``X-Forwarded-For`` is read from the right,
skipping the trusted proxies, and the first other address is the client's. A client cannot forge its address by
sending the header itself: only what a trusted proxy appended is believed.
"""

import hashlib
import ipaddress
from dataclasses import dataclass
from functools import cache as memoize

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limite:
    """At most ``nombre`` events per identifier within ``fenetre`` seconds (``CHORUS_LIMITES[nom]`` overrides
    the defaults: ``(nombre, fenetre)``)."""

    nom: str
    nombre: int
    fenetre: int

    @property
    def _reglage(self) -> tuple[int, int]:
        return tuple(getattr(settings, "CHORUS_LIMITES", {}).get(self.nom, (self.nombre, self.fenetre)))

    @property
    def duree_minutes(self) -> int:
        return max(1, -(-self._reglage[1] // 60))

    def _cle(self, identifiant: str) -> str:
        empreinte = hashlib.sha256(str(identifiant).strip().lower().encode()).hexdigest()[:40]
        return f"chorus:limite:{self.nom}:{empreinte}"

    def compter(self, identifiant: str) -> int:
        """Count one event; return how many the window holds now (1 when the cache is down)."""
        cle = self._cle(identifiant)
        fenetre = self._reglage[1]
        cache.add(cle, 0, timeout=fenetre)
        try:
            return cache.incr(cle)
        except ValueError:  # the key expired between add() and incr()
            cache.set(cle, 1, timeout=fenetre)
            return 1

    def atteinte(self, identifiant: str) -> bool:
        """True once ``nombre`` events were counted in the current window (reading does not count)."""
        return (cache.get(self._cle(identifiant)) or 0) >= self._reglage[0]

    def depassee(self, identifiant: str) -> bool:
        """Count one event; True when it goes beyond ``nombre`` in the window."""
        return self.compter(identifiant) > self._reglage[0]

    def effacer(self, identifiant: str) -> None:
        cache.delete(self._cle(identifiant))


@memoize
def _reseaux(mandataires: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(m, strict=False) for m in mandataires)


def _de_confiance(adresse: str) -> bool:
    try:
        ip = ipaddress.ip_address(adresse)
    except ValueError:
        return False
    return any(ip in reseau for reseau in _reseaux(tuple(settings.CHORUS_MANDATAIRES_DE_CONFIANCE)))


def adresse_client(request) -> str:
    """The client's IP address (see the module): never a value the client alone could choose."""
    adresse = (request.META.get("REMOTE_ADDR") or "").strip()
    if not _de_confiance(adresse):
        return adresse or "inconnue"
    relais = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for precedent in reversed(relais):
        if not _de_confiance(precedent):
            try:
                return str(ipaddress.ip_address(precedent))
            except ValueError:
                return adresse  # a proxy appended something that is no address: keep the proxy's own
    return adresse
