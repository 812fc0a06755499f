"""The technical accounts of the ``cpro-account`` header: creation (a dedicated user attached to the structure with
``PROFILS_COMPTE_TECHNIQUE``) and the resolution the API's authentication calls (named to
``chorus.api.protocole`` by ``settings.CPRO_RESOLVEUR_COMPTE``)."""

import hashlib
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chorus.api.kit import CODE_INTERDIT, CODE_NON_AUTHENTIFIE, ErreurApi
from chorus.api.services import nouveau_secret
from organisation import services as org_services
from organisation.enums import Application, Niveau, StatutRaccordement, StatutRattachement
from organisation.models import CompteTechnique, HistoriqueCompteTechnique, Rattachement, Utilisateur

DUREE_MOT_DE_PASSE = timedelta(days=365)
# The role written in the history of technical accounts and API clients (« Raccordements »).
ROLE_RACCORDEMENTS = "RACCORDEMENTS"
CACHE_VERIFICATION = 300  # seconds

# The profiles of a technical account on its structure: it issues and follows invoices, processes those it receives
# (``traiter/recue``) as the structure's agents do in « Factures reçues », and deposits, follows and processes works
# pieces (``facturesTravaux/v1``) as the actor its structure is on a dossier.
PROFILS_COMPTE_TECHNIQUE = {
    Application.FACTURES_EMISES: Niveau.MODIFICATION,
    Application.FACTURES_RECUES: Niveau.MODIFICATION,
    Application.FACTURES_TRAVAUX: Niveau.MODIFICATION,
}


def creer_compte_technique(
    *, structure, login: str, mot_de_passe: str | None = None, expiration=None, acting_user=None
):
    """The account and its dedicated user, actively attached to ``structure`` with ``PROFILS_COMPTE_TECHNIQUE``; its
    history starts with its creation by ``acting_user`` (None: a command or the demo)."""
    mot_de_passe = mot_de_passe or nouveau_secret(24)
    with transaction.atomic():
        utilisateur = Utilisateur.objects.create_user(
            email=login, password=None, nom="Compte technique", prenom=structure.raison_sociale[:150]
        )
        utilisateur.set_unusable_password()
        utilisateur.save(update_fields=["password"])
        Rattachement.objects.create(utilisateur=utilisateur, structure=structure, statut=StatutRattachement.ACTIF)
        org_services.definir_profils(utilisateur=utilisateur, structure=structure, profils=PROFILS_COMPTE_TECHNIQUE)
        compte = CompteTechnique.objects.create(
            login=login,
            mot_de_passe_hache=make_password(mot_de_passe),
            structure=structure,
            utilisateur=utilisateur,
            expiration_mot_de_passe=expiration or timezone.now() + DUREE_MOT_DE_PASSE,
        )
        HistoriqueCompteTechnique.ajouter_creation(
            objet=compte,
            acting_user=acting_user,
            role=ROLE_RACCORDEMENTS,
            statut=StatutRaccordement.ACTIF,
        )
    return compte, mot_de_passe


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
