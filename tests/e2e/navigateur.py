"""Steps shared by the browser journeys."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.factories import MOT_DE_PASSE

# axe-core 4.10.2 (npm registry, MPL-2.0), vendored beside the browser tests.
AXE = Path(__file__).with_name("axe.min.js")


def se_connecter(page, email, password=MOT_DE_PASSE):
    page.goto(page.base_url + "/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/domaines/$"))


def verifier_accessibilite(page):
    """axe on the page as it is now: fails on any serious or critical violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Through the DevTools protocol: the portal's Content-Security-Policy would refuse an inline script.
        page.evaluate("(source) => { (0, eval)(source); }", AXE.read_text())
    resultat = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    graves = [v for v in resultat["violations"] if v["impact"] in ("serious", "critical")]
    assert not graves, f"axe ({page.url}) : " + "; ".join(
        f"{v['id']} ({v['impact']}) : {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in graves
    )


def saisir_une_ligne(page, denomination="Prestation", *, quantite="1", prix_unitaire_ht="100"):
    """The first line of « Saisir facture »: its denomination, quantity and unit price before tax."""
    page.locator("#id_lignes-0-denomination").fill(denomination)
    page.locator("#id_lignes-0-quantite").fill(quantite)
    page.locator("#id_lignes-0-prix_unitaire_ht").fill(prix_unitaire_ht)
