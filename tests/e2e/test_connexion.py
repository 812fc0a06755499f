import re

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS
from tests.factories import MOT_DE_PASSE, UtilisateurFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_utilisateur_se_connecte_et_arrive_sur_domaines(page):
    user = UtilisateurFactory(email="claire.martin@exemple.fr", prenom="Claire", nom="Martin")

    page.goto(page.base_url + "/")
    expect(page.get_by_role("heading", name="Bienvenue sur Chorus Pro")).to_be_visible()
    page.get_by_role("link", name="Se connecter").first.click()

    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()

    expect(page).to_have_url(re.compile(r"/domaines/$"))
    expect(page.get_by_role("heading", name="Domaines", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Mon compte")).to_be_visible()
    expect(page.get_by_test_id("badge-approbations")).to_have_text("0")
    expect(page.locator("nav.fr-breadcrumb")).to_contain_text("Domaines")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "domaines-apres-connexion.png"), full_page=True)


def test_mauvais_mot_de_passe_affiche_une_erreur_en_francais(page):
    user = UtilisateurFactory()

    page.goto(page.base_url + "/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("alert")).to_contain_text("Adresse électronique ou mot de passe incorrect.")
    expect(page).to_have_url(re.compile(r"/connexion/$"))
