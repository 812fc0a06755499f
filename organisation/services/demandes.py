"""Requests of a user: rattachement to a structure or service, habilitations; the GP's attachments."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from organisation import queries
from organisation.enums import Application, StatutApprobation, StatutRattachement, TypeApprobation, niveaux_possibles
from organisation.models import CompteTechnique, Rattachement, StructureUserObjectPermission, Utilisateur
from organisation.services.circuits import (
    CIRCUIT_RATTACHEMENT,
    _courriel,
    _creer_approbation,
    _creer_rattachement,
    _demander,
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
    existants = Rattachement.objects.filter(utilisateur=utilisateur, structure=structure, service=service)
    if existants.filter(statut=StatutRattachement.INVITE).exists():
        raise ValidationError(
            "Le gestionnaire de cette structure vous a déjà invité : "
            "acceptez son invitation dans « Mes rattachements »."
        )
    if existants.filter(statut__in=[StatutRattachement.EN_ATTENTE, StatutRattachement.ACTIF]).exists():
        raise ValidationError(
            "Vous êtes déjà rattaché, ou en attente de rattachement, à cette structure ou ce service."
        )
    return _demander(
        type=TypeApprobation.RATTACHEMENT,
        utilisateur=utilisateur,
        structure=structure,
        service=service,
        commentaire=commentaire,
    )


def _cible(structure, service) -> str:
    """What an invitation attaches to, as its messages say it."""
    if service is None:
        return f"à la structure {structure.raison_sociale}"
    return f"au service {service.code} – {service.libelle} de la structure {structure.raison_sociale}"


@transaction.atomic
def rattacher_utilisateur(*, acting_user, email: str, structure, service=None):
    """The GP's « Rattacher un utilisateur »: an invitation (status « Invitation à accepter ») that the user accepts
    or refuses in « Mes rattachements » (``repondre_invitation``); nothing is attached and no profile applies before.
    A gestionnaire must not attach someone without their consent. A pending request of that user for the same
    target already carries their consent: it is approved."""
    _exiger_gestion(acting_user, structure)
    _verifier_cible(structure, service)
    utilisateur = Utilisateur.objects.filter(email=Utilisateur.objects.normalize_email(email)).first()
    if utilisateur is None:
        raise ValidationError({"email": "Aucun compte n'existe avec cette adresse électronique."})
    if CompteTechnique.objects.filter(utilisateur=utilisateur).exists():
        # It cannot log in to answer, and belongs to its own structure (« Raccordements »).
        raise ValidationError({"email": "Un compte technique ne se rattache pas : il appartient à sa structure."})
    existants = Rattachement.objects.filter(utilisateur=utilisateur, structure=structure, service=service)
    if existants.filter(statut=StatutRattachement.ACTIF).exists():
        raise ValidationError({"email": "Cet utilisateur est déjà rattaché à cette structure ou ce service."})
    if existants.filter(statut=StatutRattachement.INVITE).exists():
        raise ValidationError(
            {"email": "Cet utilisateur a déjà une invitation à ce rattachement, qu'il n'a pas encore acceptée."}
        )
    en_attente = existants.filter(statut=StatutRattachement.EN_ATTENTE).first()
    if en_attente is not None:
        for approbation in en_attente.approbations.filter(statut=StatutApprobation.DEMANDE):
            decider(approbation=approbation, acting_user=acting_user, approuver=True)
        return en_attente
    rattachement = _creer_rattachement(
        utilisateur=utilisateur,
        structure=structure,
        service=service,
        statut=StatutRattachement.INVITE,
        acting_user=acting_user,
        role=ROLE_GESTIONNAIRE,
    )
    _courriel(
        utilisateur,
        "Invitation à un rattachement",
        f"{acting_user.get_full_name()}, gestionnaire de la structure {structure.raison_sociale}, vous invite à vous "
        f"rattacher {_cible(structure, service)}. Vous n'y serez rattaché que si vous acceptez cette invitation "
        "dans « Mes rattachements » : "
        f"{settings.CHORUS_PORTAL_URL.rstrip('/')}{reverse('mes_rattachements')}",
        evenement="ORGANISATION_RATTACHEMENT",
    )
    return rattachement


@transaction.atomic
def repondre_invitation(*, utilisateur, rattachement, accepter: bool):
    """The invited user accepts (the rattachement becomes active, with the default profiles if they have none on the
    structure) or refuses the gestionnaire's invitation; the gestionnaire principal is told."""
    if rattachement.utilisateur_id != utilisateur.pk:
        raise PermissionDenied("Cette invitation ne vous est pas adressée.")
    structure, service = rattachement.structure, rattachement.service
    if accepter:
        # The structure or service may have closed since the invitation.
        _verifier_cible(structure, service)
    CIRCUIT_RATTACHEMENT.transition(
        rattachement,
        to=StatutRattachement.ACTIF if accepter else StatutRattachement.REFUSE,
        acting_user=utilisateur,
        role=ROLE_UTILISATEUR,
    )
    if accepter and not profils_de(utilisateur=utilisateur, structure=structure):
        definir_profils(utilisateur=utilisateur, structure=structure, profils=profils_par_defaut())
    if structure.gestionnaire_principal is not None:
        _courriel(
            structure.gestionnaire_principal,
            "Invitation acceptée" if accepter else "Invitation refusée",
            f"{utilisateur.get_full_name()} ({utilisateur.email}) a "
            f"{'accepté' if accepter else 'refusé'} votre invitation à se rattacher {_cible(structure, service)}.",
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


def _verifier_profils(profils: dict[str, str | None]) -> None:
    """Each asked profile exists: a known application, and a level it has (None removes the profile)."""
    for application, niveau in profils.items():
        if application not in Application.values or (
            niveau is not None and niveau not in niveaux_possibles(application)
        ):
            raise ValidationError("Profil inconnu.")


@transaction.atomic
def demander_habilitations(*, utilisateur, structure, profils: dict[str, str | None], commentaire: str = ""):
    """« Gérer mes habilitations »: ask the GP to add, change or remove profiles (None removes)."""
    if not queries.structures_de(utilisateur).filter(pk=structure.pk).exists():
        raise PermissionDenied("Vous n'êtes pas rattaché à cette structure.")
    if not profils:
        raise ValidationError("Choisissez au moins un profil à ajouter ou à supprimer.")
    _verifier_profils(profils)
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
    _verifier_profils(profils)
    return demander_modification(
        objet=structure,
        changements={"profils": {"utilisateur": utilisateur.pk, "profils": profils}},
        demandeur=acting_user,
        description=f"Habilitations de {utilisateur.get_full_name()}",
    )
