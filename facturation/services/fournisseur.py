"""The supplier's actions on a sent invoice: « À recycler », « Suspendue », « Rejetée »."""

from django.core.exceptions import ValidationError
from django.db import transaction

from facturation.enums import StatutFacture
from facturation.models import Facture, HistoriqueFacture
from facturation.services.circuit import CIRCUIT, exiger_emission
from facturation.services.controles import verifier_acheminement
from facturation.services.envoi import acheminer, renouveler_certificat
from facturation.statuts import FOURNISSEUR


def recycler(
    *, acting_user, facture: Facture, destinataire, service_destinataire, numero_engagement: str, commentaire: str = ""
) -> Facture:
    """« À recycler »: only the routing data change; the invoice is sent again under the same number, with a new
    certificat de dépôt when the recipient structure changed (the replaced one is kept). The supplier's optional
    comment (API ``recycler``) follows « Recyclage » in the history."""
    exiger_emission(acting_user, facture.fournisseur, service=facture.service_fournisseur)
    if facture.statut != StatutFacture.A_RECYCLER:
        raise ValidationError("Seule une facture « À recycler » peut être recyclée.")
    facture.destinataire = destinataire
    facture.service_destinataire = service_destinataire
    facture.numero_engagement = numero_engagement or ""
    erreurs = verifier_acheminement(facture)
    if erreurs:
        raise ValidationError(erreurs)
    with transaction.atomic():
        avant = Facture.objects.select_for_update(of=("self",)).select_related("destinataire").get(pk=facture.pk)
        Facture.objects.filter(pk=facture.pk).update(
            destinataire=destinataire,
            service_destinataire=service_destinataire,
            numero_engagement=facture.numero_engagement,
        )
        commentaire = (commentaire or "").strip()
        CIRCUIT.transition(
            facture,
            to=StatutFacture.DEPOSEE,
            acting_user=acting_user,
            role=FOURNISSEUR,
            commentaire=f"Recyclage : {commentaire}" if commentaire else "Recyclage",
        )
        renouveler_certificat(
            facture=facture,
            ancienne_empreinte=avant.empreinte_certificat,
            ancien_destinataire=avant.destinataire,
            acting_user=acting_user,
        )
        acheminer(facture)
    return facture


def completer(*, acting_user, facture: Facture, commentaire: str = "") -> Facture:
    """« Suspendue »: the supplier adds attachments (since the suspension) and/or a comment → « Complétée »."""
    exiger_emission(acting_user, facture.fournisseur, service=facture.service_fournisseur)
    suspension = (
        HistoriqueFacture.objects.filter(objet=facture, statut=StatutFacture.SUSPENDUE)
        .order_by("-created_at", "-id")
        .first()
    )
    pieces = facture.pieces_jointes.filter(created_at__gte=suspension.created_at).exists() if suspension else False
    if not (commentaire or "").strip() and not pieces:
        raise ValidationError("Ajoutez un commentaire ou au moins une pièce jointe pour compléter la facture.")
    CIRCUIT.transition(
        facture, to=StatutFacture.COMPLETEE, acting_user=acting_user, role=FOURNISSEUR, commentaire=commentaire
    )
    return facture


def traiter_rejet(*, acting_user, facture: Facture, motif: str = "") -> Facture:
    """« Traiter le rejet »: the supplier acknowledges a rejected invoice; it leaves the Synthèse. ``motif``: what
    the supplier says of it (API ``traiterRejet``'s ``motifRejet`` and ``cpltInfos``), kept in the history."""
    exiger_emission(acting_user, facture.fournisseur, service=facture.service_fournisseur)
    with transaction.atomic():
        locked = Facture.objects.select_for_update(of=("self",)).get(pk=facture.pk)
        if locked.statut != StatutFacture.REJETEE or locked.rejet_traite:
            raise ValidationError("Cette facture n'a pas de rejet à traiter.")
        locked.rejet_traite = True
        locked.save(update_fields=["rejet_traite", "updated_at"])
        HistoriqueFacture.ajouter(
            objet=locked,
            acting_user=acting_user,
            role=FOURNISSEUR,
            statut_precedent=StatutFacture.REJETEE,
            statut=StatutFacture.REJETEE,
            commentaire="Rejet traité",
            motif=(motif or "").strip(),
        )
    facture.rejet_traite = True
    return facture
