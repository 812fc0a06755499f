"""The resolution of the ``cpro-account`` header of every API call (``chorus.api.protocole``, which finds it by
``settings.CPRO_RESOLVEUR_COMPTE``): the technical account of a login and password, or the API's refusal saying why.
Apart from ``organisation.api.comptes`` (creation, renewal), which the Celery tasks import: this module's refusals
are Django REST framework exceptions, which a worker never raises (BENCHMARKS.md « A worker without the web
side »)."""

import hashlib

from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from chorus.api.kit import CODE_INTERDIT, CODE_NON_AUTHENTIFIE, ErreurApi
from organisation.models import CompteTechnique

CACHE_VERIFICATION = 300  # seconds


def _verifie(login: str, mot_de_passe: str, hache: str) -> bool:
    """Every service call carries the password: a successful check is remembered for a few minutes (keyed by a
    digest of the login, the password and the stored hash, so a new password invalidates it) instead of running
    the slow password hasher on each call."""
    if not hache:
        return False
    cle = "api:cpro-account:" + hashlib.sha256(f"{login}\0{mot_de_passe}\0{hache}".encode()).hexdigest()
    if cache.get(cle):
        return True
    if not check_password(mot_de_passe, hache):
        return False
    cache.set(cle, 1, CACHE_VERIFICATION)
    return True


def compte_authentifie(login: str, mot_de_passe: str) -> tuple[CompteTechnique | None, bool]:
    """(the account, whether the password given is the previous one still accepted during the overlap period of a
    renewal), or (None, False)."""
    compte = CompteTechnique.objects.select_related("structure", "utilisateur").filter(login=login).first()
    if compte is None:
        return None, False
    if _verifie(login, mot_de_passe, compte.mot_de_passe_hache):
        return compte, False
    recouvrement = compte.ancien_mot_de_passe_valide_jusqu_au
    if recouvrement and recouvrement > timezone.now():
        if _verifie(login, mot_de_passe, compte.ancien_mot_de_passe_hache):
            return compte, True
    return None, False


def resoudre(login: str, mot_de_passe: str) -> CompteTechnique:
    """The hook of ``chorus.api.protocole.AuthentificationCpro``: the active account, or a refusal saying why."""
    compte, ancien = compte_authentifie(login, mot_de_passe)
    if compte is None:
        raise ErreurApi("Compte technique inconnu ou mot de passe erroné.", CODE_NON_AUTHENTIFIE, 401)
    if not compte.actif or not compte.utilisateur.is_active:
        raise ErreurApi("Ce compte technique est désactivé.", CODE_INTERDIT, 403)
    if not ancien and compte.expiration_mot_de_passe <= timezone.now():
        raise ErreurApi(
            "Le mot de passe de ce compte technique a expiré : le gestionnaire de la structure le renouvelle sur "
            f"le portail, « Raccordements » > « Comptes techniques » ({reverse('raccordements_comptes')}).",
            CODE_INTERDIT,
            403,
        )
    return compte
