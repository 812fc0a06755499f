"""« Gérer une structure » in a real browser: services and information (30-minute rule), GP transfer, bank
details and billing mandate."""

import re

import pytest
from playwright.sync_api import expect

from tests import outils
from tests.conftest import ARTIFACTS
from tests.e2e.navigateur import se_connecter
from tests.factories import UtilisateurFactory, rattacher, structure_privee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _appliquer_les_modifications(page):
    assert outils.modifications_appliquees() >= 1
    page.reload()
    page.wait_for_load_state("load")


@pytest.fixture
def gp():
    return UtilisateurFactory(email="gp@acme.fr", prenom="Gaëlle", nom="Perrin")


@pytest.fixture
def structure(gp):
    return structure_privee(gp, "ACME SAS")


def test_services_et_informations_avec_la_regle_des_30_minutes(page, gp, structure):
    se_connecter(page, gp.email)
    page.get_by_role("link", name="Gérer mes structures").click()
    page.get_by_role("link", name="ACME SAS").click()

    page.get_by_role("button", name="Services").click()
    page.locator("#id_service-code").fill("COMPTA")
    page.locator("#id_service-libelle").fill("Comptabilité")
    page.get_by_role("button", name="Créer le service").click()
    expect(page.get_by_text("Le service COMPTA est créé.")).to_be_visible()

    page.get_by_role("button", name="Modifier les informations").click()
    page.locator("#id_infos-raison_sociale").fill("ACME France")
    page.locator("#id_infos-numero_rcs").fill("RCS Lyon 732 829 320")
    page.get_by_role("button", name="Enregistrer les informations").click()
    expect(page.get_by_text("Votre modification est enregistrée. Elle prendra effet le")).to_be_visible()
    expect(page.get_by_test_id("modification-en-attente")).to_contain_text("Raison sociale : ACME France")
    expect(page.get_by_role("heading", name="ACME SAS", level=1)).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "gerer-structure-modification-en-attente.png"), full_page=True)

    _appliquer_les_modifications(page)
    expect(page.get_by_role("heading", name="ACME France", level=1)).to_be_visible()
    expect(page.get_by_test_id("modification-en-attente")).to_have_count(0)

    page.get_by_role("button", name="Activer ou désactiver la structure").click()
    desactiver = page.get_by_role("button", name="Désactiver la structure", exact=True)
    expect(desactiver).to_be_visible()
    expect(page.locator("#acc-statut")).to_have_class(re.compile("fr-collapse--expanded"))
    desactiver.click()
    expect(page.get_by_text("La structure est désactivée.")).to_be_visible()
    expect(page.get_by_test_id("statut-structure")).to_have_text("Inactive")


def test_transfert_du_role_de_gestionnaire_principal(page, gp, structure):
    collegue = UtilisateurFactory(email="collegue@acme.fr", prenom="Zoé", nom="Lemaire")
    rattacher(gp, collegue, structure)

    se_connecter(page, gp.email)
    page.goto(page.base_url + f"/organisation/structures/{structure.pk}/")
    page.get_by_role("button", name="Transférer le rôle de gestionnaire principal").click()
    page.get_by_label("Nouveau gestionnaire principal").select_option(label="Zoé Lemaire (collegue@acme.fr)")
    page.get_by_role("button", name="Transférer le rôle", exact=True).click()
    expect(page.get_by_test_id("modification-en-attente")).to_contain_text("Transfert du rôle")
    expect(page.get_by_test_id("gestionnaire-principal")).to_have_text("Gaëlle Perrin")

    assert outils.modifications_appliquees() == 1
    # The former GP no longer manages the structure: still attached, they consult it read-only.
    page.reload()
    expect(page.get_by_test_id("consultation-seule")).to_be_visible()
    expect(page.get_by_test_id("gestionnaire-principal")).to_have_text("Zoé Lemaire")
    expect(page.get_by_role("button", name="Transférer le rôle de gestionnaire principal")).to_have_count(0)
    expect(page.locator("main form[method=post]")).to_have_count(0)
    page.goto(page.base_url + "/domaines/")
    expect(page.get_by_role("link", name="Utilisateurs de mes structures")).to_have_count(0)


def test_coordonnees_bancaires_et_mandat_de_facturation(page, gp, structure):
    se_connecter(page, gp.email)
    page.goto(page.base_url + f"/organisation/structures/{structure.pk}/")
    page.get_by_role("button", name="Coordonnées bancaires").click()
    page.get_by_label("Titulaire du compte").fill("ACME SAS")
    page.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 188")
    page.get_by_label("BIC").fill("BNPAFRPPXXX")
    page.get_by_role("button", name="Ajouter les coordonnées bancaires").click()
    expect(page.get_by_text("L'IBAN saisi n'est pas valide")).to_be_visible()

    page.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 189")
    page.get_by_role("button", name="Ajouter les coordonnées bancaires").click()
    expect(page.get_by_text("Les coordonnées bancaires sont enregistrées.")).to_be_visible()
    page.get_by_role("button", name="Mandat de facturation").click()
    page.get_by_role("button", name="Souscrire au mandat de facturation", exact=True).click()
    expect(page.get_by_text("Votre souscription au mandat de facturation est enregistrée.")).to_be_visible()
    expect(page.get_by_test_id("modification-en-attente")).to_have_count(2)

    _appliquer_les_modifications(page)
    page.get_by_role("button", name="Coordonnées bancaires").click()
    expect(page.get_by_test_id("coordonnees")).to_contain_text("FR7630006000011234567890189")
    expect(page.get_by_test_id("coordonnees")).to_contain_text("(active)")
    page.get_by_role("button", name="Mandat de facturation").click()
    expect(page.get_by_test_id("mandat")).to_contain_text("Mandat souscrit le")
