"""The status machines of rattachements, structures and approbations, and the steps they share."""

import logging

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef

from chorus.identifiers import valider_identifiant
from chorus.mail import envoyer_email
from chorus.messagerie import notifier
from chorus.securite import journaliser_apres_commit
from chorus.workflow import Transition, Workflow
from organisation import queries
from organisation.enums import (
    Application,
    Niveau,
    StatutApprobation,
    StatutRattachement,
    StatutStructure,
    TypeApprobation,
    TypeIdentifiant,
    codename,
)
from organisation.models import (
    Approbation,
    HistoriqueApprobation,
    HistoriqueRattachement,
    HistoriqueStructure,
    Rattachement,
    Structure,
    StructureUserObjectPermission,
    Utilisateur,
)
from organisation.services.habilitations import (
    ROLE_GESTIONNAIRE,
    ROLE_SUPPORT,
    ROLE_UTILISATEUR,
    definir_profils,
    tous_les_profils,
)

logger = logging.getLogger(__name__)


def _journaliser_rattachement(*, objet, entree) -> None:
    """The security log of every rattachement change (creation and each transition), once committed."""
    journaliser_apres_commit(
        "rattachement.modifie",
        rattachement=objet.pk,
        utilisateur=objet.utilisateur_id,
        structure=objet.structure_id,
        service=objet.service_id,
        statut_precedent=entree.statut_precedent,
        statut=entree.statut,
        par=entree.acting_user_id,
        role=entree.role,
    )


def _decision(demande: str, acceptee: str, refusee: str, *, roles=(ROLE_GESTIONNAIRE, ROLE_SUPPORT)):
    """The two ways a request is decided (by the gestionnaire or the support desk unless ``roles`` says otherwise):
    accepted, or refused with a motif."""
    return [
        Transition(demande, acceptee, roles=roles),
        Transition(demande, refusee, roles=roles, motif_obligatoire=True),
    ]


CIRCUIT_RATTACHEMENT = Workflow(
    transitions=[
        *_decision(StatutRattachement.EN_ATTENTE, StatutRattachement.ACTIF, StatutRattachement.REFUSE),
        Transition(StatutRattachement.ACTIF, StatutRattachement.INACTIF, roles={ROLE_GESTIONNAIRE}),
        # An invitation of the gestionnaire: only the invited user answers it (consent), in « Mes rattachements ».
        Transition(StatutRattachement.INVITE, StatutRattachement.ACTIF, roles={ROLE_UTILISATEUR}),
        Transition(StatutRattachement.INVITE, StatutRattachement.REFUSE, roles={ROLE_UTILISATEUR}),
    ],
    historique=HistoriqueRattachement,
    libelles=StatutRattachement,
    notifications=[_journaliser_rattachement],
)

CIRCUIT_STRUCTURE = Workflow(
    transitions=[
        *_decision(StatutStructure.EN_ATTENTE, StatutStructure.ACTIVE, StatutStructure.REFUSEE, roles={ROLE_SUPPORT}),
        Transition(StatutStructure.ACTIVE, StatutStructure.INACTIVE, roles={ROLE_GESTIONNAIRE, ROLE_SUPPORT}),
        Transition(StatutStructure.INACTIVE, StatutStructure.ACTIVE, roles={ROLE_GESTIONNAIRE, ROLE_SUPPORT}),
    ],
    historique=HistoriqueStructure,
    libelles=StatutStructure,
)

CIRCUIT_APPROBATION = Workflow(
    transitions=_decision(StatutApprobation.DEMANDE, StatutApprobation.APPROUVE, StatutApprobation.REFUSE),
    historique=HistoriqueApprobation,
    libelles=StatutApprobation,
)


# Requests only the platform's support desk decides on, whoever manages the structure.
TYPES_POUR_LE_SUPPORT = (TypeApprobation.CREATION_STRUCTURE_PUBLIQUE, TypeApprobation.CHANGEMENT_SIRET)


def _pour_le_support(approbation) -> bool:
    return approbation.type in TYPES_POUR_LE_SUPPORT or approbation.structure.gestionnaire_principal_id is None


