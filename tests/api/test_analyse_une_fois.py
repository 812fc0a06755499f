"""Issue 15, « nothing validated twice »: a deposited XML is parsed once, its profile (BT-24) read once and its
official rules run once, along each path of the deposit pipeline — a flux's chunk, a whole lot, one deposited file,
the portal's « Déposer facture » — with the same errors as the rules run on the bytes. The parser
(``xml_securise._nouveau_parser``: every ``xml_securise.parser`` call makes one), the profile's reading and the
rules' steps are counted with mocks that wrap the real functions (their behaviour unchanged)."""

import pathlib
from dataclasses import asdict
from unittest import mock

import pytest

from facturation import depot, en16931, xml_securise
from facturation.api import flux as flux_api
from facturation.api import tasks
from facturation.models import Facture
from facturation.services import envoi
from tests.api.test_flux import deposer_un_fichier, document
from tests.api.test_flux_tranches import _lot

pytestmark = pytest.mark.django_db

DONNEES = pathlib.Path(__file__).resolve().parent.parent / "facturation" / "data"


@pytest.fixture
def compteurs(monkeypatch):
    """The parser, the profile's reading, the rules and their two steps (XSD, schematron), counted."""
    suivis = {
        "parser": (xml_securise, "_nouveau_parser"),
        "profil": (en16931, "profil_du_document"),
        "regles": (en16931, "verifier"),
        "xsd": (en16931, "_syntaxe_racine"),
        "schematron": (en16931, "_regles_racine"),
    }
    resultat = {}
    for nom, (module, fonction) in suivis.items():
        resultat[nom] = mock.Mock(wraps=getattr(module, fonction))
        monkeypatch.setattr(module, fonction, resultat[nom])
    return resultat


def _appels(compteurs) -> dict:
    return {nom: compteur.call_count for nom, compteur in compteurs.items()}


def _remettre_a_zero(compteurs) -> None:
    for compteur in compteurs.values():
        compteur.reset_mock()


def test_tranche_de_flux_chaque_document_lu_une_fois(api, etat, compteurs):
    numeros = ["LOT-P01", "LOT-P02", "LOT-P03", "LOT-P04"]
    contenus = [document(api.compte, etat, n) for n in numeros[:3]]
    # The fourth breaks a business rule (its total without VAT, BT-109, no longer the sum of its lines).
    bon = document(api.compte, etat, "LOT-P04")
    faux = bon.replace(b"<ram:TaxBasisTotalAmount>100.00<", b"<ram:TaxBasisTotalAmount>90.00<", 1)
    assert faux != bon
    contenus.append(faux)
    fichiers = [envoi.FichierDuLot(cle=n, nom=f"{n}.xml", contenu=c) for n, c in zip(numeros, contenus, strict=True)]
    _remettre_a_zero(compteurs)  # the documents were built from drafts: only the chunk counts
    resultats = envoi.deposer_et_envoyer_lot(
        acting_user=api.compte.utilisateur, fournisseur=api.compte.structure, fichiers=fichiers
    )
    # Once per document, where each was parsed three times (reading, rules, profile) and its BT-24 read twice.
    assert _appels(compteurs) == {"parser": 4, "profil": 4, "regles": 4, "xsd": 4, "schematron": 4}
    assert all(isinstance(resultats[n], Facture) for n in numeros[:3])
    refus = resultats["LOT-P04"]
    assert isinstance(refus, envoi.DepotRefuse) and refus.code_refus == envoi.DepotRefuse.REGLES
    # The message of the rules run on the bytes, as a deposit of that file alone gave it.
    assert refus.messages == [
        "La facture ne respecte pas la norme EN 16931 :",
        *(e.message for e in en16931.verifier(faux)),
    ]
    assert len(refus.messages) > 1


def test_lot_de_flux_chaque_document_lu_une_fois(api, etat, monkeypatch, compteurs):
    monkeypatch.setattr(tasks, "lancer_flux", lambda *args: None)
    numeros = ["LOT-P11", "LOT-P12", "LOT-P13"]
    flux = _lot(api, etat, numeros)
    _remettre_a_zero(compteurs)
    flux = flux_api.traiter(tasks._flux(flux.pk))
    assert flux.etat == "IN_INTEGRE"
    assert sorted(flux.factures.values_list("numero", flat=True)) == numeros
    # The split, the chunk and the conclusion together: one parse of each file.
    assert _appels(compteurs) == {"parser": 3, "profil": 3, "regles": 3, "xsd": 3, "schematron": 3}


def test_depot_d_un_fichier_lu_une_fois(api, etat, compteurs):
    contenu = document(api.compte, etat, "DEP-P01")
    _remettre_a_zero(compteurs)
    facture = deposer_un_fichier(api, contenu)
    assert facture.statut == "MISE_A_DISPOSITION"
    assert _appels(compteurs) == {"parser": 1, "profil": 1, "regles": 1, "xsd": 1, "schematron": 1}


def test_deposer_facture_du_portail_lu_une_fois(api, etat, compteurs):
    contenu = document(api.compte, etat, "DEP-P02")
    _remettre_a_zero(compteurs)
    preparation = envoi.preparer_depot(
        acting_user=api.compte.utilisateur,
        fournisseur=api.compte.structure,
        cadre="A1",
        contenu=contenu,
        nom_fichier="f.xml",
    )
    assert Facture.objects.get(pk=preparation["facture"]).statut == "BROUILLON"
    assert _appels(compteurs) == {"parser": 1, "profil": 1, "regles": 1, "xsd": 1, "schematron": 1}


def _documents_xml():
    """Every XML invoice of the test data (CII of each Factur-X profile, UBL, coherent or not), and variants whose
    BT-24 is missing or names no profile."""
    fichiers = sorted(
        [*DONNEES.glob("*.xml"), *(DONNEES / "profils").glob("*.xml"), *(DONNEES / "externes").glob("*.xml")]
    )
    documents = {f.name: f.read_bytes() for f in fichiers if f.name not in ("mal_forme.xml", "doctype_entites.xml")}
    cii = documents["facture_cii_valide.xml"]
    urn = b"urn:cen.eu:en16931:2017"
    assert urn in cii
    documents["cii_bt24_inconnu"] = cii.replace(urn, b"urn:exemple:profil-inconnu", 1)
    documents["cii_bt24_vide"] = cii.replace(urn, b"", 1)
    ubl = documents["facture_ubl_valide.xml"]
    assert urn in ubl
    documents["ubl_bt24_inconnu"] = ubl.replace(urn, b"urn:exemple:profil-inconnu", 1)
    return documents


@pytest.mark.parametrize("nom", sorted(_documents_xml()))
def test_analyse_memes_erreurs_et_profil_que_les_regles_sur_les_octets(nom, compteurs):
    contenu = _documents_xml()[nom]
    attendues = [asdict(e) for e in en16931.verifier(contenu)]
    try:
        profil = en16931.profil_du_document(contenu)
    except xml_securise.XmlInvalide:
        profil = None
    _remettre_a_zero(compteurs)
    analyse = depot.analyser(contenu)
    assert analyse.erreurs == attendues
    assert analyse.profil == profil
    assert analyse.racine is None  # the tree is let go once the rules ran
    assert compteurs["parser"].call_count == 1
    assert compteurs["regles"].call_count == 1
    assert compteurs["schematron"].call_count == (0 if any(e["regle"] in ("XSD", "PROFIL") for e in attendues) else 1)
