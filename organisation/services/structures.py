"""Structures, services, bank details, billing mandate, transfer of the GP role."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from stdnum import bic as stdnum_bic
from stdnum import exceptions as stdnum_exceptions
from stdnum import iban as stdnum_iban

from chorus.identifiers import valider_siret
from organisation import queries
from organisation.enums import StatutRattachement, StatutStructure, TypeApprobation, TypeIdentifiant, TypeStructure
from organisation.models import CoordonneesBancaires, MandatFacturation, Service, Structure
from organisation.services.circuits import (
    CIRCUIT_STRUCTURE,
    _creer_approbation,
    _creer_rattachement,
    _devenir_gestionnaire,
    _exiger_gestion,
    creer_structure,
)
from organisation.services.habilitations import ROLE_GESTIONNAIRE, ROLE_UTILISATEUR
from organisation.services.modifications import demander_modification, modifications_en_attente

logger = logging.getLogger(__name__)


@transaction.atomic
def creer_structure_par_utilisateur(*, acting_user, siret, raison_sociale, type_structure, **champs):
    """« Créer une structure »: a private one is active at once with its creator as GP; a public one waits for
    the support desk."""
    siret = valider_siret(siret)
    if Structure.objects.filter(type_identifiant=TypeIdentifiant.SIRET, identifiant=siret).exists():
        raise ValidationError({"siret": "Une structure existe déjà avec ce SIRET : demandez-y un rattachement."})
    if type_structure == TypeStructure.PRIVEE:
        structure = creer_structure(
            acting_user=acting_user,
            identifiant=siret,
            raison_sociale=raison_sociale,
            type_structure=TypeStructure.PRIVEE,
            **champs,
        )
        _creer_rattachement(
            utilisateur=acting_user,
            structure=structure,
            statut=StatutRattachement.ACTIF,
            acting_user=acting_user,
            role=ROLE_UTILISATEUR,
        )
        _devenir_gestionnaire(utilisateur=acting_user, structure=structure)
        return structure
    structure = creer_structure(
        acting_user=acting_user,
        identifiant=siret,
        raison_sociale=raison_sociale,
        type_structure=TypeStructure.PUBLIQUE,
        statut=StatutStructure.EN_ATTENTE,
        **champs,
    )
    rattachement = _creer_rattachement(
        utilisateur=acting_user,
        structure=structure,
        statut=StatutRattachement.EN_ATTENTE,
        acting_user=acting_user,
        role=ROLE_UTILISATEUR,
    )
    _creer_approbation(
        type=TypeApprobation.CREATION_STRUCTURE_PUBLIQUE,
        demandeur=acting_user,
        structure=structure,
        rattachement=rattachement,
    )
    return structure


def modifier_structure(*, acting_user, structure, changements: dict):
    """Identity, address and parameters of a structure: a deferred change (the 30-minute rule)."""
    _exiger_gestion(acting_user, structure)
    if not structure.est_publique:
        publics = {
            "code_service_obligatoire",
            "engagement_obligatoire",
            "service_ou_engagement_obligatoire",
            "mise_en_paiement_non_remontee",
            "option_moa",
            "emetteur_edi",
            "recepteur_edi",
        }
        changements = {k: v for k, v in changements.items() if k not in publics}
    return demander_modification(
        objet=structure,
        changements=changements,
        demandeur=acting_user,
        description=f"Modification de la structure {structure.raison_sociale}",
    )


def changer_statut_structure(*, acting_user, structure, active: bool, motif: str = ""):
    _exiger_gestion(acting_user, structure)
    cible = StatutStructure.ACTIVE if active else StatutStructure.INACTIVE
    return CIRCUIT_STRUCTURE.transition(
        structure, to=cible, acting_user=acting_user, role=ROLE_GESTIONNAIRE, motif=motif
    )


@transaction.atomic
def creer_service(
    *, acting_user, structure, code, libelle, engagement_obligatoire=False, adresse="", code_postal="", ville=""
):
    _exiger_gestion(acting_user, structure)
    code = (code or "").strip().upper()
    if Service.objects.filter(structure=structure, code=code).exists():
        raise ValidationError({"code": "Ce code service existe déjà dans la structure."})
    service = Service(
        structure=structure,
        code=code,
        libelle=libelle,
        engagement_obligatoire=engagement_obligatoire,
        adresse=adresse,
        code_postal=code_postal,
        ville=ville,
    )
    service.full_clean()
    service.save()
    return service


def modifier_service(*, acting_user, service, changements: dict):
    """Libellé, engagement obligatoire, address, activation: a deferred change."""
    _exiger_gestion(acting_user, service.structure)
    return demander_modification(
        objet=service,
        changements=changements,
        demandeur=acting_user,
        description=f"Modification du service {service.code}",
    )


def transferer_gestionnaire_principal(*, acting_user, structure, nouveau):
    """The GP hands the role over to another attached user, effective after the delay; the old GP keeps a
    simple user's profiles."""
    if structure.gestionnaire_principal_id != acting_user.pk:
        raise PermissionDenied("Seul le gestionnaire principal peut transférer son rôle.")
    if nouveau.pk == acting_user.pk:
        raise ValidationError({"nouveau": "Vous êtes déjà le gestionnaire principal."})
    if not queries.utilisateurs_de(structure).filter(pk=nouveau.pk, is_active=True).exists():
        raise ValidationError({"nouveau": "Le nouveau gestionnaire doit être un utilisateur actif de la structure."})
    return demander_modification(
        objet=structure,
        changements={"gestionnaire_principal_id": nouveau.pk},
        demandeur=acting_user,
        description=f"Transfert du rôle de gestionnaire principal à {nouveau.get_full_name()}",
    )


