"""The page and the table of the PDFs the portal writes itself (the invoice of a saisie, the certificat de dépôt,
a flux's compte rendu): one A4 template carrying the metadata they all declare, one bordered table."""

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape  # nosec B406  # escapes text into the PDF markup, parses no XML

from facturation import bibliotheques

if TYPE_CHECKING:
    from reportlab.platypus import SimpleDocTemplate, Table


def document_a4(tampon, *, marge: int, titre: str, auteur: str = "Chorus Pro", **options) -> "SimpleDocTemplate":
    """An A4 document written into ``tampon``, ``marge`` millimetres on every side, in French, created by Chorus Pro;
    ``options`` are reportlab's (``subject``, ``initialFontName``…)."""
    rl = bibliotheques.reportlab()
    return rl.SimpleDocTemplate(
        tampon,
        pagesize=rl.A4,
        leftMargin=marge * rl.mm,
        rightMargin=marge * rl.mm,
        topMargin=marge * rl.mm,
        bottomMargin=marge * rl.mm,
        title=titre,
        author=auteur,
        creator="Chorus Pro",
        lang="fr-FR",
        **options,
    )


def tableau(lignes, largeurs, style, *, entete: bool = False) -> "Table":
    """The rows of ``lignes`` (texts, escaped here) in a grid of columns ``largeurs`` wide."""
    rl = bibliotheques.reportlab()
    tableau = rl.Table(
        [[rl.Paragraph(escape(str(v or "")), style) for v in ligne] for ligne in lignes], colWidths=largeurs
    )
    # A list's header row, or a sheet's label column, on a grey background.
    fond = ((0, 0), (-1, 0)) if entete else ((0, 0), (0, -1))
    commandes = [
        ("GRID", (0, 0), (-1, -1), 0.4, rl.colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", *fond, rl.colors.HexColor("#f0f0f0")),
    ]
    tableau.setStyle(rl.TableStyle(commandes))
    return tableau
