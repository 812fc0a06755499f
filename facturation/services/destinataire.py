"""The public recipient's decisions in « Factures reçues » (reference sections 2.3–2.5)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from chorus.workflow import TransitionInterdite
from facturation import queries
from facturation.enums import MOTIFS_DESTINATAIRE, StatutFacture
from facturation.models import Facture
from facturation.services.circuit import CIRCUIT
from facturation.statuts import ACTIONS_DESTINATAIRE, DESTINATAIRE


def traiter(
    *, acting_user, facture: Facture, statut: str, motif: str = "", commentaire: str = "", numero_dp_mandat: str = ""
) -> Facture:
    """The recipient sets a processing status; Suspendue, À recycler and Rejetée need a motif (free text here, as
    the API's ``traiter/recue``; the portal's pages go through ``traiter_facture_recue`` and its coded lists).
    Needs « Factures reçues » in modification where the invoice is addressed: on its structure, or on its
    service for a user attached at service level (``queries.peut_traiter``)."""
    if facture.destinataire_id is None or not queries.peut_traiter(acting_user, facture):
        raise PermissionDenied("Vous n'avez pas le profil « Factures reçues » en modification sur ce destinataire.")
    if statut == StatutFacture.MISE_EN_PAIEMENT and facture.destinataire.mise_en_paiement_non_remontee:
        # « Raccordements » > « Mode d'émission et de réception »: the structure does not report this status, so
        # its suppliers never see it (pages, API, e-mails).
        raise ValidationError(
            f"{facture.destinataire.raison_sociale} ne remonte pas le statut « Mise en paiement » dans Chorus Pro "
            "(paramètre de la structure) : ses factures s'arrêtent au statut précédent."
        )
    numero_dp_mandat = (numero_dp_mandat or "").strip()
    if numero_dp_mandat and statut != StatutFacture.MANDATEE:
        raise ValidationError({"numero_dp_mandat": NUMERO_DP_MANDAT_SEUL})
    if len(numero_dp_mandat) > LONGUEUR_NUMERO_DP_MANDAT:
        raise ValidationError({"numero_dp_mandat": NUMERO_DP_MANDAT_TROP_LONG})
    CIRCUIT.transition(
        facture,
        to=statut,
        acting_user=acting_user,
        role=DESTINATAIRE,
        motif=motif,
        commentaire=commentaire,
        # The seed's « Numéro DP mandat » of « Traiter la facture », saved with the status it belongs to.
        extra_updates={"numero_dp_mandat": numero_dp_mandat} if numero_dp_mandat else None,
    )
    return facture


NUMERO_DP_MANDAT_SEUL = "Le numéro DP mandat se renseigne seulement avec l'action « Mandater »."
LONGUEUR_NUMERO_DP_MANDAT = 50
NUMERO_DP_MANDAT_TROP_LONG = f"Le numéro DP mandat compte {LONGUEUR_NUMERO_DP_MANDAT} caractères au plus."


MOTIF_REQUIS = "Choisissez le motif dans la liste : il est obligatoire pour cette action."


def traiter_facture_recue(
    *,
    acting_user,
    facture: Facture,
    statut: str,
    motif: str = "",
    commentaire: str = "",
    statut_vu: str = "",
    numero_dp_mandat: str = "",
) -> Facture:
    """« Traiter la facture » in Factures reçues: ``motif`` is a code of the outcome's coded list
    (``MOTIFS_DESTINATAIRE``: Suspendre, Mettre à recycler, Rejeter), required there and refused elsewhere; the
    history and the supplier's e-mail carry its label and the optional comment.

    ``statut_vu`` is the status the agent saw when choosing the action: if the invoice has changed since (another
    agent acted first), nothing is done and the French message says so; an action the transition table does not
    allow from the current status is refused the same way. Both are checked under the row's lock."""
    motifs = MOTIFS_DESTINATAIRE.get(statut)
    libelle_action = ACTIONS_DESTINATAIRE.get(statut)
    if libelle_action is None:
        raise ValidationError("Cette action n'existe pas dans « Factures reçues ».")
    if motifs is not None:
        if not motif:
            raise ValidationError({"motif": MOTIF_REQUIS})
        if motif not in motifs.values:
            raise ValidationError({"motif": "Choisissez le motif dans la liste."})
        motif = motifs(motif).label
    elif motif:
        raise ValidationError({"motif": "Cette action ne prend pas de motif."})

    def refus(actuel):
        facture.statut = actuel
        return ValidationError(
            f"L'action « {libelle_action} » n'est pas possible : la facture {facture.numero} est au statut "
            f"« {StatutFacture(actuel).label} »."
        )

    with transaction.atomic():
        actuel = Facture.objects.select_for_update().filter(pk=facture.pk).values_list("statut", flat=True).get()
        if statut_vu and actuel != statut_vu:
            raise refus(actuel)
        try:
            return traiter(
                acting_user=acting_user,
                facture=facture,
                statut=statut,
                motif=motif,
                commentaire=(commentaire or "").strip(),
                numero_dp_mandat=numero_dp_mandat,
            )
        except TransitionInterdite as exc:
            raise refus(actuel) from exc


def traiter_en_masse(*, acting_user, factures: list[tuple[Facture, str]], statut: str) -> tuple[list, list]:
    """« Traiter la sélection » of Factures à traiter: one action without motif (``ACTIONS_DESTINATAIRE`` but
    Suspendre, Mettre à recycler, Rejeter) on each (invoice, status the agent saw), each decided on its own by
    ``traiter_facture_recue`` in its own transaction. Returns (the invoices processed, [(invoice, French reason)]
    for those refused); one refusal never undoes the others."""
    if statut not in ACTIONS_DESTINATAIRE or statut in MOTIFS_DESTINATAIRE:
        raise ValidationError(
            "Choisissez une action sans motif : suspendre, mettre à recycler ou rejeter se fait facture par facture."
        )
    traitees, refusees = [], []
    for facture, statut_vu in factures:
        try:
            traiter_facture_recue(acting_user=acting_user, facture=facture, statut=statut, statut_vu=statut_vu)
        except (ValidationError, PermissionDenied) as exc:
            refusees.append((facture, " ".join(getattr(exc, "messages", None) or [str(exc)])))
        else:
            traitees.append(facture)
    return traitees, refusees


def marquer_telechargees(*, acting_user, factures) -> int:
    """The recipient downloaded ``factures``: those of the user's « Factures reçues » not yet downloaded are marked
    (one UPDATE; a download by someone else, the supplier for instance, marks nothing). Returns how many."""
    return (
        queries.factures_recues(acting_user)
        .filter(pk__in=[f.pk for f in factures], telechargee_le__isnull=True)
        .update(telechargee_le=timezone.now())
    )
