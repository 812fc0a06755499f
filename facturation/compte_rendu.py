"""The compte rendu (CR) of a deposited flux as a PDF: what « Suivi des flux » downloads and what
``transverses/v1/consulterCR`` returns, base64-encoded, in ``fichierCR``. One document for both, built from the flux
as it stands (its state, its dates, its invoices and its errors)."""

import io
from xml.sax.saxutils import escape  # nosec B406  # escapes text into the PDF markup, parses no XML

from facturation import bibliotheques
from facturation.certificat import FUSEAU_AFFICHAGE
from facturation.facturx import enregistrer_polices
from facturation.models import FluxDepot
from facturation.pages_pdf import document_a4, tableau


def _date(valeur) -> str:
    return f"{valeur.astimezone(FUSEAU_AFFICHAGE):%d/%m/%Y à %H:%M:%S}" if valeur else "—"


def generer_cr_pdf(flux: FluxDepot) -> bytes:
    """The flux's compte rendu (A4, French), with the numbers of the invoices it integrated (one query)."""
    rl = bibliotheques.reportlab()
    numeros_factures = list(flux.factures.order_by("numero", "pk").values_list("numero", flat=True))
    police, gras = enregistrer_polices()
    normal = rl.ParagraphStyle("normal", fontName=police, fontSize=9, leading=12)
    titre = rl.ParagraphStyle("titre", fontName=gras, fontSize=16, leading=20, spaceAfter=6)
    sous_titre = rl.ParagraphStyle("sous_titre", fontName=gras, fontSize=11, leading=14, spaceBefore=6, spaceAfter=4)
    tampon = io.BytesIO()
    doc = document_a4(tampon, marge=18, titre=f"Compte rendu du flux {flux.numero}")
    erreurs_dp = flux.erreurs_dp or []
    erreurs_techniques = flux.erreurs_techniques or []
    elements = [
        rl.Paragraph("Compte rendu de traitement du flux", titre),
        tableau(
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
            [50 * rl.mm, 124 * rl.mm],
            normal,
        ),
    ]
    if numeros_factures:
        elements += [
            rl.Paragraph("Factures intégrées", sous_titre),
            rl.Paragraph(escape(", ".join(numeros_factures)), normal),
        ]
    # Each list of errors, when there is one: its title, its header and the keys of its two columns.
    for titre_liste, entetes, erreurs, cles in (
        ("Erreurs par facture", ("Numéro de facture", "Erreur"), erreurs_dp, ("numeroDP", "libelleErreurDP")),
        ("Erreurs techniques", ("Code", "Erreur"), erreurs_techniques, ("codeErreur", "libelleErreur")),
    ):
        if erreurs:
            lignes = [entetes] + [tuple(e.get(cle, "") for cle in cles) for e in erreurs]
            elements += [
                rl.Paragraph(titre_liste, sous_titre),
                tableau(lignes, [45 * rl.mm, 129 * rl.mm], normal, entete=True),
            ]
    if flux.etat in (FluxDepot.Etat.RECU, FluxDepot.Etat.EN_COURS):
        elements += [
            rl.Spacer(1, 4 * rl.mm),
            rl.Paragraph(
                "Le flux est en cours de traitement : ce compte rendu sera complété à la fin du traitement.", normal
            ),
        ]
    doc.build(elements)
    return tampon.getvalue()
