"""Factur-X generation: the EN 16931 CII passes the Factur-X XSD, carries each business term at its XPath, and
round-trips through the PDF that embeds it."""

import io
from datetime import date
from decimal import Decimal

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from facturation.donnees import DonneesFacture, Ligne, LigneTva, Partie, Totaux
from facturation.facturx import GUIDELINE_EN16931, generer_cii, generer_pdf_facturx, repartition_remises_charges

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
SIRET_FOURNISSEUR = "73282932000074"
SIRET_DESTINATAIRE = "21690123100011"
ACCORD = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
REGLEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
LIGNES = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"


def facture_exemple(**modifications) -> DonneesFacture:
    """A two-rate invoice: a standard-rated line with a line allowance, an exempt line, a document allowance."""
    donnees = DonneesFacture(
        numero="FAC-2024-0042",
        date_emission=date(2024, 3, 15),
        date_echeance=date(2024, 4, 14),
        numero_engagement="EJ1234567890",
        numero_marche="MARCHE-2023-07",
        mode_paiement="30",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPPXXX",
        commentaire="Merci de votre confiance.",
        fournisseur=Partie(
            raison_sociale="Atelier Dupont SARL",
            siret=SIRET_FOURNISSEUR,
            numero_tva="FR44732829320",
            adresse="12 rue des Lilas",
            code_postal="75011",
            ville="Paris",
        ),
        destinataire=Partie(
            raison_sociale="Mairie de Lyon",
            siret=SIRET_DESTINATAIRE,
            adresse="1 place de la Comédie",
            code_postal="69001",
            ville="Lyon",
            code_service="SERV-FIN",
        ),
        lignes=[
            Ligne(
                numero="1",
                reference="REF-A",
                denomination="Chaise de bureau",
                quantite=Decimal("10"),
                prix_unitaire_ht=Decimal("100"),
                remise_ht=Decimal("50"),
                taux_tva=Decimal("20"),
            ),
            Ligne(
                numero="2",
                reference="FORM",
                denomination="Formation professionnelle",
                quantite=Decimal("1.5"),
                unite="HUR",
                prix_unitaire_ht=Decimal("200"),
                taux_tva=Decimal("0"),
                categorie_tva="E",
            ),
        ],
        tva=[
            LigneTva("S", Decimal("20"), Decimal("900.00"), Decimal("180.00")),
            LigneTva("E", Decimal("0"), Decimal("290.00"), Decimal("0.00"), "Exonération art. 261-4-4° du CGI"),
        ],
        totaux=Totaux(
            total_lignes_ht=Decimal("1250.00"),
            remises_document_ht=Decimal("60.00"),
            total_ht=Decimal("1190.00"),
            total_tva=Decimal("180.00"),
            total_ttc=Decimal("1370.00"),
            net_a_payer=Decimal("1370.00"),
        ),
    )
    for nom, valeur in modifications.items():
        setattr(donnees, nom, valeur)
    return donnees


def _arbre(xml: bytes):
    return etree.fromstring(xml)


def _valeurs(arbre, xpath: str) -> list[str]:
    return [str(v) for v in arbre.xpath(xpath, namespaces=NS)]


def test_le_cii_passe_le_xsd_factur_x_en16931():
    xml = generer_cii(facture_exemple())
    assert xml.startswith(b"<?xml")
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    assert facturx.get_level(_arbre(xml), "factur-x") == "en16931"


