"""Pre-filling from a plain PDF's text, tried as a supplier's PDF would come: invoice number and VAT rates in the
layouts French invoices use (reportlab drawings, tables, right-aligned totals), PDFs written by LibreOffice and
Chromium, and the deposit form they pre-fill (a 20 % invoice is pre-filled at 20 %, with its number)."""

import io
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from facturation.pdf import FORMAT_PDF_NON_SIGNE, analyser_pdf, extraire_du_texte
from tests import outils
from tests.facturation.depot import deposer
from tests.facturation.test_depot import _formulaire
from tests.facturation.test_facturx import SIRET_DESTINATAIRE, SIRET_FOURNISSEUR

TIERS = Path(__file__).parent / "data" / "pdf_tiers"


def _canvas(dessin) -> bytes:
    tampon = io.BytesIO()
    page = canvas.Canvas(tampon, pagesize=A4)
    page.setFont("Helvetica", 10)
    dessin(page)
    page.showPage()
    page.save()
    return tampon.getvalue()


def _platypus(*elements) -> bytes:
    tampon = io.BytesIO()
    SimpleDocTemplate(tampon, pagesize=A4).build(list(elements))
    return tampon.getvalue()


def pdf_totaux_alignes_a_droite(
    *,
    date_facture="03/12/2026",
    entete=("Atelier Dupont SARL - SIRET 732 829 320 00074", "Client : Mairie de Lyon - SIRET 216 901 231 00011"),
    ligne=(700, "Maintenance des ascenseurs (novembre 2026)"),
) -> bytes:
    """Header at the top (number, date, then the ``entete`` lines), one invoice line of 1 000 € at height
    ``ligne[0]``, amounts right-aligned in a column apart from their labels, « TVA 20 % »."""

    def dessin(page):
        page.setFont("Helvetica-Bold", 16)
        page.drawString(50, 800, "Facture n° F-2026-001")
        page.setFont("Helvetica", 10)
        page.drawRightString(550, 800, f"Date : {date_facture}")
        for i, texte in enumerate(entete):
            page.drawString(50, 770 - 15 * i, texte)
        y_ligne, designation = ligne
        page.drawString(50, y_ligne, designation)
        page.drawRightString(550, y_ligne, "1 000,00 €")
        for y, libelle, montant in (
            (200, "Total HT", "1 000,00 €"),
            (185, "TVA 20 %", "200,00 €"),
            (170, "Total TTC", "1 200,00 €"),
        ):
            page.drawString(350, y, libelle)
            page.drawRightString(550, y, montant)

    return _canvas(dessin)


def pdf_tableaux() -> bytes:
    """A title « FACTURE N°… » glued to the number, a lines table with a VAT column, a totals table whose VAT row is
    « TVA (20,00 %) »."""
    styles = getSampleStyleSheet()
    return _platypus(
        Paragraph("FACTURE N°F-2026-001", styles["Title"]),
        Paragraph("Date de facture : 03/12/2026", styles["Normal"]),
        Spacer(1, 12),
        Table(
            [
                ["Désignation", "Qté", "PU HT", "TVA", "Montant HT"],
                ["Audit énergétique", "2", "500,00 €", "20 %", "1 000,00 €"],
            ]
        ),
        Spacer(1, 12),
        Table([["Total HT", "1 000,00 €"], ["TVA (20,00 %)", "200,00 €"], ["Total TTC", "1 200,00 €"]]),
    )


def pdf_taux_reduit_sans_montant_de_tva() -> bytes:
    """« N° de facture : 2026/0042 », « Taux de TVA : 5,5 % »: the VAT amount is only implied (TTC − HT)."""
    lignes = [
        "Librairie des Quais",
        "N° de facture : 2026/0042",
        "Date : 15/01/2026",
        "Taux de TVA : 5,5 %",
        "Montant HT : 100,00 €",
        "Total TTC : 105,50 €",
    ]

    def dessin(page):
        for i, ligne in enumerate(lignes):
            page.drawString(50, 800 - 16 * i, ligne)

    return _canvas(dessin)