def normaliser_iban(iban: str) -> str:
    return "".join((iban or "").split()).upper()


@transaction.atomic
def ajouter_coordonnees_bancaires(*, acting_user, structure, titulaire: str, iban: str, bic: str):
    """New bank details are recorded at once and become usable on invoices after the delay."""
    _exiger_gestion(acting_user, structure)
    erreurs = {}
    iban = normaliser_iban(iban)
    bic = normaliser_iban(bic)
    try:
        stdnum_iban.validate(iban)
    except stdnum_exceptions.ValidationError:
        erreurs["iban"] = "L'IBAN saisi n'est pas valide (vérifiez sa longueur et sa clé de contrôle)."
    try:
        stdnum_bic.validate(bic)
    except stdnum_exceptions.ValidationError:
        erreurs["bic"] = "Le BIC saisi n'est pas valide (8 ou 11 caractères, par exemple BNPAFRPPXXX)."
    if not (titulaire or "").strip():
        erreurs["titulaire"] = "Le titulaire du compte est obligatoire."
    if not erreurs and CoordonneesBancaires.objects.filter(structure=structure, iban=iban).exists():
        erreurs["iban"] = "Cet IBAN est déjà enregistré pour la structure."
    if erreurs:
        raise ValidationError(erreurs)
    coordonnees = CoordonneesBancaires.objects.create(
        structure=structure, titulaire=titulaire.strip(), iban=iban, bic=bic, created_by=acting_user
    )
    demander_modification(
        objet=coordonnees,
        changements={"active": True},
        demandeur=acting_user,
        description=f"Ajout des coordonnées bancaires {iban[:4]}…{iban[-4:]}",
    )
    return coordonnees


def desactiver_coordonnees_bancaires(*, acting_user, coordonnees):
    _exiger_gestion(acting_user, coordonnees.structure)
    return demander_modification(
        objet=coordonnees,
        changements={"active": False},
        demandeur=acting_user,
        description=f"Désactivation des coordonnées bancaires {coordonnees.iban[:4]}…{coordonnees.iban[-4:]}",
    )


@transaction.atomic
def souscrire_mandat_facturation(*, acting_user, structure):
    """The billing mandate that entering an invoice on the portal requires; effective after the delay."""
    _exiger_gestion(acting_user, structure)
    mandat, cree = MandatFacturation.objects.get_or_create(structure=structure, defaults={"souscrit_par": acting_user})
    if mandat.actif or modifications_en_attente(mandat).exists():
        raise ValidationError("Le mandat de facturation est déjà souscrit pour cette structure.")
    if not cree:
        MandatFacturation.objects.filter(pk=mandat.pk).update(souscrit_par=acting_user, souscrit_le=timezone.now())
    return demander_modification(
        objet=mandat,
        changements={"actif": True},
        demandeur=acting_user,
        description="Souscription au mandat de facturation",
    )
