import re

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS
from tests.factories import ServiceFactory, StructureFactory
from tests.organisation.annuaire import rectorat_de_bordeaux

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENTETE_CSV = (
    "TypeIdentifiant;Identifiant;RaisonSociale;EmetteurEdi;RecepteurEdi;GestionStatutMiseEnPaiement;"
    "GestionEngagement;GestionService;GestionServiceEngagement;EstMOA;EstMOAUniquement;StructureActive;Adresse;"
    "ComplementAdresse1;ComplementAdresse2;CodePostal;Ville;NumTelephone;Courriel;CodePays;LibellePays"
)


def test_visiteur_cherche_une_structure_publique_et_telecharge_l_annuaire(page):
    rectorat = rectorat_de_bordeaux("Rectorat de l'académie de Bordeaux")
    ServiceFactory(structure=rectorat, code="DAF", libelle="Division des affaires financières")
    ServiceFactory(structure=rectorat, code="ANCIEN", libelle="Service fermé", inactif=True)
    StructureFactory(publique=True, raison_sociale="Rectorat de l'académie de Lyon", ville="LYON")
    StructureFactory(raison_sociale="Rectorat Conseil SARL")  # a private company: never in the directory

    page.goto(page.base_url + "/annuaire/")
    expect(page.get_by_role("heading", name="Annuaire des structures publiques", level=1)).to_be_visible()
    expect(page.get_by_test_id("invitation-recherche")).to_be_visible()

    page.get_by_label("Raison sociale").fill("rectorat")
    page.get_by_role("button", name="Rechercher").click()

    lignes = page.get_by_test_id("structure-annuaire")
    expect(lignes).to_have_count(2)
    expect(page.get_by_text("Rectorat Conseil SARL")).to_have_count(0)
    ligne_bordeaux = lignes.filter(has_text="Bordeaux")
    expect(ligne_bordeaux).to_contain_text("11000201100044")
    expect(ligne_bordeaux).to_contain_text("BORDEAUX")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "annuaire-resultats.png"), full_page=True)

    page.get_by_role("link", name="Rectorat de l'académie de Bordeaux").click()
    expect(page).to_have_url(re.compile(rf"/annuaire/{rectorat.pk}/$"))
    expect(page.get_by_role("heading", name="Rectorat de l'académie de Bordeaux", level=1)).to_be_visible()
    expect(page.get_by_test_id("adresse")).to_contain_text("33060 BORDEAUX")
    parametres = page.get_by_test_id("parametre")
    expect(parametres.filter(has_text="Code service obligatoire")).to_contain_text("Oui")
    expect(parametres.filter(has_text="À une MOA")).to_contain_text("Oui")
    expect(parametres.filter(has_text="MOA uniquement")).to_contain_text("Non")
    services = page.get_by_test_id("service")
    expect(services).to_have_count(1)
    expect(services).to_contain_text("Division des affaires financières")
    expect(page.get_by_text("Service fermé")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "annuaire-structure.png"), full_page=True)

    page.get_by_role("link", name="Retour à l'annuaire").click()
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Exporter l'annuaire (CSV)").click()
    download = telechargement.value
    assert download.suggested_filename == "annuaire_destinataires.csv"
    lignes_csv = download.path().read_text(encoding="utf-8").splitlines()
    assert lignes_csv[0] == ENTETE_CSV
    assert len(lignes_csv) == 3
    assert any(ligne.startswith("1;11000201100044;Rectorat de l'académie de Bordeaux;") for ligne in lignes_csv)
    assert not any("Rectorat Conseil SARL" in ligne for ligne in lignes_csv)