def pdf_deux_taux_ventilation() -> bytes:
    """Two rates in a breakdown table (rate, base, VAT) and no « Total TVA » line."""
    styles = getSampleStyleSheet()
    return _platypus(
        Paragraph("FACTURE", styles["Title"]),
        Paragraph("Numéro : 2026.12.003", styles["Normal"]),
        Paragraph("Date : 10/12/2026", styles["Normal"]),
        Spacer(1, 12),
        Table([["Taux", "Base HT", "Montant TVA"], ["20,00 %", "1 000,00", "200,00"], ["5,50 %", "200,00", "11,00"]]),
        Spacer(1, 12),
        Table([["Total HT", "1 200,00 €"], ["Total TTC", "1 411,00 €"], ["Net à payer", "1 411,00 €"]]),
    )


def pdf_avoir() -> bytes:
    def dessin(page):
        page.drawString(50, 800, "AVOIR N° AV-2026_004")
        page.drawString(50, 780, "Invoice number of the credited invoice: F-2026-001")
        page.drawString(50, 760, "Total HT : -100,00 €   TVA 10 % : -10,00 €   Total TTC : -110,00 €")

    return _canvas(dessin)


@pytest.mark.parametrize(
    ("fabrique", "numero", "tva", "totaux"),
    [
        (pdf_totaux_alignes_a_droite, "F-2026-001", [("20", "1000.00", "200.00")], ("1000.00", "200.00", "1200.00")),
        (pdf_tableaux, "F-2026-001", [("20", "1000.00", "200.00")], ("1000.00", "200.00", "1200.00")),
        (pdf_taux_reduit_sans_montant_de_tva, "2026/0042", [("5.5", "100.00", "5.50")], ("100.00", "5.50", "105.50")),
        (
            pdf_deux_taux_ventilation,
            "2026.12.003",
            [("20", "1000.00", "200.00"), ("5.5", "200.00", "11.00")],
            ("1200.00", "211.00", "1411.00"),
        ),
        (pdf_avoir, "AV-2026_004", [("10", "-100.00", "-10.00")], ("-100.00", "-10.00", "-110.00")),
    ],
)
def test_numero_taux_et_totaux_de_pdf_reportlab(fabrique, numero, tva, totaux):
    analyse = analyser_pdf(fabrique())
    assert analyse.format == FORMAT_PDF_NON_SIGNE
    donnees = extraire_du_texte(analyse.texte)
    assert donnees.numero == numero
    assert [(str(t.taux), str(t.base_ht), str(t.montant_tva)) for t in donnees.tva] == tva
    assert all(t.categorie == "S" for t in donnees.tva)
    assert tuple(str(v) for v in (donnees.totaux.total_ht, donnees.totaux.total_tva, donnees.totaux.total_ttc)) == (
        totaux
    )
    assert {"numero", "tva", "totaux.total_ht", "totaux.total_tva", "totaux.total_ttc"} <= donnees.champs_a_verifier
    assert donnees.type_document == ("381" if numero.startswith("AV") else "380")


@pytest.mark.parametrize(
    ("texte", "numero"),
    [
        ("Facture n° F-2026-001", "F-2026-001"),
        ("Facture N° : F-2026-001", "F-2026-001"),
        ("FACTURE N°F-2026-001", "F-2026-001"),
        ("FACTURE\nN° 2026/17", "2026/17"),
        ("N° de facture : FA_2026_0007", "FA_2026_0007"),
        ("N° facture\nF.2026.12.3.", "F.2026.12.3"),
        ("Numéro de la facture : 000123", "000123"),
        ("Invoice number: INV-17", "INV-17"),
        ("Invoice No: 2026-001", "2026-001"),
        ("Facture No 42", "42"),
        ("Réf. facture : R2026-9", "R2026-9"),
        ("FACTURE F2026-100\nDate : 03/12/2026", "F2026-100"),
        ("Facture : 2026-555", "2026-555"),
        ("FACTURE\nNuméro : 2026-0099", "2026-0099"),
        # An explicit label wins over a title placed before it.
        ("FACTURE 2026\nN° de facture : F-9", "F-9"),
    ],
)
def test_numero_de_facture(texte, numero):
    donnees = extraire_du_texte(texte)
    assert donnees.numero == numero
    assert "numero" in donnees.champs_a_verifier


