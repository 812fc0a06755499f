"""The compte rendu (CR) of a deposited flux as a PDF: what « Suivi des flux » downloads and what
``transverses/v1/consulterCR`` returns, base64-encoded, in ``fichierCR``. One document for both, built from the flux
as it stands (its state, its dates, its invoices and its errors)."""

import io
from xml.sax.saxutils import escape  # nosec B406  # escapes text into the PDF markup, parses no XML

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from facturation.certificat import FUSEAU_AFFICHAGE
from facturation.facturx import enregistrer_polices
from facturation.models import FluxDepot


def _date(valeur) -> str:
    return f"{valeur.astimezone(FUSEAU_AFFICHAGE):%d/%m/%Y à %H:%M:%S}" if valeur else "—"


def _tableau(lignes, largeurs, style, *, entete: bool = False) -> Table:
    tableau = Table([[Paragraph(escape(str(v or "")), style) for v in ligne] for ligne in lignes], colWidths=largeurs)
    # A list's header row, or a sheet's label column, on a grey background.
    fond = ((0, 0), (-1, 0)) if entete else ((0, 0), (0, -1))
    commandes = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", *fond, colors.HexColor("#f0f0f0")),
    ]
    tableau.setStyle(TableStyle(commandes))
    return tableau


def generer_cr_pdf(flux: FluxDepot) -> bytes:
    """The flux's compte rendu (A4, French), with the numbers of the invoices it integrated (one query)."""
    numeros_factures = list(flux.factures.order_by("numero", "pk").values_list("numero", flat=True))
    police, gras = enregistrer_polices()
    normal = ParagraphStyle("normal", fontName=police, fontSize=9, leading=12)
    titre = ParagraphStyle("titre", fontName=gras, fontSize=16, leading=20, spaceAfter=6)
    sous_titre = ParagraphStyle("sous_titre", fontName=gras, fontSize=11, leading=14, spaceBefore=6, spaceAfter=4)
    tampon = io.BytesIO()
    doc = SimpleDocTemplate(
        tampon,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Compte rendu du flux {flux.numero}",
        author="Chorus Pro",
        creator="Chorus Pro",
        lang="fr-FR",
    )
    erreurs_dp = flux.erreurs_dp or []
    erreurs_techniques = flux.erreurs_techniques or []
    elements = [
        Paragraph("Compte rendu de traitement du flux", titre),
        _tableau(
            [
                ("Numéro de flux", flux.numero),
                ("Fichier", flux.nom_fichier),
                ("Syntaxe", flux.syntaxe),
                ("Structure", f"{flux.structure.raison_sociale} ({flux.structure.identifiant})"),
                ("Déposé le", f"{_date(flux.created_at)} (heure de Paris)"),
                ("État", f"{flux.get_etat_display()} ({flux.etat})"),
                ("État depuis le", _date(flux.etat_le)),
                ("Factures intégrées", str(len(numeros_factures))),
                ("Factures en erreur", str(len(erreurs_dp))),
            ],
            [50 * mm, 124 * mm],
            normal,
        ),
    ]
    if numeros_factures:
        elements += [
            Paragraph("Factures intégrées", sous_titre),
            Paragraph(escape(", ".join(numeros_factures)), normal),
        ]
    if erreurs_dp:
        elements += [
            Paragraph("Erreurs par facture", sous_titre),
            _tableau(
                [("Numéro de facture", "Erreur")]
                + [(e.get("numeroDP", ""), e.get("libelleErreurDP", "")) for e in erreurs_dp],
                [45 * mm, 129 * mm],
                normal,
                entete=True,
            ),
        ]
    if erreurs_techniques:
        elements += [
            Paragraph("Erreurs techniques", sous_titre),
            _tableau(
                [("Code", "Erreur")]
                + [(e.get("codeErreur", ""), e.get("libelleErreur", "")) for e in erreurs_techniques],
                [45 * mm, 129 * mm],
                normal,
                entete=True,
            ),
        ]
    if flux.etat in (FluxDepot.Etat.RECU, FluxDepot.Etat.EN_COURS):
        elements += [
            Spacer(1, 4 * mm),
            Paragraph(
                "Le flux est en cours de traitement : ce compte rendu sera complété à la fin du traitement.", normal
            ),
        ]
    doc.build(elements)
    return tampon.getvalue()