def test_le_cii_porte_chaque_terme_metier_a_son_xpath():
    arbre = _arbre(generer_cii(facture_exemple()))

    def un(xpath):
        valeurs = _valeurs(arbre, xpath)
        assert len(valeurs) == 1, (xpath, valeurs)
        return valeurs[0]

    contexte = "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext"
    assert un(f"{contexte}/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()") == GUIDELINE_EN16931
    document = "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument"
    assert un(f"{document}/ram:ID/text()") == "FAC-2024-0042"  # BT-1
    assert un(f"{document}/ram:TypeCode/text()") == "380"  # BT-3
    assert un(f"{document}/ram:IssueDateTime/udt:DateTimeString/text()") == "20240315"  # BT-2
    assert un(f"{document}/ram:IssueDateTime/udt:DateTimeString/@format") == "102"
    assert un(f"{document}/ram:IncludedNote/ram:Content/text()") == "Merci de votre confiance."  # BT-22

    assert un(f"{ACCORD}/ram:BuyerReference/text()") == "SERV-FIN"  # BT-10 = code service
    vendeur = f"{ACCORD}/ram:SellerTradeParty"
    assert un(f"{vendeur}/ram:Name/text()") == "Atelier Dupont SARL"  # BT-27
    assert un(f"{vendeur}/ram:SpecifiedLegalOrganization/ram:ID/text()") == SIRET_FOURNISSEUR  # BT-30
    assert un(f"{vendeur}/ram:SpecifiedLegalOrganization/ram:ID/@schemeID") == "0009"
    assert un(f"{vendeur}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']/text()") == "FR44732829320"  # BT-31
    assert un(f"{vendeur}/ram:PostalTradeAddress/ram:PostcodeCode/text()") == "75011"
    assert un(f"{vendeur}/ram:PostalTradeAddress/ram:LineOne/text()") == "12 rue des Lilas"
    assert un(f"{vendeur}/ram:PostalTradeAddress/ram:CityName/text()") == "Paris"
    assert un(f"{vendeur}/ram:PostalTradeAddress/ram:CountryID/text()") == "FR"
    acheteur = f"{ACCORD}/ram:BuyerTradeParty"
    assert un(f"{acheteur}/ram:Name/text()") == "Mairie de Lyon"  # BT-44
    assert un(f"{acheteur}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0009']/text()") == SIRET_DESTINATAIRE
    assert un(f"{ACCORD}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID/text()") == "EJ1234567890"  # BT-13
    assert un(f"{ACCORD}/ram:ContractReferencedDocument/ram:IssuerAssignedID/text()") == "MARCHE-2023-07"  # BT-12

    assert un(f"{REGLEMENT}/ram:InvoiceCurrencyCode/text()") == "EUR"  # BT-5
    paiement = f"{REGLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"
    assert un(f"{paiement}/ram:TypeCode/text()") == "30"  # BT-81
    assert un(f"{paiement}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID/text()") == "FR7630006000011234567890189"
    assert un(f"{paiement}/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID/text()") == "AGRIFRPPXXX"
    assert un(f"{REGLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString/text()") == (
        "20240414"
    )  # BT-9

    tva_s = f"{REGLEMENT}/ram:ApplicableTradeTax[ram:CategoryCode='S']"
    assert un(f"{tva_s}/ram:BasisAmount/text()") == "900.00"  # BT-116
    assert un(f"{tva_s}/ram:CalculatedAmount/text()") == "180.00"  # BT-117
    assert un(f"{tva_s}/ram:RateApplicablePercent/text()") == "20.00"  # BT-119

    totaux = f"{REGLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert un(f"{totaux}/ram:LineTotalAmount/text()") == "1250.00"  # BT-106
    assert un(f"{totaux}/ram:AllowanceTotalAmount/text()") == "60.00"  # BT-107
    assert un(f"{totaux}/ram:TaxBasisTotalAmount/text()") == "1190.00"  # BT-109
    assert un(f"{totaux}/ram:TaxTotalAmount/text()") == "180.00"  # BT-110
    assert un(f"{totaux}/ram:TaxTotalAmount/@currencyID") == "EUR"
    assert un(f"{totaux}/ram:GrandTotalAmount/text()") == "1370.00"  # BT-112
    assert un(f"{totaux}/ram:DuePayableAmount/text()") == "1370.00"  # BT-115
    assert _valeurs(arbre, f"{REGLEMENT}/ram:InvoiceReferencedDocument") == []

    ligne = f"{LIGNES}[ram:AssociatedDocumentLineDocument/ram:LineID='1']"
    assert un(f"{ligne}/ram:SpecifiedTradeProduct/ram:SellerAssignedID/text()") == "REF-A"  # BT-155
    assert un(f"{ligne}/ram:SpecifiedTradeProduct/ram:Name/text()") == "Chaise de bureau"  # BT-153
    assert un(f"{ligne}/ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount/text()") == (
        "100.00"
    )  # BT-146
    assert un(f"{ligne}/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/text()") == "10"  # BT-129
    assert un(f"{ligne}/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode") == "C62"  # BT-130
    reglement_ligne = f"{ligne}/ram:SpecifiedLineTradeSettlement"
    assert un(f"{reglement_ligne}/ram:ApplicableTradeTax/ram:CategoryCode/text()") == "S"  # BT-151
    assert un(f"{reglement_ligne}/ram:ApplicableTradeTax/ram:RateApplicablePercent/text()") == "20.00"  # BT-152
    remise = f"{reglement_ligne}/ram:SpecifiedTradeAllowanceCharge"
    assert un(f"{remise}/ram:ChargeIndicator/udt:Indicator/text()") == "false"
    assert un(f"{remise}/ram:ActualAmount/text()") == "50.00"  # BT-136
    assert un(f"{reglement_ligne}/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()") == (
        "950.00"
    )  # BT-131
    ligne2 = f"{LIGNES}[ram:AssociatedDocumentLineDocument/ram:LineID='2']"
    assert un(f"{ligne2}/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/text()") == "1.5"
    assert un(f"{ligne2}/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode") == "HUR"
    assert _valeurs(arbre, f"{ligne2}/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge") == []


