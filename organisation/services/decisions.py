"""The GP's (or the support's) decisions on approbations."""

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from organisation import queries
from organisation.enums import StatutApprobation, StatutRattachement, StatutStructure, TypeApprobation
from organisation.services.circuits import (
    CIRCUIT_APPROBATION,
    CIRCUIT_RATTACHEMENT,
    CIRCUIT_STRUCTURE,
    _courriel,
    _devenir_gestionnaire,
    _pour_le_support,
)
from organisation.services.habilitations import (
    ROLE_GESTIONNAIRE,
    ROLE_SUPPORT,
    definir_profils,
    profils_de,
    profils_par_defaut,
)
from organisation.services.identifiants import appliquer_changement_siret

logger = logging.getLogger(__name__)


def role_decideur(acting_user, approbation) -> str:
    """The role in which ``acting_user`` decides on ``approbation``; PermissionDenied if they may not."""
    if _pour_le_support(approbation):
        if queries.est_agent_support(acting_user):
            return ROLE_SUPPORT
        raise PermissionDenied("Seul le support de la plateforme traite cette demande.")
    if queries.structures_gerees_par(acting_user).filter(pk=approbation.structure_id).exists():
        return ROLE_GESTIONNAIRE
    raise PermissionDenied("Vous ne gérez pas cette structure.")


@transaction.atomic
def decider(*, approbation, acting_user, approuver: bool, motif: str = ""):
    """Approve (effective at once) or refuse (motif required) a request; the requester is told by e-mail."""
    role = role_decideur(acting_user, approbation)
    cible = StatutApprobation.APPROUVE if approuver else StatutApprobation.REFUSE
    CIRCUIT_APPROBATION.transition(
        approbation,
        to=cible,
        acting_user=acting_user,
        role=role,
        motif=motif,
        extra_updates={"approbateur": acting_user, "decided_at": timezone.now(), "motif_refus": motif or ""},
    )
    structure = approbation.structure
    demandeur = approbation.demandeur
    rattachement = approbation.rattachement
    if approuver:
        if approbation.type == TypeApprobation.CREATION_STRUCTURE_PUBLIQUE:
            CIRCUIT_STRUCTURE.transition(structure, to=StatutStructure.ACTIVE, acting_user=acting_user, role=role)
        if rattachement is not None:
            CIRCUIT_RATTACHEMENT.transition(
                rattachement, to=StatutRattachement.ACTIF, acting_user=acting_user, role=role
            )
            if structure.gestionnaire_principal_id is None:
                # The first user of a structure without GP (created by this request, or pre-created from the
                # INSEE register) becomes its GP.
                _devenir_gestionnaire(utilisateur=demandeur, structure=structure)
            elif not profils_de(utilisateur=demandeur, structure=structure):
                definir_profils(utilisateur=demandeur, structure=structure, profils=profils_par_defaut())
        if approbation.type == TypeApprobation.CHANGEMENT_SIRET:
            appliquer_changement_siret(approbation=approbation, acting_user=acting_user, role=role)
        if approbation.type == TypeApprobation.HABILITATIONS:
            definir_profils(utilisateur=demandeur, structure=structure, profils=approbation.donnees["profils"])
        texte = (
            f"Votre demande « {approbation.get_type_display()} » pour la structure {structure.raison_sociale} "
            "a été approuvée."
        )
    else:
        if rattachement is not None:
            CIRCUIT_RATTACHEMENT.transition(
                rattachement, to=StatutRattachement.REFUSE, acting_user=acting_user, role=role, motif=motif
            )
        if approbation.type == TypeApprobation.CREATION_STRUCTURE_PUBLIQUE:
            CIRCUIT_STRUCTURE.transition(
                structure, to=StatutStructure.REFUSEE, acting_user=acting_user, role=role, motif=motif
            )
        texte = (
            f"Votre demande « {approbation.get_type_display()} » pour la structure {structure.raison_sociale} "
            f"a été refusée.\n\nMotif : {motif}"
        )
    _courriel(demandeur, "Décision sur votre demande", texte, evenement="ORGANISATION_DECISION")
    return approbation
