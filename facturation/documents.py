"""Downloads of an invoice's documents, shared by every page that shows an invoice (the supplier's suivi, the
valideur's « Factures à valider »...). Each page first reaches the invoice through its own scoped query
(``facturation.queries``): these functions never check who asks."""

import io
import re
import zipfile

from django.http import FileResponse, Http404

from chorus.fichiers import telechargement
from facturation import bibliotheques
from facturation.models import Facture


def reponse_facture(facture: Facture) -> FileResponse:
    """The invoice's document as deposited or generated (a PDF, or the XML of an XML deposit)."""
    if not facture.fichier:
        raise Http404("Aucun document n'est associé à cette facture.")
    xml = facture.fichier.name.lower().endswith(".xml")
    return telechargement(
        facture.fichier.open("rb"),
        content_type="application/xml" if xml else "application/pdf",
        nom=f"facture_{facture.numero}.{'xml' if xml else 'pdf'}",
    )


def reponse_piece_jointe(facture: Facture, piece_pk) -> FileResponse:
    piece = facture.pieces_jointes.filter(pk=piece_pk).first()
    if piece is None:
        raise Http404("Pièce jointe introuvable.")
    return telechargement(
        piece.fichier.open("rb"), content_type=piece.type_contenu, nom=piece.fichier.name.rsplit("/", 1)[-1]
    )


# --- Several invoices in one file (API ``telecharger/groupe``) ----------------------------------------------------

FORMAT_PDF = "PDF"
FORMAT_ZIP = "ZIP"
FORMATS_GROUPE = (FORMAT_PDF, FORMAT_ZIP)
# As Chorus Pro: an invoice with its attachments weighs 120 Mo at most, and so does one download.
TAILLE_MAX_GROUPE = 120 * 1024 * 1024


class GroupeRefuse(ValueError):
    """A group download that cannot be made; ``str()`` is the French reason. ``trop_lourd``: above
    ``TAILLE_MAX_GROUPE``."""

    def __init__(self, message: str, *, trop_lourd: bool = False):
        super().__init__(message)
        self.trop_lourd = trop_lourd


def _nom_sur(texte: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", texte).strip("_") or "document"


def _est_pdf(fichier) -> bool:
    return fichier.name.lower().endswith(".pdf")


def groupe_factures(factures: list[Facture], *, format_groupe: str, avec_pieces: bool) -> bytes:
    """One file holding the documents of ``factures`` (already reached through the caller's scoped query): a ZIP
    of each invoice's document as deposited or generated (and its attachments, each invoice's in its own folder),
    or one PDF of the invoices one after the other (and their PDF attachments after each). ``factures`` carry
    their ``pieces_jointes`` (prefetched)."""
    if format_groupe not in FORMATS_GROUPE:
        raise GroupeRefuse(f"Format inconnu : « {format_groupe} » (attendu : {', '.join(FORMATS_GROUPE)}).")
    documents = []
    for facture in factures:
        if not facture.fichier:
            raise GroupeRefuse(f"Aucun document n'est associé à la facture n° {facture.numero}.")
        if format_groupe == FORMAT_PDF and not _est_pdf(facture.fichier):
            raise GroupeRefuse(
                f"La facture n° {facture.numero} a été déposée en XML : demandez le format ZIP pour la télécharger."
            )
        pieces = list(facture.pieces_jointes.all()) if avec_pieces else []
        if format_groupe == FORMAT_PDF:
            for piece in pieces:
                if not _est_pdf(piece.fichier):
                    raise GroupeRefuse(
                        f"La pièce jointe « {piece.designation} » de la facture n° {facture.numero} n'est pas un "
                        "PDF : demandez le format ZIP pour la télécharger."
                    )
        documents.append((facture, pieces))
    taille = sum(f.fichier.size + sum(p.taille for p in pieces) for f, pieces in documents)
    if taille > TAILLE_MAX_GROUPE:
        raise GroupeRefuse(
            "Les documents demandés dépassent 120 Mo : téléchargez-les en plusieurs fois.", trop_lourd=True
        )
    tampon = io.BytesIO()
    if format_groupe == FORMAT_ZIP:
        with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
            for facture, pieces in documents:
                base = f"facture_{_nom_sur(facture.numero)}_{facture.pk}"
                extension = "pdf" if _est_pdf(facture.fichier) else "xml"
                with facture.fichier.open("rb") as contenu:
                    archive.writestr(f"{base}.{extension}", contenu.read())
                for piece in pieces:
                    with piece.fichier.open("rb") as contenu:
                        nom = _nom_sur(piece.fichier.name.rsplit("/", 1)[-1])
                        archive.writestr(f"{base}_pieces_jointes/{piece.pk}_{nom}", contenu.read())
    else:
        ecrivain = bibliotheques.pypdf().PdfWriter()
        for facture, pieces in documents:
            for fichier in [facture.fichier, *(p.fichier for p in pieces)]:
                with fichier.open("rb") as contenu:
                    ecrivain.append(io.BytesIO(contenu.read()))
        ecrivain.write(tampon)
    return tampon.getvalue()