def test_la_remise_globale_est_ventilee_par_categorie_de_tva_selon_la_ventilation():
    donnees = facture_exemple()
    remises, charges = repartition_remises_charges(donnees)
    # Lines: S 950 − base 900 = 50; E 300 − base 290 = 10; 50 + 10 = BT-107 (60).
    assert remises == {("S", Decimal("20.00")): Decimal("50.00"), ("E", Decimal("0.00")): Decimal("10.00")}
    assert charges == {}

    arbre = _arbre(generer_cii(donnees))
    remises_xml = arbre.xpath(f"{REGLEMENT}/ram:SpecifiedTradeAllowanceCharge", namespaces=NS)
    assert len(remises_xml) == 2
    lues = {
        r.findtext("ram:CategoryTradeTax/ram:CategoryCode", namespaces=NS): (
            r.findtext("ram:ActualAmount", namespaces=NS),
            r.findtext("ram:ChargeIndicator/udt:Indicator", namespaces=NS),
            r.findtext("ram:CategoryTradeTax/ram:RateApplicablePercent", namespaces=NS),
        )
        for r in remises_xml
    }
    assert lues == {"S": ("50.00", "false", "20.00"), "E": ("10.00", "false", "0.00")}


def test_sans_ventilation_la_remise_globale_est_proratisee_et_la_tva_calculee():
    donnees = facture_exemple(tva=[], totaux=Totaux(remises_document_ht=Decimal("60")))
    remises, _ = repartition_remises_charges(donnees)
    # Prorated on the line totals 950 / 300: 45,60 and the remainder 14,40.
    assert remises == {("S", Decimal("20.00")): Decimal("45.60"), ("E", Decimal("0.00")): Decimal("14.40")}
    xml = generer_cii(donnees)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    arbre = _arbre(xml)
    totaux = f"{REGLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert _valeurs(arbre, f"{totaux}/ram:TaxBasisTotalAmount/text()") == ["1190.00"]
    assert _valeurs(arbre, f"{totaux}/ram:TaxTotalAmount/text()") == ["180.88"]  # 904,40 × 20 %
    assert _valeurs(arbre, f"{totaux}/ram:GrandTotalAmount/text()") == ["1370.88"]


