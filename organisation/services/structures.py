"""Structures, services, bank details, billing mandate, transfer of the GP role."""

import logging
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from stdnum import bic as stdnum_bic
from stdnum import exceptions as stdnum_exceptions
from stdnum import iban as stdnum_iban

from chorus.identifiers import normaliser, valider_identifiant, valider_tva_fr, valider_tva_ue
from organisation import queries
from organisation.enums import (
    TYPES_IDENTIFIANT_PRIVES,
    StatutRattachement,
    StatutStructure,
    TypeApprobation,
    TypeIdentifiant,
    TypeStructure,
)
from organisation.models import (
    CHAMPS_ADRESSE,
    CoordonneesBancaires,
    EtablissementInsee,
    MandatFacturation,
    Service,
    Structure,
)
from organisation.services.circuits import (
    CIRCUIT_STRUCTURE,
    _creer_rattachement,
    _demander,
    _devenir_gestionnaire,
    _exiger_gestion,
    creer_structure,
)
from organisation.services.habilitations import ROLE_GESTIONNAIRE, ROLE_UTILISATEUR
from organisation.services.modifications import demander_modification, modifications_en_attente

logger = logging.getLogger(__name__)


def identifiant_particulier() -> str:
    """A particulier has no registration number: the portal gives one, « P » then 12 digits, unused so far."""
    while True:
        identifiant = f"P{secrets.randbelow(10**12):012d}"
        if not Structure.objects.filter(type_identifiant=TypeIdentifiant.PARTICULIER, identifiant=identifiant).exists():
            return identifiant


def verifier_numero_tva(*, type_identifiant: str, identifiant: str, numero_tva: str) -> str:
    """The intra-community VAT number of a structure, compacted: for a SIRET, FR + key + the structure's own SIREN;
    for a structure of another member state, its VAT number; empty stays empty. ValidationError in French."""
    numero = normaliser(numero_tva).upper()
    if not numero:
        return ""
    if type_identifiant == TypeIdentifiant.SIRET:
        return valider_tva_fr(numero, siren=identifiant[:9])
    if type_identifiant == TypeIdentifiant.PARTICULIER:
        raise ValidationError("Un particulier n'a pas de numéro de TVA intracommunautaire.", code="particulier")
    if numero.startswith("FR"):
        return valider_tva_fr(numero)
    return valider_tva_ue(numero)


def _identite_insee(siret: str) -> dict:
    """The address (and diffusion status) INSEE's register gives for the SIRET, {} when it does not hold it."""
    etablissement = EtablissementInsee.objects.filter(pk=siret).first()
    if etablissement is None:
        return {}
    valeurs = {champ: getattr(etablissement, champ) for champ in CHAMPS_ADRESSE}
    valeurs["non_diffusible"] = etablissement.non_diffusible
    valeurs["_raison_sociale"] = etablissement.raison_sociale
    return valeurs


def _creer_structure_privee(*, createur, **champs):
    """A private structure created by a user, who is attached to it at once as its gestionnaire principal."""
    structure = creer_structure(acting_user=createur, type_structure=TypeStructure.PRIVEE, **champs)
    _creer_rattachement(
        utilisateur=createur,
        structure=structure,
        statut=StatutRattachement.ACTIF,
        acting_user=createur,
        role=ROLE_UTILISATEUR,
    )
    _devenir_gestionnaire(utilisateur=createur, structure=structure)
    return structure


def _creer_structure_publique(*, demandeur, commentaire="", **champs):
    """A public structure asked for by a user: it waits, with their rattachement, for the support desk's decision."""
    structure = creer_structure(
        acting_user=demandeur, type_structure=TypeStructure.PUBLIQUE, statut=StatutStructure.EN_ATTENTE, **champs
    )
    _demander(
        type=TypeApprobation.CREATION_STRUCTURE_PUBLIQUE,
        utilisateur=demandeur,
        structure=structure,
        commentaire=commentaire,
    )
    return structure


