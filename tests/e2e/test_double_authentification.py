"""Issue 13 item 8 in a browser: a gestionnaire principal, for whom the second factor is required, is sent to the
enrolment page after the password, scans nothing (the test reads the key written on the page and computes the
TOTP code as an authenticator application does), keeps the recovery codes, then logs in again with the
« Code de vérification » step. axe checks each new page."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS
from tests.e2e.navigateur import verifier_accessibilite
from tests.factories import MOT_DE_PASSE, StructureFactory, UtilisateurFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code_de_l_application(secret: str, pas_suivant: int = 0) -> str:
    """What an authenticator application shows for the key ``secret`` (base32, as written on the page)."""
    totp = TOTP(b32decode(secret.replace(" ", "")), step=30, t0=0, digits=6, drift=pas_suivant)
    return f"{totp.token():06d}"


def _mot_de_passe(page, email):
    page.goto(page.base_url + "/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()


def test_gestionnaire_active_la_double_authentification_puis_se_reconnecte(page, settings):
    settings.CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE = True
    gp = UtilisateurFactory(email="gp.2fa@exemple.fr", prenom="Claire", nom="Martin")
    StructureFactory(gestionnaire_principal=gp)

    # After the password: the enrolment page, and nothing else.
    _mot_de_passe(page, gp.email)
    expect(page).to_have_url(re.compile(r"/mon-compte/double-authentification/$"))
    expect(page.get_by_test_id("double-authentification-obligatoire")).to_be_visible()
    page.goto(page.base_url + "/domaines/")
    expect(page).to_have_url(re.compile(r"/mon-compte/double-authentification/$"))
    expect(page.get_by_role("img", name=re.compile("Code QR"))).to_be_visible()
    verifier_accessibilite(page)

    secret = page.get_by_test_id("secret").inner_text()
    page.get_by_label("Code de vérification").fill("000000" if _code_de_l_application(secret) != "000000" else "111111")
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.get_by_text("Code de vérification incorrect.")).to_be_visible()

    page.get_by_label("Code de vérification").fill(_code_de_l_application(secret))
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.get_by_role("heading", name="Codes de secours", level=1)).to_be_visible()
    codes = page.get_by_test_id("codes-de-secours").locator("code").all_inner_texts()
    assert len(codes) == 10
    verifier_accessibilite(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "double-authentification-codes-de-secours.png"), full_page=True)

    # The portal is open now.
    page.goto(page.base_url + "/domaines/")
    expect(page.get_by_role("heading", name="Domaines", level=1)).to_be_visible()
    page.goto(page.base_url + "/mon-compte/double-authentification/")
    expect(page.get_by_test_id("statut-double-authentification")).to_have_text("Activée")
    expect(page.get_by_test_id("codes-restants")).to_contain_text("10")
    expect(page.get_by_test_id("desactivation-impossible")).to_be_visible()
    verifier_accessibilite(page)

    # A new login: the « Code de vérification » step, with the application's next code.
    page.context.clear_cookies()
    _mot_de_passe(page, gp.email)
    expect(page).to_have_url(re.compile(r"/connexion/verification/$"))
    expect(page.get_by_role("heading", name="Code de vérification", level=1)).to_be_visible()
    verifier_accessibilite(page)
    page.get_by_label("Code de vérification").fill(_code_de_l_application(secret, pas_suivant=1))
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/domaines/$"))

    # And once with a recovery code, which then no longer works.
    page.context.clear_cookies()
    _mot_de_passe(page, gp.email)
    page.get_by_label("Code de vérification").fill(codes[0])
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/domaines/$"))
    expect(page.get_by_role("alert").filter(has_text="il vous en reste 9")).to_be_visible()
    page.context.clear_cookies()
    _mot_de_passe(page, gp.email)
    page.get_by_label("Code de vérification").fill(codes[0])
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Code de vérification incorrect.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/connexion/verification/$"))
