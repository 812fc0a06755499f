"""« Déposer une facture » with several files in a real browser (issue 14 item 1): chosen in the multiple input or
dropped on the frame, each file is sent alone with its own progress bar and gets its own result (accepted → the
draft to complete, refused → the French error); too many files are refused before anything is sent; without
JavaScript the input posts every file and the result page lists each one. axe on each state (axe needs
JavaScript: the result page is checked as a browser that runs it gets it from the ordinary submission)."""

import base64
from pathlib import Path

import pytest
from playwright.sync_api import expect

from facturation.models import Facture
from tests.conftest import ARTIFACTS
from tests.e2e.navigateur import se_connecter, verifier_accessibilite
from tests.facturation.test_depot_plusieurs_fichiers import document_externe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DATA = Path(__file__).parent.parent / "facturation" / "data"


def _fichiers(structure, etat, gp):
    return [
        {
            "name": "CII_example5.xml",
            "mimeType": "application/xml",
            "buffer": document_externe(structure, etat, gp, nom="CII_example5.xml", numero="EXT-CII-5"),
        },
        {
            "name": "ubl-tc434-example2.xml",
            "mimeType": "application/xml",
            "buffer": document_externe(structure, etat, gp, nom="ubl-tc434-example2.xml", numero="EXT-UBL-2"),
        },
        {"name": "mal_forme.xml", "mimeType": "application/xml", "buffer": (DATA / "mal_forme.xml").read_bytes()},
    ]


def test_plusieurs_fichiers_chacun_sa_progression_et_son_resultat(page, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    se_connecter(page, gp.email)
    page.get_by_role("link", name="Factures émises").click()
    page.get_by_role("link", name="Déposer facture").click()
    verifier_accessibilite(page)
    page.locator("#id_fichier").set_input_files(_fichiers(structure, etat, gp))
    expect(page.locator("#fichiers-choisis")).to_have_text("3 fichiers choisis.")
    page.get_by_role("button", name="Déposer").click()

    fichiers = page.get_by_test_id("fichier-depose")
    expect(fichiers).to_have_count(3)
    expect(page.get_by_test_id("annonce-depot")).to_have_text("Dépôt terminé : 3 fichiers traités.", timeout=60000)
    for i in range(3):
        expect(fichiers.nth(i).get_by_test_id("progression")).to_have_js_property("value", 100)
    expect(fichiers.nth(0)).to_contain_text("Accepté")
    expect(fichiers.nth(1)).to_contain_text("Accepté")
    expect(fichiers.nth(2)).to_contain_text("Refusé")
    expect(fichiers.nth(2)).to_contain_text("mal formé")
    assert sorted(Facture.objects.values_list("numero", flat=True)) == ["EXT-CII-5", "EXT-UBL-2"]
    verifier_accessibilite(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "depot-plusieurs-fichiers.png"), full_page=True)

    # Each accepted file leads to its own draft.
    fichiers.nth(1).get_by_role("link", name="Compléter le brouillon n° EXT-UBL-2").click()
    expect(page.get_by_role("heading", name="Brouillon de la facture EXT-UBL-2")).to_be_visible()


def test_glisser_deposer_et_limite_du_nombre_de_fichiers(page, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    se_connecter(page, gp.email)
    page.goto(page.base_url + "/factures-emises/deposer/")
    fichiers = _fichiers(structure, etat, gp)[:2]

    def deposer_dans_le_cadre(liste):
        page.evaluate(
            """([noms, contenus]) => {
                const transfert = new DataTransfer();
                noms.forEach((nom, i) => transfert.items.add(
                    new File([Uint8Array.from(atob(contenus[i]), (c) => c.charCodeAt(0))], nom)));
                document.getElementById("zone-depot").dispatchEvent(
                    new DragEvent("drop", {dataTransfer: transfert, bubbles: true, cancelable: true}));
            }""",
            [[f["name"] for f in liste], [base64.b64encode(f["buffer"]).decode() for f in liste]],
        )

    # Eleven files: refused before anything is sent.
    deposer_dans_le_cadre([{**fichiers[0], "name": f"f{i}.xml"} for i in range(11)])
    expect(page.locator("#fichiers-choisis")).to_have_text("11 fichiers choisis.")
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_test_id("erreur-fichier")).to_have_text(
        "Vous pouvez déposer au plus 10 fichiers à la fois (11 choisis)."
    )
    expect(page.get_by_test_id("fichier-depose")).to_have_count(0)
    verifier_accessibilite(page)

    deposer_dans_le_cadre(fichiers)
    expect(page.locator("#fichiers-choisis")).to_have_text("2 fichiers choisis.")
    expect(page.get_by_test_id("erreur-fichier")).to_be_hidden()
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_test_id("annonce-depot")).to_have_text("Dépôt terminé : 2 fichiers traités.", timeout=60000)
    expect(page.get_by_test_id("fichier-depose").filter(has_text="Accepté")).to_have_count(2)
    assert Facture.objects.count() == 2


def test_sans_javascript_la_page_liste_le_resultat_de_chaque_fichier(page_sans_javascript, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    page = page_sans_javascript
    page.set_default_timeout(30000)  # three files deposited and checked in one request
    se_connecter(page, gp.email)
    page.goto(page.base_url + "/factures-emises/deposer/")
    page.locator("#id_fichier").set_input_files(_fichiers(structure, etat, gp))
    page.get_by_role("button", name="Déposer").click()
    resultats = page.get_by_test_id("resultat-depot")
    expect(resultats).to_have_count(3)
    expect(page.get_by_test_id("resultats-depot-page")).to_contain_text("Résultat du dépôt : 2 fichiers acceptés sur 3")
    expect(resultats.nth(2)).to_contain_text("Refusé")
    expect(resultats.nth(0).get_by_role("link", name="Compléter le brouillon n° EXT-CII-5")).to_be_visible()


def test_page_de_resultats_accessible(page, fournisseur_gp, etat):
    """The result page of the ordinary submission (the one a browser without JavaScript gets), checked by axe in
    a browser that can run it: ``form.submit()`` posts the form without the page's script."""
    gp, structure = fournisseur_gp
    se_connecter(page, gp.email)
    page.goto(page.base_url + "/factures-emises/deposer/")
    page.locator("#id_fichier").set_input_files(_fichiers(structure, etat, gp)[1:])
    page.evaluate("document.getElementById('form-depot').submit()")
    expect(page.get_by_test_id("resultats-depot-page")).to_contain_text("Résultat du dépôt : 1 fichier accepté sur 2")
    verifier_accessibilite(page)
