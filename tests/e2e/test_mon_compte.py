import re

import pytest
from playwright.sync_api import expect

from tests import outils
from tests.conftest import ARTIFACTS
from tests.e2e.navigateur import se_connecter
from tests.factories import UtilisateurFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_modifier_mon_compte_puis_la_modification_prend_effet(page):
    user = UtilisateurFactory(prenom="Paul", nom="Girard", telephone="")
    se_connecter(page, user.email)

    page.get_by_test_id("menu-utilisateur").click()
    page.locator("#menu-utilisateur").get_by_role("link", name="Mon compte").click()
    expect(page.get_by_role("heading", name="Mon compte", level=1)).to_be_visible()

    page.get_by_role("textbox", name=re.compile(r"^Nom")).fill("Girard-Lambert")
    page.get_by_label("Téléphone").fill("06 11 22 33 44")
    page.get_by_role("button", name="Enregistrer les modifications").click()

    expect(page.get_by_role("alert")).to_contain_text("Elle prendra effet le")
    ligne = page.get_by_test_id("modification-en-attente")
    expect(ligne).to_contain_text("Girard-Lambert")
    # Still the old name in the header until the change takes effect.
    expect(page.get_by_test_id("menu-utilisateur")).to_have_text("Paul Girard")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mon-compte-modification-en-attente.png"), full_page=True)

    # Time moves 31 minutes forward; the beat sweep applies the change.
    assert outils.modifications_appliquees() == 1
    page.reload()
    expect(page.get_by_test_id("menu-utilisateur")).to_have_text("Paul Girard-Lambert")
    expect(page.get_by_test_id("modification-en-attente")).to_have_count(0)
    expect(page.locator("dd", has_text="06 11 22 33 44")).to_be_visible()


def test_saisie_invalide_message_a_cote_du_champ(page):
    user = UtilisateurFactory()
    se_connecter(page, user.email)
    page.goto(page.base_url + "/mon-compte/")
    page.get_by_label("Téléphone").fill("pas un numéro")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("Saisissez un numéro de téléphone valide")).to_be_visible()
    expect(page.get_by_test_id("modification-en-attente")).to_have_count(0)