@pytest.mark.parametrize(
    "texte",
    [
        "Date facture : 03/12/2026",
        "Facture du 03/12/2026",
        "Adresse de facturation : 12 rue des Lilas",
        "Facture acquittée",
        "N° TVA intracommunautaire : FR44732829320",
        "Facture 1/2",
    ],
)
def test_pas_de_numero_la_ou_il_n_y_en_a_pas(texte):
    assert extraire_du_texte(texte).numero == ""


@pytest.mark.parametrize(
    ("texte", "taux"),
    [
        ("TVA 20 %", ["20"]),
        ("TVA (20,00 %)", ["20"]),
        ("Taux de TVA : 5,5 %", ["5.5"]),
        ("TVA à 10%", ["10"]),
        ("T.V.A. 2,1 %", ["2.1"]),
        ("Montant soumis à 20 % de TVA", ["20"]),
        ("TVA 20 % : 200,00 €\nTVA 5,5 % : 11,00 €", ["20", "5.5"]),
        ("Taux de TVA\n8,5 %", ["8.5"]),
        # Not VAT rates: a discount, a late-payment rate, a VAT number, a progress.
        ("Remise 10 %\nEscompte 2 % pour paiement anticipé", []),
        ("N° TVA intracommunautaire : FR44732829320\nAvancement 80 %", []),
        ("TVA 100 %", []),
    ],
)
def test_taux_de_tva(texte, taux):
    donnees = extraire_du_texte(texte)
    assert [str(t.taux) for t in donnees.tva] == taux
    assert ("tva" in donnees.champs_a_verifier) == bool(taux)


def test_montants_de_tva_par_taux_et_totaux_deduits():
    donnees = extraire_du_texte(
        "Total HT : 1 200,00 €\nTVA 20 % sur 1 000,00 € : 200,00 €\nTVA 5,5 % sur 200,00 € : 11,00 €\n"
    )
    assert [(t.taux, t.base_ht, t.montant_tva) for t in donnees.tva] == [
        (D("20"), D("1000.00"), D("200.00")),
        (D("5.5"), D("200.00"), D("11.00")),
    ]
    # Neither « Total TVA » nor « Total TTC » is written: the breakdown gives them, to be checked.
    assert (donnees.totaux.total_tva, donnees.totaux.total_ttc) == (D("211.00"), D("1411.00"))
    assert {"totaux.total_tva", "totaux.total_ttc"} <= donnees.champs_a_verifier


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("Total hors taxes : 90,00\nTotal TVA : 18,00\nTotal toutes taxes comprises : 108,00", ("90", "18", "108")),
        ("Montant total HT 90,00\nMontant de la TVA 18,00\nMontant TTC 108,00", ("90", "18", "108")),
        ("Total H.T. 90,00\nTVA 18,00\nTotal T.T.C. 108,00", ("90", "18", "108")),
        ("Total HT 90,00\nTotal TVA (20 %) 18,00", ("90", "18", "108")),
        ("Total TVA : 18,00\nTotal TTC : 108,00", ("90", "18", "108")),
    ],
)
def test_libelles_des_totaux(texte, attendu):
    totaux = extraire_du_texte(texte).totaux
    assert (totaux.total_ht, totaux.total_tva, totaux.total_ttc) == tuple(D(v) for v in attendu)


# --- PDFs written by other software (see data/pdf_tiers/README.md) -----------------------------------------------