def _courriel(user, sujet: str, texte: str, *, evenement: str | None) -> None:
    """A notification of type ``evenement`` (« Mes messages », e-mailed unless the user chose otherwise); with
    ``evenement=None``, an e-mail only (the activation link of an account that cannot log in yet)."""
    sujet, corps = f"Chorus Pro - {sujet}", f"Bonjour {user.prenom},\n\n{texte}\n\nCordialement,\nL'équipe Chorus Pro\n"
    if evenement is None:
        envoyer_email(destinataires=[user.email], sujet=sujet, corps=corps)
    else:
        notifier([user], evenement=evenement, sujet=sujet, corps=corps)


def _creer_rattachement(*, utilisateur, structure, service=None, statut, commentaire="", acting_user, role):
    rattachement = Rattachement.objects.create(
        utilisateur=utilisateur, structure=structure, service=service, statut=statut, commentaire=commentaire
    )
    entree = HistoriqueRattachement.ajouter_creation(
        objet=rattachement,
        acting_user=acting_user,
        role=role,
        statut=statut,
        commentaire=commentaire,
    )
    _journaliser_rattachement(objet=rattachement, entree=entree)
    return rattachement


def _creer_approbation(*, type, demandeur, structure, service=None, rattachement=None, commentaire="", donnees=None):
    approbation = Approbation.objects.create(
        type=type,
        demandeur=demandeur,
        structure=structure,
        service=service,
        rattachement=rattachement,
        commentaire=commentaire,
        donnees=donnees or {},
    )
    HistoriqueApprobation.ajouter_creation(
        objet=approbation,
        acting_user=demandeur,
        role=ROLE_UTILISATEUR,
        statut=approbation.statut,
        commentaire=commentaire,
    )
    for gestionnaire in _approbateurs(approbation):
        _courriel(
            gestionnaire,
            "Une demande attend votre approbation",
            f"{demandeur.get_full_name()} ({demandeur.email}) a fait une demande « {approbation.get_type_display()} » "
            f"pour la structure {structure.raison_sociale}. Retrouvez-la dans le menu Approbations.",
            evenement="ORGANISATION_APPROBATION",
        )
    return approbation


def _approbateurs(approbation):
    if _pour_le_support(approbation):
        return list(Utilisateur.objects.filter(groups__name=queries.GROUPE_SUPPORT, is_active=True))
    return list(
        queries.utilisateurs_de(approbation.structure).filter(
            Exists(
                StructureUserObjectPermission.objects.filter(
                    user=OuterRef("pk"),
                    content_object=approbation.structure,
                    permission__codename=codename(Application.ORGANISATION, Niveau.MODIFICATION),
                )
            ),
            is_active=True,
        )
    )


def creer_structure(
    *,
    acting_user,
    identifiant,
    raison_sociale,
    type_structure,
    statut=StatutStructure.ACTIVE,
    role=ROLE_UTILISATEUR,
    type_identifiant=TypeIdentifiant.SIRET,
    **champs,
):
    # A particulier's identifier is given by the portal (``structures.identifiant_particulier``), not typed.
    if type_identifiant != TypeIdentifiant.PARTICULIER:
        identifiant = valider_identifiant(type_identifiant, identifiant)
    structure = Structure(
        type_identifiant=type_identifiant,
        identifiant=identifiant,
        raison_sociale=raison_sociale,
        type_structure=type_structure,
        statut=statut,
        **champs,
    )
    structure.full_clean()
    structure.save()
    HistoriqueStructure.ajouter_creation(objet=structure, acting_user=acting_user, role=role, statut=structure.statut)
    return structure


def _devenir_gestionnaire(*, utilisateur, structure):
    Structure.objects.filter(pk=structure.pk).update(gestionnaire_principal=utilisateur)
    structure.gestionnaire_principal = utilisateur
    definir_profils(utilisateur=utilisateur, structure=structure, profils=tous_les_profils())


def _demander(*, type, utilisateur, structure, service=None, commentaire=""):
    """A user's request: their rattachement « en attente » and the approbation that decides it."""
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
        type=type,
        demandeur=utilisateur,
        structure=structure,
        service=service,
        rattachement=rattachement,
        commentaire=commentaire,
    )


def _exiger_gestion(acting_user, structure):
    if not queries.structures_gerees_par(acting_user).filter(pk=structure.pk).exists():
        raise PermissionDenied("Vous n'avez pas le profil « Organisation modification » sur cette structure.")
