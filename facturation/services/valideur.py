"""The titulaire's or mandataire's decisions on A9 / A12 invoices, and tacit validation (reference 2.6)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from chorus.identifiers import valider_siret
from chorus.workflow import SYSTEME, TransitionInterdite
from facturation import queries
from facturation.enums import DELAI_VALIDATION_TACITE, MotifRefusValidation, StatutFacture
from facturation.models import Facture
from facturation.services.circuit import CIRCUIT, exiger_emission
from facturation.services.controles import MESSAGE_VALIDEUR_FOURNISSEUR, MESSAGE_VALIDEUR_RATTACHE
from facturation.statuts import FOURNISSEUR, VALIDEUR
from organisation import queries as org_queries
from organisation.enums import Application, Niveau, StatutStructure
from organisation.models import Structure


def _exiger_validation(user, facture: Facture) -> None:
    if (
        facture.valideur_id is None
        or not org_queries.structures_de(user, Application.FACTURES_A_VALIDER, Niveau.MODIFICATION)
        .filter(pk=facture.valideur_id)
        .exists()
    ):
        raise PermissionDenied("Vous n'avez pas le profil « Factures à valider » en modification sur le valideur.")
    # No self-approval, even with the profile on both sides: a user attached to the supplier does not validate its
    # invoice (nor does the supplier itself, refused as valideur when the invoice is sent).
    if (
        facture.valideur_id == facture.fournisseur_id
        or org_queries.structures_de(user).filter(pk=facture.fournisseur_id).exists()
    ):
        raise PermissionDenied(
            "Vous ne pouvez pas valider une facture émise par une structure à laquelle vous êtes rattaché."
        )


def valider_facture(
    *, acting_user, facture: Facture, accepter: bool, motif: str = "", commentaire: str = ""
) -> Facture:
    """A9/A12: the valideur (titulaire or mandataire) validates — the invoice goes on to the recipient — or
    refuses with a motif. Needs the « Factures à valider » profile in modification on the valideur structure.
    An invoice no longer « À valider » is refused with a French message (and, should a decision race this one,
    by the row lock of the transition)."""
    _exiger_validation(acting_user, facture)
    if facture.statut != StatutFacture.A_VALIDER_1:
        raise ValidationError(
            f"La facture {facture.numero} n'est plus à valider : elle est au statut "
            f"« {StatutFacture(facture.statut).label} »."
        )
    if not accepter:
        # « Erreur de valideur » is not a refusal of the invoice: the supplier designated the wrong valideur and
        # corrects it (``corriger_valideur``), the invoice goes on under the same number.
        cible = (
            StatutFacture.ERREUR_FOURNISSEUR_SUR_VALIDEUR
            if motif == MotifRefusValidation.ERREUR_VALIDEUR.label
            else StatutFacture.REFUSEE_1
        )
        CIRCUIT.transition(
            facture, to=cible, acting_user=acting_user, role=VALIDEUR, motif=motif, commentaire=commentaire
        )
        return facture
    _transmettre_validee(
        facture, StatutFacture.VALIDEE_1, acting_user=acting_user, role=VALIDEUR, motif=motif, commentaire=commentaire
    )
    return facture


def _transmettre_validee(facture: Facture, validation: str, *, acting_user, role: str, **raison) -> None:
    """The valideur's step ends in ``validation`` (« Validée », or « Absence de validation dans les délais » when
    it is tacit), and the invoice goes on to its recipient: both statuses or neither. ``raison``: the motif and
    comment of the validation's history row."""
    with transaction.atomic():
        CIRCUIT.transition(facture, to=validation, acting_user=acting_user, role=role, **raison)
        CIRCUIT.transition(facture, to=StatutFacture.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)


def refuser_facture(*, acting_user, facture: Facture, motif: str, commentaire: str = "") -> Facture:
    """« Refuser » in Factures à valider: the motif is one of the coded list (``MotifRefusValidation``), the comment
    is free and optional. The history and the supplier's e-mail carry the motif's label and the comment."""
    _exiger_validation(acting_user, facture)
    if motif not in MotifRefusValidation.values:
        raise ValidationError({"motif": "Choisissez le motif du refus dans la liste."})
    return valider_facture(
        acting_user=acting_user,
        facture=facture,
        accepter=False,
        motif=MotifRefusValidation(motif).label,
        commentaire=(commentaire or "").strip(),
    )


def corriger_valideur(*, acting_user, facture: Facture, siret: str) -> Facture:
    """« Corriger le valideur » (API ``factures/v1/corriger/valideur/facture``): after « Erreur fournisseur sur
    valideur », the supplier names the right titulaire or mandataire; the invoice is « À valider » again for it
    (its users are e-mailed, and the 15 days of tacit validation start again)."""
    exiger_emission(acting_user, facture.fournisseur, service=facture.service_fournisseur)
    if facture.statut != StatutFacture.ERREUR_FOURNISSEUR_SUR_VALIDEUR:
        raise ValidationError(
            "Seule une facture au statut « Erreur fournisseur sur valideur » peut changer de valideur."
        )
    try:
        siret = valider_siret(siret)
    except ValidationError as exc:
        raise ValidationError({"valideur_siret": exc.messages}) from exc
    valideur = Structure.objects.filter(identifiant=siret).first()
    if valideur is None or valideur.statut != StatutStructure.ACTIVE:
        raise ValidationError({"valideur_siret": "Aucune structure active n'existe avec ce SIRET sur Chorus Pro."})
    if valideur.pk == facture.fournisseur_id:
        raise ValidationError({"valideur_siret": MESSAGE_VALIDEUR_FOURNISSEUR})
    if org_queries.structures_de(acting_user).filter(pk=valideur.pk).exists():
        raise ValidationError({"valideur_siret": MESSAGE_VALIDEUR_RATTACHE})
    if valideur.pk == facture.valideur_id:
        raise ValidationError(
            {"valideur_siret": "Ce valideur a signalé qu'il n'est pas le bon : indiquez-en un autre."}
        )
    with transaction.atomic():
        Facture.objects.filter(pk=facture.pk).update(valideur=valideur)
        facture.valideur = valideur
        CIRCUIT.transition(
            facture,
            to=StatutFacture.A_VALIDER_1,
            acting_user=acting_user,
            role=FOURNISSEUR,
            commentaire=f"Valideur corrigé : {valideur.raison_sociale} ({valideur.identifiant})",
        )
    return facture


def valider_tacitement() -> int:
    """Reference 2.6: the titulaire has 15 days; without a decision, validation is tacit. Every invoice « À
    valider » that reached that status (its last arrival, read from its history) more than 15 days ago goes to
    « Absence de validation dans les délais », then on to its recipient. The invoices are selected in one query;
    each then moves by its own transitions, whose row lock lets a decision taken meanwhile win (that invoice is
    skipped), so that two runs never move one invoice twice. Returns how many were validated tacitly."""
    dues = (
        queries.avec_delai_validation(Facture.objects.filter(statut=StatutFacture.A_VALIDER_1, valideur__isnull=False))
        .filter(validation_tacite_le__lte=timezone.now())
        .order_by("id")
    )
    commentaire = f"Validation tacite : aucune décision du valideur en {DELAI_VALIDATION_TACITE.days} jours"
    nombre = 0
    for facture in dues:
        try:
            _transmettre_validee(
                facture,
                StatutFacture.ABSENCE_VALIDATION_1_HORS_DELAI,
                acting_user=None,
                role=SYSTEME,
                commentaire=commentaire,
            )
        except TransitionInterdite:
            continue  # the valideur decided in the meantime
        nombre += 1
    return nombre