@transaction.atomic
def creer_structure_par_utilisateur(
    *,
    acting_user,
    raison_sociale,
    type_structure,
    siret="",
    type_identifiant=TypeIdentifiant.SIRET,
    identifiant="",
    numero_rcs="",
    numero_tva="",
    **champs,
):
    """« Créer une structure »: a private one is active at once with its creator as GP; a public one waits for
    the support desk. A public structure is identified by its SIRET; a private one may use another identifier type
    (UE, hors UE, RIDET, Tahiti, particulier). A SIRET structure's address is INSEE's when the imported register
    holds the SIRET (what the caller typed is then ignored)."""
    type_identifiant = type_identifiant or TypeIdentifiant.SIRET
    if type_identifiant not in TYPES_IDENTIFIANT_PRIVES:
        raise ValidationError({"type_identifiant": "Ce type d'identifiant n'est pas proposé à la création."})
    if type_identifiant != TypeIdentifiant.SIRET and type_structure != TypeStructure.PRIVEE:
        raise ValidationError(
            {"type_structure": "Une structure publique est identifiée par son SIRET : choisissez « SIRET »."}
        )
    champ = "siret" if type_identifiant == TypeIdentifiant.SIRET else "identifiant"
    try:
        if type_identifiant == TypeIdentifiant.PARTICULIER:
            identifiant = identifiant_particulier()
        else:
            identifiant = valider_identifiant(type_identifiant, identifiant or siret)
    except ValidationError as exc:
        raise ValidationError({champ: exc.messages}) from exc
    if Structure.objects.filter(type_identifiant=type_identifiant, identifiant=identifiant).exists():
        quoi = "ce SIRET" if type_identifiant == TypeIdentifiant.SIRET else "cet identifiant"
        raise ValidationError({champ: f"Une structure existe déjà avec {quoi} : demandez-y un rattachement."})
    try:
        champs["numero_tva"] = verifier_numero_tva(
            type_identifiant=type_identifiant, identifiant=identifiant, numero_tva=numero_tva
        )
    except ValidationError as exc:
        raise ValidationError({"numero_tva": exc.messages}) from exc
    champs["numero_rcs"] = (numero_rcs or "").strip()
    if type_identifiant == TypeIdentifiant.SIRET:
        insee = _identite_insee(identifiant)
        nom_insee = insee.pop("_raison_sociale", "")
        champs.update(insee)
        raison_sociale = (raison_sociale or "").strip() or nom_insee
    if not (raison_sociale or "").strip():
        raise ValidationError({"raison_sociale": "La raison sociale est obligatoire."})
    if type_structure == TypeStructure.PRIVEE:
        return _creer_structure_privee(
            createur=acting_user,
            type_identifiant=type_identifiant,
            identifiant=identifiant,
            raison_sociale=raison_sociale,
            **champs,
        )
    return _creer_structure_publique(
        demandeur=acting_user, identifiant=identifiant, raison_sociale=raison_sociale, **champs
    )


def modifier_structure(*, acting_user, structure, changements: dict):
    """Identity and parameters of a structure: a deferred change (the 30-minute rule). The address of a SIRET
    structure is INSEE's: it changes only through « Mettre à jour depuis la base INSEE », never typed."""
    _exiger_gestion(acting_user, structure)
    changements = dict(changements)
    if structure.type_identifiant == TypeIdentifiant.SIRET and any(k in changements for k in CHAMPS_ADRESSE):
        raise ValidationError(
            "L'adresse d'une structure identifiée par son SIRET vient de la base INSEE : utilisez « Mettre à jour "
            "depuis la base INSEE »."
        )
    if "non_diffusible" in changements:
        raise ValidationError("Le caractère « non diffusible » vient de la base INSEE : il ne se modifie pas ici.")
    if "numero_tva" in changements:
        try:
            changements["numero_tva"] = verifier_numero_tva(
                type_identifiant=structure.type_identifiant,
                identifiant=structure.identifiant,
                numero_tva=changements["numero_tva"],
            )
        except ValidationError as exc:
            raise ValidationError({"numero_tva": exc.messages}) from exc
    if not structure.est_publique:
        changements = {k: v for k, v in changements.items() if k not in Structure.PARAMETRES_PUBLICS}
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
