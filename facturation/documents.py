"""Downloads of an invoice's documents, shared by every page that shows an invoice (the supplier's suivi, the
valideur's « Factures à valider »...). Each page first reaches the invoice through its own scoped query
(``facturation.queries``): these functions never check who asks."""

from django.http import FileResponse, Http404

from facturation.models import Facture


def reponse_facture(facture: Facture) -> FileResponse:
    """The invoice's document as deposited or generated (a PDF, or the XML of an XML deposit)."""
    if not facture.fichier:
        raise Http404("Aucun document n'est associé à cette facture.")
    xml = facture.fichier.name.lower().endswith(".xml")
    return FileResponse(
        facture.fichier.open("rb"),
        content_type="application/xml" if xml else "application/pdf",
        filename=f"facture_{facture.numero}.{'xml' if xml else 'pdf'}",
    )


def reponse_piece_jointe(facture: Facture, piece_pk) -> FileResponse:
    piece = facture.pieces_jointes.filter(pk=piece_pk).first()
    if piece is None:
        raise Http404("Pièce jointe introuvable.")
    return FileResponse(
        piece.fichier.open("rb"),
        content_type=piece.type_contenu,
        as_attachment=True,
        filename=piece.fichier.name.rsplit("/", 1)[-1],
    )
