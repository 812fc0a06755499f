"""Connexion: the lock-out after repeated failures (as Chorus Pro: 5 failures, one hour), and the rate limits of
the login and « Mot de passe oublié » pages.

Nothing here tells whether an account exists: an unknown address is locked after the same number of failures and
for the same time as an account (its counter and its lock live in the cache, the account's in the database), and a
limit counts an address whether or not an account has it. While the cache is down, the limits are not enforced
(``chorus.limitation``) and an unknown address is not locked; accounts still are.
"""

import hashlib
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chorus.limitation import Limite
from chorus.securite import journaliser
from organisation.models import Utilisateur

# Failed logins from one client address (any accounts): beyond, the page refuses before checking any password.
LIMITE_ECHECS_CONNEXION_IP = Limite("connexion_ip", 20, 15 * 60)
# « Mot de passe oublié »: requests from one client address, and e-mails to one address.
LIMITE_MOT_DE_PASSE_OUBLIE_IP = Limite("mot_de_passe_oublie_ip", 10, 60 * 60)
LIMITE_MOT_DE_PASSE_OUBLIE_COMPTE = Limite("mot_de_passe_oublie_compte", 3, 60 * 60)
# « Créer un compte » and « Renvoyer le courriel d'activation »: activation e-mails asked from one client address.
LIMITE_ACTIVATION_IP = Limite("activation_ip", 10, 60 * 60)


def _limite_adresse_inconnue() -> Limite:
    duree = int(settings.CHORUS_DUREE_VERROUILLAGE.total_seconds())
    return Limite("connexion_adresse_inconnue", settings.CHORUS_ECHECS_CONNEXION_MAX, duree)


def _cle_verrou(email: str) -> str:
    return "chorus:verrou-connexion:" + hashlib.sha256(email.encode()).hexdigest()[:40]


def enregistrer_echec_connexion(*, email: str, ip: str = "") -> None:
    """Count one failed login for ``email`` (and its client address ``ip``); lock the account once the limit is
    reached — or, for an address no account has, lock it alike in the cache."""
    email = Utilisateur.objects.normalize_email(email)
    now = timezone.now()
    if ip:
        LIMITE_ECHECS_CONNEXION_IP.compter(ip)
    with transaction.atomic():
        user = Utilisateur.objects.select_for_update().filter(email=email).first()
        if user is None:
            _echec_adresse_inconnue(email, now)
            return
        if user.est_verrouille(now):
            return
        user.echecs_connexion = F("echecs_connexion") + 1
        user.save(update_fields=["echecs_connexion"])
        user.refresh_from_db(fields=["echecs_connexion"])
        if user.echecs_connexion >= settings.CHORUS_ECHECS_CONNEXION_MAX:
            user.verrouille_jusqu_au = now + settings.CHORUS_DUREE_VERROUILLAGE
            user.echecs_connexion = 0
            user.save(update_fields=["verrouille_jusqu_au", "echecs_connexion"])
            journaliser(
                "connexion.verrouillage", utilisateur=user.pk, email=email, ip=ip, jusqu_au=user.verrouille_jusqu_au
            )


def _echec_adresse_inconnue(email: str, now: datetime) -> None:
    if cache.get(_cle_verrou(email)):
        return
    limite = _limite_adresse_inconnue()
    if limite.compter(email) >= settings.CHORUS_ECHECS_CONNEXION_MAX:
        cache.set(_cle_verrou(email), now + settings.CHORUS_DUREE_VERROUILLAGE, limite.fenetre)
        limite.effacer(email)


def fin_verrouillage(email: str, now: datetime | None = None) -> datetime | None:
    """When the lock of this address ends, None if it is not locked — the same for an account and for an address
    no account has."""
    now = now or timezone.now()
    email = Utilisateur.objects.normalize_email(email)
    user = Utilisateur.objects.filter(email=email).only("verrouille_jusqu_au").first()
    if user is not None:
        return user.verrouille_jusqu_au if user.est_verrouille(now) else None
    fin = cache.get(_cle_verrou(email))
    return fin if fin is not None and fin > now else None


def reinitialiser_echecs_connexion(*, user: Utilisateur) -> None:
    if user.echecs_connexion or user.verrouille_jusqu_au:
        Utilisateur.objects.filter(pk=user.pk).update(echecs_connexion=0, verrouille_jusqu_au=None)
        user.echecs_connexion = 0
        user.verrouille_jusqu_au = None
