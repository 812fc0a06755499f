"""Steps shared by the browser journeys."""

import re

from playwright.sync_api import expect

from tests.factories import MOT_DE_PASSE


def se_connecter(page, email, password=MOT_DE_PASSE):
    page.goto(page.base_url + "/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/domaines/$"))
