"""« Modifier mon numéro de SIRET »: the structure's GP asks, the platform's support desk approves or refuses (an
``Approbation`` of type ``CHANGEMENT_SIRET``); once approved the structure carries the new SIRET, its address is
INSEE's for it, and the old one stays in the append-only ``HistoriqueIdentifiantStructure``."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from chorus.identifiers import valider_siret
from organisation.enums import StatutApprobation, TypeApprobation, TypeIdentifiant
from organisation.models import (
    CHAMPS_ADRESSE,
    Approbation,
    EtablissementInsee,
    HistoriqueIdentifiantStructure,
    Structure,
)
from organisation.services.circuits import _creer_approbation

CHAMPS_INSEE_STRUCTURE = (*CHAMPS_ADRESSE, "non_diffusible")


def _verifier_nouveau_siret(structure, nouveau: str) -> EtablissementInsee:
    """The INSEE establishment of the new SIRET, checked the way creation checks a SIRET (key, then the imported
    register), and free on the portal. ValidationError keyed ``nouveau_siret``."""
    try:
        nouveau = valider_siret(nouveau)
    except ValidationError as exc:
        raise ValidationError({"nouveau_siret": exc.messages}) from exc
    if nouveau == structure.identifiant:
        raise ValidationError({"nouveau_siret": "Ce SIRET est déjà celui de la structure."})
    etablissement = EtablissementInsee.objects.filter(pk=nouveau).first()
    if etablissement is None:
        raise ValidationError({"nouveau_siret": "Ce SIRET est absent de la base INSEE : vérifiez-le."})
    if not etablissement.actif:
        raise ValidationError({"nouveau_siret": "Cet établissement est fermé dans la base INSEE."})
    if (
        Structure.objects.filter(type_identifiant=TypeIdentifiant.SIRET, identifiant=nouveau)
        .exclude(pk=structure.pk)
        .exists()
    ):
        raise ValidationError({"nouveau_siret": "Une structure existe déjà avec ce SIRET sur le portail."})
    return etablissement


def changement_siret_en_attente(structure) -> Approbation | None:
    return (
        Approbation.objects.filter(
            structure=structure, type=TypeApprobation.CHANGEMENT_SIRET, statut=StatutApprobation.DEMANDE
        )
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def demander_changement_siret(*, acting_user, structure, nouveau_siret: str, commentaire: str = "") -> Approbation:
    """The GP asks for the structure's SIRET to become ``nouveau_siret``; the request goes to the support desk."""
    structure = Structure.objects.select_for_update(of=("self",)).get(pk=structure.pk)
    if structure.gestionnaire_principal_id != acting_user.pk:
        raise PermissionDenied("Seul le gestionnaire principal peut demander la modification du numéro de SIRET.")
    if structure.type_identifiant != TypeIdentifiant.SIRET:
        raise ValidationError("Seule une structure identifiée par son SIRET peut en changer.")
    if changement_siret_en_attente(structure) is not None:
        raise ValidationError("Une demande de modification du numéro de SIRET attend déjà la décision du support.")
    etablissement = _verifier_nouveau_siret(structure, nouveau_siret)
    return _creer_approbation(
        type=TypeApprobation.CHANGEMENT_SIRET,
        demandeur=acting_user,
        structure=structure,
        commentaire=(commentaire or "").strip(),
        donnees={"ancien_siret": structure.identifiant, "nouveau_siret": etablissement.siret},
    )


def appliquer_changement_siret(*, approbation, acting_user, role) -> Structure:
    """Called by ``decider`` inside its transaction when the support approves: the structure takes the new SIRET
    (checked again: another structure may have taken it meanwhile) and INSEE's address for it; the change is
    appended to the identifiers' history."""
    structure = Structure.objects.select_for_update(of=("self",)).get(pk=approbation.structure_id)
    ancien, nouveau = approbation.donnees["ancien_siret"], approbation.donnees["nouveau_siret"]
    if structure.identifiant != ancien:
        raise ValidationError("Le SIRET de la structure a changé depuis la demande : elle ne peut plus s'appliquer.")
    etablissement = _verifier_nouveau_siret(structure, nouveau)
    structure.identifiant = nouveau
    champs = ["identifiant", "updated_at"]
    for champ in CHAMPS_INSEE_STRUCTURE:
        valeur = getattr(etablissement, champ)
        if valeur or isinstance(valeur, bool) or Structure._meta.get_field(champ).blank:
            setattr(structure, champ, valeur)
            champs.append(champ)
    if structure.numero_tva and structure.numero_tva[4:] != nouveau[:9]:
        # The VAT number is the SIREN's: a new SIREN makes the old number wrong.
        structure.numero_tva = ""
        champs.append("numero_tva")
    structure.save(update_fields=champs)
    # Appended with the identifier type it had and the approbation that decided it.
    HistoriqueIdentifiantStructure.ajouter(
        objet=structure,
        acting_user=acting_user,
        role=role,
        statut_precedent=ancien,
        statut=nouveau,
        commentaire=approbation.commentaire,
        type_identifiant=structure.type_identifiant,
        approbation=approbation,
    )
    return structure
