"""The « Factures rejetées à traiter » pop-up stays open after login and keeps the focus (issue 14 item 7); no page
scrolls horizontally at 1280 px nor at 375 px, the tabs stay compact on a phone and the invoice line grid fits
(item 8). axe runs on every page visited."""

import time

import pytest
from playwright.sync_api import expect

from facturation.enums import StatutFacture
from tests.e2e.navigateur import se_connecter, verifier_accessibilite
from tests.facturation.factories import FactureFactory, ligne

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_la_fenetre_des_rejets_reste_ouverte_et_garde_le_focus(page, fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    FactureFactory(
        fournisseur_gp=fournisseur_gp, destinataire=etat, numero="F-REJ", statut=StatutFacture.REJETEE, lignes=[ligne()]
    )
    se_connecter(page, gp.email)
    fenetre = page.get_by_role("dialog", name="Factures rejetées à traiter")
    expect(fenetre).to_be_visible()
    time.sleep(1.5)  # the DSFR script closed it about 0.4 s after loading
    expect(fenetre).to_be_visible()
    expect(fenetre).to_contain_text("F-REJ")
    assert page.evaluate("() => document.getElementById('alertes-connexion').contains(document.activeElement)")
    verifier_accessibilite(page)
    fenetre.get_by_role("button", name="Fermer").click()
    expect(fenetre).to_be_hidden()
    page.get_by_test_id("ouvrir-alertes").click()  # the pop-up opens again from the page
    expect(fenetre).to_be_visible()
    fenetre.get_by_role("link", name="Traiter le rejet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("F-REJ")


def _sans_defilement_horizontal(page):
    largeurs = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert largeurs[0] <= largeurs[1], f"{page.url} : {largeurs[0]} px de large pour {largeurs[1]} px affichés"


@pytest.mark.parametrize("largeur", [1280, 375])
def test_aucune_page_ne_defile_horizontalement(page, fournisseur_gp, etat, largeur):
    gp, _ = fournisseur_gp
    page.set_viewport_size({"width": largeur, "height": 800})
    se_connecter(page, gp.email)
    for chemin in (
        "/domaines/",
        "/factures-emises/",
        "/factures-emises/rechercher/",
        "/factures-emises/saisir/",
        "/mon-compte/",
        "/sollicitations-emises/",
    ):
        page.goto(page.base_url + chemin)
        _sans_defilement_horizontal(page)
        verifier_accessibilite(page)
    page.goto(page.base_url + "/factures-emises/")
    onglets = page.get_by_role("navigation", name="Onglets de l'application Factures émises")
    hauteur = onglets.bounding_box()["height"]
    assert hauteur <= (130 if largeur == 375 else 60), f"onglets hauts de {hauteur} px"
    page.goto(page.base_url + "/factures-emises/saisir/")
    ligne_de_poste = page.get_by_test_id("ligne").first
    boite = ligne_de_poste.bounding_box()
    assert boite["x"] >= 0 and boite["x"] + boite["width"] <= largeur
    champs = ligne_de_poste.locator("input, select").all()
    assert champs, "the line has no field: the loop below would check nothing"
    for champ in champs:
        b = champ.bounding_box()
        assert b["x"] + b["width"] <= largeur, champ.get_attribute("name")
