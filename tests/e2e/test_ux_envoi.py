"""« Confirmer l'envoi » (and every form sent by POST) shows a busy state after half a second and cannot be sent
twice (issue 14 item 16); the footer's public pages (item 15) in a browser. axe runs on every page visited."""

import re
import time

import pytest
from playwright.sync_api import expect

from facturation.enums import StatutFacture
from facturation.models import Facture
from facturation.services import envoi
from tests.e2e.navigateur import se_connecter, verifier_accessibilite
from tests.facturation.factories import FactureFactory, ligne

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_confirmer_l_envoi_occupe_et_jamais_deux_fois(page, fournisseur_gp, etat, monkeypatch):
    gp, _ = fournisseur_gp
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="F-LENT", lignes=[ligne()])
    deposer = envoi.deposer_et_envoyer

    def deposer_lentement(**kwargs):  # the live server runs in this process: a slow deposit, as under load
        time.sleep(1.5)
        return deposer(**kwargs)

    monkeypatch.setattr(envoi, "deposer_et_envoyer", deposer_lentement)
    envois = []
    page.on("request", lambda r: envois.append(r.url) if r.method == "POST" and "/confirmer/" in r.url else None)

    se_connecter(page, gp.email)
    page.goto(page.base_url + f"/factures-emises/{facture.pk}/confirmer/")
    expect(page.get_by_role("heading", name="Confirmer l'envoi de la facture F-LENT")).to_be_visible()
    verifier_accessibilite(page)
    bouton = page.get_by_role("button", name="Confirmer l'envoi")
    # While the browser waits for the answer, the page is still the confirmation: what it shows is recorded in
    # sessionStorage (kept across the navigation), then read on the next page.
    page.evaluate(
        """() => new MutationObserver(() => {
            const statut = document.querySelector("[data-testid=envoi-en-cours]");
            const bouton = [...document.querySelectorAll("button")].find(b => b.textContent.includes("Confirmer"));
            if (statut && !sessionStorage.getItem("occupe")) {
                sessionStorage.setItem("occupe", JSON.stringify({
                    texte: statut.textContent, role: statut.getAttribute("role"),
                    desactive: bouton.getAttribute("aria-disabled"), occupe: bouton.form.getAttribute("aria-busy"),
                }));
                bouton.click();  // an impatient third click, once the page says it is working
            }
        }).observe(document.body, {childList: true, subtree: true})"""
    )
    bouton.evaluate("b => { b.click(); b.click(); }")  # a double click
    expect(page).to_have_url(re.compile(rf"/factures-emises/{facture.pk}/recapitulatif/$"), timeout=20000)
    assert len(envois) == 1
    assert page.evaluate("() => JSON.parse(sessionStorage.getItem('occupe'))") == {
        "texte": "Traitement en cours, veuillez patienter…",
        "role": "status",
        "desactive": "true",
        "occupe": "true",
    }
    facture.refresh_from_db()
    assert facture.statut != StatutFacture.BROUILLON and Facture.objects.count() == 1
    verifier_accessibilite(page)


def test_une_action_rapide_ne_montre_pas_d_attente(page, fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="F-VITE", lignes=[ligne()])
    se_connecter(page, gp.email)
    page.goto(page.base_url + f"/factures-emises/{facture.pk}/confirmer/")
    page.get_by_role("button", name="Confirmer l'envoi").click()
    expect(page).to_have_url(re.compile(r"/recapitulatif/$"))
    expect(page.get_by_test_id("envoi-en-cours")).to_have_count(0)


def test_les_pages_du_pied_de_page(page):
    page.goto(page.base_url + "/")
    pied = page.get_by_role("contentinfo")
    for lien, titre in (
        ("Accessibilité : partiellement conforme", "Déclaration d'accessibilité"),
        ("Mentions légales", "Mentions légales"),
        ("Données personnelles", "Données personnelles"),
    ):
        pied.get_by_role("link", name=lien).click()
        expect(page.get_by_role("heading", name=titre, level=1)).to_be_visible()
        expect(page).to_have_title(f"{titre} — Chorus Pro")
        verifier_accessibilite(page)
    page.goto(page.base_url + "/adresse-inconnue/")
    expect(page.get_by_role("heading", name="Page non trouvée", level=1)).to_be_visible()
    verifier_accessibilite(page)
