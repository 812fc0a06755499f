"""« Créer un compte » in a real browser: the SIRET, once typed, pre-fills the structure from the INSEE base."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import base_insee_exemple

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE_TROUVE = "Informations pré-remplies depuis la base INSEE : vérifiez-les."
MESSAGE_ABSENT = "SIRET absent de la base INSEE : complétez les informations de votre structure."


def _ouvrir(page):
    erreurs = []
    page.on("console", lambda message: erreurs.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: erreurs.append(str(exc)))
    page.goto(page.base_url + "/creer-un-compte/")
    expect(page.get_by_role("heading", name="Créer un compte")).to_be_visible()
    return erreurs


def test_siret_de_la_base_insee_pre_remplit_la_structure(page):
    base_insee_exemple()
    erreurs = _ouvrir(page)
    expect(page.get_by_text("Privée", exact=True)).to_be_checked()
    # What the user already typed is kept.
    page.get_by_label("Ville").fill("Paris 4e")

    siret = page.get_by_label("SIRET de votre structure")
    siret.fill("217 500 016 00019")
    siret.press("Tab")

    message = page.get_by_test_id("message-insee")
    expect(message).to_have_text(MESSAGE_TROUVE)
    expect(message).to_have_class(re.compile(r"fr-messages-group"))
    expect(page.get_by_label("Raison sociale")).to_have_value("VILLE DE PARIS")
    expect(page.get_by_label("Adresse", exact=True)).to_have_value("4 PLACE DE L HOTEL DE VILLE")
    expect(page.get_by_label("Code postal")).to_have_value("75004")
    expect(page.get_by_label("Ville")).to_have_value("Paris 4e")
    expect(page.get_by_text("Publique", exact=True)).to_be_checked()
    expect(page.get_by_text("Privée", exact=True)).not_to_be_checked()
    # The message is announced with the field.
    expect(siret).to_have_attribute("aria-describedby", re.compile(r"\bid_siret-insee\b"))

    # Another SIRET, absent from the base: the other message, and nothing typed is erased.
    siret.fill("73282932000074")
    siret.press("Tab")
    expect(message).to_have_text(MESSAGE_ABSENT)
    expect(page.get_by_label("Raison sociale")).to_have_value("VILLE DE PARIS")

    # Fewer than 14 digits: no look-up, no message.
    siret.fill("7328293")
    siret.press("Tab")
    expect(message).to_have_count(0)
    assert erreurs == []  # the static script runs under the CSP, without error


def test_siret_absent_de_la_base_insee_invite_a_completer(page):
    erreurs = _ouvrir(page)
    siret = page.get_by_label("SIRET de votre structure")
    siret.fill("73282932000074")
    siret.press("Tab")
    expect(page.get_by_test_id("message-insee")).to_have_text(MESSAGE_ABSENT)
    expect(page.get_by_label("Raison sociale")).to_have_value("")
    expect(page.get_by_text("Privée", exact=True)).to_be_checked()
    assert erreurs == []
