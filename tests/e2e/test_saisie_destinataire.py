"""« Saisir facture » in a real browser: the recipient found inside the form (issue 14 item 2). With JavaScript,
the search answers in place, the live region says how many structures were found, the arrow keys reach the
results and Enter chooses one, its services and rules appear and « Choisir » fills the code service; without
JavaScript, « Rechercher une structure » and « Choisir » re-render the form keeping what was typed. axe on every
state of the page."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from facturation.models import Facture
from tests.conftest import ARTIFACTS
from tests.e2e.navigateur import saisir_une_ligne, se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_trouver_le_destinataire_au_clavier_puis_enregistrer(page, fournisseur_gp, etat, communes):
    gp, _ = fournisseur_gp
    vif, varces, _, _ = communes
    se_connecter(page, gp.email)
    page.get_by_role("link", name="Factures émises").click()
    page.get_by_role("link", name="Saisir facture").click()
    verifier_accessibilite(page)

    page.locator("#id_numero").fill("F-VIF-001")
    recherche = page.get_by_label("Rechercher une structure")
    recherche.fill("Commune de V")
    recherche.press("Enter")  # searches in place: the form is not sent
    expect(page.get_by_test_id("annonce-destinataires")).to_have_text("2 structures trouvées.")
    trouves = page.get_by_test_id("destinataire-trouve")
    expect(trouves).to_have_count(2)
    expect(trouves.first).to_contain_text("Commune de Varces")
    expect(page.locator("#id_numero")).to_have_value("F-VIF-001")
    verifier_accessibilite(page)

    # Keyboard: down to the first result, down again to Vif, Enter chooses it.
    recherche.press("ArrowDown")
    expect(trouves.first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(trouves.nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_destinataire_siret")).to_have_value(vif.identifiant)
    choisi = page.get_by_test_id("destinataire-choisi")
    expect(choisi).to_contain_text(f"Destinataire : {vif.identifiant} – Commune de Vif")
    expect(page.locator("#titre-destinataire-choisi")).to_be_focused()
    expect(page.get_by_test_id("regles-destinataire")).to_contain_text("Numéro d'engagement obligatoire : Oui")
    expect(page.get_by_test_id("services-destinataire").locator("tbody tr")).to_have_count(2)
    verifier_accessibilite(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("fieldset").first.screenshot(path=str(ARTIFACTS / "saisie-destinataire-choisi.png"))

    page.get_by_role("button", name="Choisir le service TECHNIQUE").click()
    expect(page.get_by_label("Code service du destinataire")).to_have_value("TECHNIQUE")
    expect(page.get_by_test_id("annonce-destinataires")).to_have_text("Service choisi : TECHNIQUE.")

    page.get_by_label("Coordonnées bancaires").select_option(index=1)
    page.get_by_label("Date de facture").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("Numéro d'engagement").fill("EJ-VIF-7")
    saisir_une_ligne(page, "Entretien")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le brouillon est enregistré.")).to_be_visible()
    facture = Facture.objects.get()
    assert (facture.destinataire, facture.service_destinataire.code) == (vif, "TECHNIQUE")


def test_sans_javascript_rechercher_et_choisir_rechargent_le_formulaire(page_sans_javascript, fournisseur_gp, communes):
    gp, _ = fournisseur_gp
    vif = communes[0]
    page = page_sans_javascript
    se_connecter(page, gp.email)
    page.goto(page.base_url + "/factures-emises/saisir/")
    page.locator("#id_numero").fill("F-VIF-002")
    page.get_by_label("Rechercher une structure").fill("38450")
    page.get_by_role("button", name="Rechercher une structure").click()
    expect(page.get_by_test_id("resultats-destinataires")).to_contain_text("1 structure trouvée.")
    expect(page.locator("#id_numero")).to_have_value("F-VIF-002")  # kept
    expect(page.locator(".fr-input-group--error")).to_have_count(0)  # no error before an action
    page.get_by_role("button", name=f"Choisir {vif.identifiant} – Commune de Vif – 38450 Vif").click()
    expect(page.locator("#id_destinataire_siret")).to_have_value(vif.identifiant)
    page.get_by_role("button", name="Choisir le service ECOLES").click()
    expect(page.get_by_label("Code service du destinataire")).to_have_value("ECOLES")
    expect(page.locator("#id_numero")).to_have_value("F-VIF-002")
    assert not Facture.objects.exists()