def test_un_avoir_reference_la_facture_d_origine():
    donnees = facture_exemple(type_document="381", numero="AV-2024-0003", facture_origine="FAC-2024-0042")
    xml = generer_cii(donnees)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    arbre = _arbre(xml)
    assert _valeurs(arbre, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode/text()") == ["381"]
    assert _valeurs(arbre, f"{REGLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()") == [
        "FAC-2024-0042"
    ]  # BT-25


def test_une_ligne_exoneree_porte_la_categorie_e_et_le_motif():
    arbre = _arbre(generer_cii(facture_exemple()))
    ligne = f"{LIGNES}[ram:AssociatedDocumentLineDocument/ram:LineID='2']/ram:SpecifiedLineTradeSettlement"
    assert _valeurs(arbre, f"{ligne}/ram:ApplicableTradeTax/ram:CategoryCode/text()") == ["E"]
    tva_e = f"{REGLEMENT}/ram:ApplicableTradeTax[ram:CategoryCode='E']"
    assert _valeurs(arbre, f"{tva_e}/ram:ExemptionReason/text()") == ["Exonération art. 261-4-4° du CGI"]  # BT-120
    assert _valeurs(arbre, f"{tva_e}/ram:BasisAmount/text()") == ["290.00"]
    assert _valeurs(arbre, f"{tva_e}/ram:CalculatedAmount/text()") == ["0.00"]
    # Standard-rated VAT carries no exemption reason.
    assert _valeurs(arbre, f"{REGLEMENT}/ram:ApplicableTradeTax[ram:CategoryCode='S']/ram:ExemptionReason") == []


def test_le_motif_d_exoneration_du_document_sert_par_defaut():
    donnees = facture_exemple(motif_exoneration="Article 293 B du CGI")
    donnees.tva[1].motif_exoneration = ""
    arbre = _arbre(generer_cii(donnees))
    tva_e = f"{REGLEMENT}/ram:ApplicableTradeTax[ram:CategoryCode='E']"
    assert _valeurs(arbre, f"{tva_e}/ram:ExemptionReason/text()") == ["Article 293 B du CGI"]


@pytest.mark.parametrize(
    ("quantite", "attendu"),
    [(Decimal("2"), "2"), (Decimal("2.50"), "2.5"), (Decimal("0.12345"), "0.1235"), (Decimal("1.2345"), "1.2345")],
)
def test_les_quantites_ont_au_plus_quatre_decimales(quantite, attendu):
    donnees = facture_exemple()
    donnees.lignes[0].quantite = quantite
    donnees.lignes[0].montant_ht = Decimal("100.00")
    arbre = _arbre(generer_cii(donnees))
    ligne = f"{LIGNES}[ram:AssociatedDocumentLineDocument/ram:LineID='1']"
    assert _valeurs(arbre, f"{ligne}/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/text()") == [attendu]


def test_le_pdf_factur_x_embarque_le_meme_xml():
    donnees = facture_exemple()
    pdf = generer_pdf_facturx(donnees)
    assert pdf.startswith(b"%PDF-")
    nom, xml = facturx.get_facturx_xml_from_pdf(pdf)
    assert nom == "factur-x.xml"
    assert xml == generer_cii(donnees)

    lecteur = PdfReader(io.BytesIO(pdf))
    page = lecteur.pages[0]
    assert page.mediabox.width == pytest.approx(595.27, abs=0.5)  # A4
    assert page.mediabox.height == pytest.approx(841.89, abs=0.5)
    texte = page.extract_text().replace("\u00a0", " ")
    for attendu in (
        "Facture n° FAC-2024-0042",
        "Date d'émission : 15/03/2024",
        "Fournisseur",
        "Destinataire",
        f"SIRET : {SIRET_FOURNISSEUR}",
        f"SIRET : {SIRET_DESTINATAIRE}",
        "Code service : SERV-FIN",
        "N° d'engagement : EJ1234567890",
        "Désignation",
        "Chaise de bureau",
        "Net à payer",
        "1 370,00 €",
        "IBAN : FR7630006000011234567890189",
        "BIC : AGRIFRPPXXX",
        "Merci de votre confiance.",
    ):
        assert attendu in texte, attendu
    # PDF/A-3 identification written by the factur-x package in the XMP metadata.
    metadonnees = lecteur.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in metadonnees
    assert b"urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" in metadonnees


def test_un_avoir_s_affiche_comme_avoir():
    donnees = facture_exemple(type_document="381", numero="AV-1", facture_origine="FAC-2024-0042")
    pdf = generer_pdf_facturx(donnees)
    texte = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Avoir n° AV-1" in texte
    assert "Facture d'origine : FAC-2024-0042" in texte
