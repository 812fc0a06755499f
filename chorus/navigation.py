"""Registries through which the domain apps plug their pages into the shared layout.

The kit does not import the domain apps (one-way dependencies): each app registers, in its ``AppConfig.ready``,
its applications (listed on the Domaines page), its entries of the user menu and its sources of approbations
(counted in the top menu's badge).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.urls import get_script_prefix, get_urlconf, reverse

# Chorus Pro's domains, in the order of its Domaines page.
DOMAINES = [
    ("FACTURATION", "Facturation"),
    ("SOLLICITATIONS", "Sollicitations"),
    ("ENGAGEMENTS", "Engagements"),
    ("RACCORDEMENT", "Raccordement EDI"),
    ("ORGANISATION", "Organisation"),
]


@functools.cache
def _url_fixe(nom: str, urlconf: str, prefixe: str) -> str:
    return reverse(nom, urlconf=urlconf)


def url_fixe(nom: str) -> str:
    """``reverse(nom)`` of a URL without arguments, computed once per process: the layout prints some twenty on
    every page (header, menus, tab bar, footer) and each ``reverse`` walks the resolver's patterns again
    (BENCHMARKS.md, « The Python cost of a page »). Keyed by what the answer depends on: the URLconf and the
    script prefix the portal is served under."""
    return _url_fixe(nom, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


def _always(user) -> bool:
    return True


@dataclass(frozen=True)
class Application:
    code: str
    libelle: str
    domaine: str
    url_name: str
    description: str
    ordre: int = 100
    accessible: Callable = _always

    @property
    def url(self) -> str:
        return url_fixe(self.url_name)


@dataclass(frozen=True)
class EntreeMenu:
    libelle: str
    url_name: str
    ordre: int = 100
    icone: str = ""

    @property
    def url(self) -> str:
        return url_fixe(self.url_name)


@dataclass(frozen=True)
class SourceApprobations:
    """What awaits a user's decision: ``compter(user)`` for the badge, ``lister(user)`` for the list page,
    each returning a single query's result. ``decider(user, ids, approuver, motif)`` (optional) decides on
    several items of ``lister`` at once (each item then carries its ``id``) and returns
    ``(number decided, [French messages of the refusals])``."""

    code: str
    compter: Callable
    lister: Callable
    decider: Callable | None = None


@dataclass(frozen=True)
class Onglet:
    """One tab of an application's tab bar; ``si`` names a context variable that must be true for it to show
    (``peut_saisir``)."""

    libelle: str
    url_name: str
    si: str = ""


_applications: dict[str, Application] = {}
_barres_onglets: dict[str, tuple[str, tuple[Onglet, ...]]] = {}
_menu_utilisateur: dict[str, EntreeMenu] = {}
_approbations: dict[str, SourceApprobations] = {}
_actions_publiques: dict[str, EntreeMenu] = {}
_alertes_connexion: dict[str, Callable] = {}


def register_application(application: Application) -> None:
    if application.domaine not in dict(DOMAINES):
        raise ValueError(f"Unknown domain {application.domaine!r}.")
    _applications[application.code] = application


def application_enregistree(code: str) -> bool:
    """Whether an application of this code exists in the portal (a profile is granted only for one that does)."""
    return code in _applications


def register_onglets(code: str, application: str, onglets: list[Onglet]) -> None:
    """The tab bar of an application (``{% onglets code %}`` in its pages), in display order."""
    _barres_onglets[code] = (application, tuple(onglets))


def register_onglet_supplementaire(code: str, onglet: Onglet) -> None:
    """A tab that another application adds to an existing tab bar, at its end (``facturation`` adds « Suivi des
    flux » to « Raccordements », which ``organisation`` registers)."""
    application, entrees = _barres_onglets[code]
    if onglet.url_name not in {o.url_name for o in entrees}:
        _barres_onglets[code] = (application, (*entrees, onglet))


def onglets(code: str, chemin: str, variables: Callable[[str], object]) -> dict:
    """What ``chorus/_onglets.html`` prints: the application's name and its visible tabs as
    ``{"libelle", "url", "actif"}`` (``actif``: the tab's URL is the current path)."""
    application, entrees = _barres_onglets[code]
    liste = []
    for onglet in entrees:
        if onglet.si and not variables(onglet.si):
            continue
        url = url_fixe(onglet.url_name)
        liste.append({"libelle": onglet.libelle, "url": url, "actif": url == chemin})
    return {"application": application, "onglets": liste}


def register_menu_utilisateur(entree: EntreeMenu) -> None:
    _menu_utilisateur[entree.url_name] = entree


def register_action_publique(entree: EntreeMenu) -> None:
    """A button of the public home page (account creation, the public directory...)."""
    _actions_publiques[entree.url_name] = entree


def actions_publiques() -> list[EntreeMenu]:
    return sorted(_actions_publiques.values(), key=lambda e: (e.ordre, e.libelle))


def register_alerte_connexion(code: str, fournir: Callable) -> None:
    """What must be shown to a user when they land after login (Chorus Pro's pop-up of unhandled rejections):
    ``fournir(user)`` returns a list of dicts (one query)."""
    _alertes_connexion[code] = fournir


def alertes_connexion(user) -> list:
    items = []
    for fournir in _alertes_connexion.values():
        items.extend(fournir(user))
    return items


def register_approbations(source: SourceApprobations) -> None:
    _approbations[source.code] = source


def domaines_de(user) -> list[dict]:
    """The domains that hold at least one application this user may open, each with those applications."""
    result = []
    for code, libelle in DOMAINES:
        apps = sorted(
            (a for a in _applications.values() if a.domaine == code and a.accessible(user)),
            key=lambda a: (a.ordre, a.libelle),
        )
        if apps:
            result.append({"code": code, "libelle": libelle, "applications": apps})
    return result


def menu_utilisateur() -> list[EntreeMenu]:
    return sorted(_menu_utilisateur.values(), key=lambda e: (e.ordre, e.libelle))


# The badge is on every page: its count is kept in the shared cache, under a generation that every change to an
# approbation bumps (``approbations_modifiees``), so a decision shows at once; the short expiry bounds what no
# generation tracks (a profile granted or withdrawn, a new gestionnaire principal). The Approbations page itself
# always reads the database.
CLE_GENERATION = "approbations:generation"
DUREE_CACHE_APPROBATIONS = 60


def nombre_approbations(user) -> int:
    cle = f"approbations:utilisateur:{user.pk}"
    valeurs = cache.get_many([CLE_GENERATION, cle])
    generation = valeurs.get(CLE_GENERATION, 0)
    memorise = valeurs.get(cle)
    if memorise is not None and memorise[0] == generation:
        return memorise[1]
    nombre = sum(source.compter(user) for source in _approbations.values())
    cache.set(cle, (generation, nombre), DUREE_CACHE_APPROBATIONS)
    return nombre


def approbations_modifiees() -> None:
    """Every cached badge count is stale: called after commit whenever an approbation is created or decided."""
    try:
        cache.incr(CLE_GENERATION)
    except ValueError:  # no generation yet (first change since the cache was emptied)
        if not cache.add(CLE_GENERATION, 1, timeout=None):
            cache.incr(CLE_GENERATION)


def approbations_de(user) -> list:
    items = []
    for source in _approbations.values():
        items.extend(source.lister(user))
    return items


def decider_approbations(user, selection: list[str], *, approuver: bool, motif: str = "") -> tuple[int, list[str]]:
    """Bulk decision on the Approbations page: ``selection`` holds ``"<source>:<id>"`` values."""
    par_source: dict[str, list[int]] = {}
    for valeur in selection:
        code, _, ident = valeur.partition(":")
        if code in _approbations and ident.isdigit():
            par_source.setdefault(code, []).append(int(ident))
    nombre, erreurs = 0, []
    for code, ids in par_source.items():
        source = _approbations[code]
        if source.decider is None:
            continue
        n, e = source.decider(user, ids, approuver, motif)
        nombre, erreurs = nombre + n, erreurs + e
    return nombre, erreurs


def fil_ariane(*liens: tuple[str, str], courant: str) -> dict:
    """Data of django-dsfr's ``{% dsfr_breadcrumb %}`` (``breadcrumb_data``, printed by ``base.html``):
    ``fil_ariane(("Domaines", url), courant="Mon compte")``; the component links « Accueil » to ``root_dir``."""
    return {
        "links": [{"title": titre, "url": url} for titre, url in liens],
        "current": courant,
        "root_dir": url_fixe("accueil"),
    }
