"""Requests of a user: rattachement to a structure or service, habilitations; the GP's attachments."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from organisation import queries
from organisation.enums import Application, StatutApprobation, StatutRattachement, TypeApprobation, niveaux_possibles
from organisation.models import Rattachement, StructureUserObjectPermission, Utilisateur
from organisation.services.circuits import (
    CIRCUIT_RATTACHEMENT,
    _courriel,
    _creer_approbation,
    _creer_rattachement,
    _exiger_gestion,
)
from organisation.services.decisions import decider
from organisation.services.habilitations import (
    ROLE_GESTIONNAIRE,
    ROLE_UTILISATEUR,
    definir_profils,
    profils_de,
    profils_par_defaut,
)
from organisation.services.modifications import demander_modification

logger = logging.getLogger(__name__)


def _verifier_cible(structure, service):
    if not structure.est_active:
        raise ValidationError("Cette structure n'est pas active : aucun rattachement n'est possible.")
    if service is not None and (service.structure_id != structure.pk or not service.actif):
        raise ValidationError({"service": "Ce service n'existe pas ou n'est pas actif dans cette structure."})


@transaction.atomic
def demander_rattachement(*, utilisateur, structure, service=None, commentaire: str):
    if not (commentaire or "").strip():
        raise ValidationError({"commentaire": "Le commentaire est obligatoire pour une demande de rattachement."})
    _verifier_cible(structure, service)
    existant = Rattachement.objects.filter(
        utilisateur=utilisateur,
        structure=structure,
        service=service,
        statut__in=[StatutRattachement.EN_ATTENTE, StatutRattachement.ACTIF],
    ).exists()
    if existant:
        raise ValidationError(
            "Vous êtes déjà rattaché, ou en attente de rattachement, à cette structure ou ce service."
        )
    rattachement = _creer_rattachement(
        utilisateur=utilisateur,
        structure=structure,
        service=service,
        statut=StatutRattachement.EN_ATTENTE,
        commentaire=commentaire,
        acting_user=utilisateur,
        role=ROLE_UTILISATEUR,
    )
    return _creer_approbation(
        type=TypeApprobation.RATTACHEMENT,
        demandeur=utilisateur,
        structure=structure,
        service=service,
        rattachement=rattachement,
        commentaire=commentaire,
    )


@transaction.atomic
def rattacher_utilisateur(*, acting_user, email: str, structure, service=None):
    """The GP attaches an existing account directly (no approbation), with the default profiles."""
    _exiger_gestion(acting_user, structure)
    _verifier_cible(structure, service)
    utilisateur = Utilisateur.objects.filter(email=Utilisateur.objects.normalize_email(email)).first()
    if utilisateur is None:
        raise ValidationError({"email": "Aucun compte n'existe avec cette adresse électronique."})
    if Rattachement.objects.filter(
        utilisateur=utilisateur, structure=structure, service=service, statut=StatutRattachement.ACTIF
    ).exists():
        raise ValidationError({"email": "Cet utilisateur est déjà rattaché à cette structure ou ce service."})
    en_attente = Rattachement.objects.filter(
        utilisateur=utilisateur, structure=structure, service=service, statut=StatutRattachement.EN_ATTENTE
    ).first()
    if en_attente is not None:
        # A pending request for the same target is granted by this direct attachment.
        for approbation in en_attente.approbations.filter(statut=StatutApprobation.DEMANDE):
            decider(approbation=approbation, acting_user=acting_user, approuver=True)
        return en_attente
    rattachement = _creer_rattachement(
        utilisateur=utilisateur,
        structure=structure,
        service=service,
        statut=StatutRattachement.ACTIF,
        acting_user=acting_user,
        role=ROLE_GESTIONNAIRE,
    )
    if not profils_de(utilisateur=utilisateur, structure=structure):
        definir_profils(utilisateur=utilisateur, structure=structure, profils=profils_par_defaut())
    _courriel(
        utilisateur,
        "Nouveau rattachement",
        f"Vous avez été rattaché à la structure {structure.raison_sociale}.",
        evenement="ORGANISATION_RATTACHEMENT",
    )
    return rattachement


@transaction.atomic
def detacher_utilisateur(*, acting_user, rattachement, motif: str = ""):
    _exiger_gestion(acting_user, rattachement.structure)
    if rattachement.utilisateur_id == rattachement.structure.gestionnaire_principal_id:
        raise ValidationError("Le gestionnaire principal ne peut pas être détaché : transférez d'abord son rôle.")
    CIRCUIT_RATTACHEMENT.transition(
        rattachement, to=StatutRattachement.INACTIF, acting_user=acting_user, role=ROLE_GESTIONNAIRE, motif=motif
    )
    reste = Rattachement.objects.filter(
        utilisateur=rattachement.utilisateur, structure=rattachement.structure, statut=StatutRattachement.ACTIF
    ).exists()
    if not reste:
        StructureUserObjectPermission.objects.filter(
            user=rattachement.utilisateur, content_object=rattachement.structure
        ).delete()
    _courriel(
        rattachement.utilisateur,
        "Fin de rattachement",
        f"Vous n'êtes plus rattaché à la structure {rattachement.structure.raison_sociale}.",
        evenement="ORGANISATION_RATTACHEMENT",
    )


@transaction.atomic
def demander_habilitations(*, utilisateur, structure, profils: dict[str, str | None], commentaire: str = ""):
    """« Gérer mes habilitations »: ask the GP to add, change or remove profiles (None removes)."""
    if not queries.structures_de(utilisateur).filter(pk=structure.pk).exists():
        raise PermissionDenied("Vous n'êtes pas rattaché à cette structure.")
    if not profils:
        raise ValidationError("Choisissez au moins un profil à ajouter ou à supprimer.")
    for application, niveau in profils.items():
        if application not in Application.values or (
            niveau is not None and niveau not in niveaux_possibles(application)
        ):
            raise ValidationError("Profil inconnu.")
    return _creer_approbation(
        type=TypeApprobation.HABILITATIONS,
        demandeur=utilisateur,
        structure=structure,
        commentaire=commentaire,
        donnees={"profils": profils},
    )


def demander_modification_habilitations(*, acting_user, utilisateur, structure, profils: dict[str, str | None]):
    """« Gérer les habilitations des utilisateurs »: the GP's change, effective after the delay."""
    _exiger_gestion(acting_user, structure)
    if not queries.utilisateurs_de(structure).filter(pk=utilisateur.pk).exists():
        raise ValidationError("Cet utilisateur n'est pas rattaché à la structure.")
    if utilisateur.pk == structure.gestionnaire_principal_id and profils.get(Application.ORGANISATION, "x") is None:
        raise ValidationError("Le gestionnaire principal garde le profil « Organisation modification ».")
    for application, niveau in profils.items():
        if application not in Application.values or (
            niveau is not None and niveau not in niveaux_possibles(application)
        ):
            raise ValidationError("Profil inconnu.")
    return demander_modification(
        objet=structure,
        changements={"profils": {"utilisateur": utilisateur.pk, "profils": profils}},
        demandeur=acting_user,
        description=f"Habilitations de {utilisateur.get_full_name()}",
    )