@pytest.mark.parametrize("fichier", ["facture_deux_taux_libreoffice.pdf", "facture_deux_taux_chromium.pdf"])
def test_pdf_deux_taux_ecrit_par_libreoffice_ou_chromium(fichier):
    analyse = analyser_pdf((TIERS / fichier).read_bytes())
    assert analyse.format == FORMAT_PDF_NON_SIGNE
    donnees = extraire_du_texte(analyse.texte)
    assert donnees.numero == "FA-2026/0117"
    assert (donnees.fournisseur.siret, donnees.destinataire.siret) == (SIRET_FOURNISSEUR, SIRET_DESTINATAIRE)
    assert (donnees.date_emission, donnees.date_echeance) == (date(2026, 1, 14), date(2026, 2, 13))
    assert donnees.destinataire.code_service == "SERV-FIN"
    assert donnees.numero_engagement == "EJ-2026-0042"
    # The lines table's « 20 % » and « 5,5 % » columns are not mistaken for a breakdown; the breakdown is read.
    assert [(t.taux, t.base_ht, t.montant_tva) for t in donnees.tva] == [
        (D("20"), D("1000.00"), D("200.00")),
        (D("5.5"), D("200.00"), D("11.00")),
    ]
    totaux = donnees.totaux
    assert (totaux.total_ht, totaux.total_tva, totaux.total_ttc, totaux.net_a_payer) == (
        D("1200.00"),
        D("211.00"),
        D("1411.00"),
        D("1411.00"),
    )


def test_pdf_texte_ecrit_par_libreoffice():
    donnees = extraire_du_texte(analyser_pdf((TIERS / "facture_texte_libreoffice.pdf").read_bytes()).texte)
    assert donnees.numero == "F-2026-001"
    assert donnees.date_emission == date(2026, 12, 3)
    assert [(t.taux, t.base_ht, t.montant_tva) for t in donnees.tva] == [(D("20"), D("1000.00"), D("200.00"))]
    assert (donnees.totaux.total_ht, donnees.totaux.total_tva, donnees.totaux.total_ttc) == (
        D("1000.00"),
        D("200.00"),
        D("1200.00"),
    )


# --- The deposit form they pre-fill ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_depot_d_une_facture_a_20_pour_cent_pre_remplie_a_20_pour_cent(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    deposer(client, structure, pdf_totaux_alignes_a_droite())
    page, data = _formulaire(client)
    assert data["numero"] == "F-2026-001"
    assert str(data["date_facture"]) == "2026-12-03"
    assert data["lignes-TOTAL_FORMS"] == "1"
    assert (data["lignes-0-taux_tva"], data["lignes-0-prix_unitaire_ht"]) == ("20", "1000,00")
    texte = outils.texte(page)
    # The recomputed TTC matches the document's: no discrepancy warning.
    assert "diffère du montant TTC" not in texte
    assert "PDF non signé" in texte and "PDF_NON_SIGNE" not in texte
    bandeau = page.context["analyse"]["libelles_a_verifier"]
    assert {"Numéro de facture", "Date de facture", "Taux de TVA", "Total HT", "Lignes de poste"} <= set(bandeau)


@pytest.mark.django_db
def test_depot_d_un_pdf_a_deux_taux_une_ligne_par_taux(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    deposer(client, structure, (TIERS / "facture_deux_taux_libreoffice.pdf").read_bytes())
    page, data = _formulaire(client)
    assert data["numero"] == "FA-2026/0117"
    assert data["lignes-TOTAL_FORMS"] == "2"
    assert [(data[f"lignes-{i}-taux_tva"], data[f"lignes-{i}-prix_unitaire_ht"]) for i in range(2)] == [
        ("20", "1000,00"),
        ("5.5", "200,00"),
    ]
    assert data["lignes-1-denomination"] == "Montant soumis à la TVA à 5,5 % (à détailler)"
    assert "diffère du montant TTC" not in outils.texte(page)
