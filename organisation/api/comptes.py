"""The technical accounts of the ``cpro-account`` header: creation (a dedicated user attached to the structure with
``PROFILS_COMPTE_TECHNIQUE``); their resolution, which the API's authentication calls, is
``organisation.api.authentification`` (apart: it raises the API's refusals, of Django REST framework, which the
Celery tasks creating or renewing accounts need not import)."""

from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from chorus.api.services import nouveau_secret
from organisation import services as org_services
from organisation.enums import Application, Niveau, StatutRaccordement, StatutRattachement
from organisation.models import CompteTechnique, HistoriqueCompteTechnique, Rattachement, Utilisateur

DUREE_MOT_DE_PASSE = timedelta(days=365)
# The role written in the history of technical accounts and API clients (« Raccordements »).
ROLE_RACCORDEMENTS = "RACCORDEMENTS"

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
