"""Saisie of an invoice in a real browser: three lines at two VAT rates and a global discount, the
confirmation, the récapitulatif with the certificat de dépôt, the generated Factur-X, the suivi."""

import re
from datetime import date, timedelta
from pathlib import Path

import facturx
import pytest
from playwright.sync_api import expect

from facturation.models import Facture
from tests.conftest import ARTIFACTS
from tests.factories import MOT_DE_PASSE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _remplir_ligne(page, i, reference, denomination, quantite, prix, remise, taux):
    page.locator(f"#id_lignes-{i}-reference").fill(reference)
    page.locator(f"#id_lignes-{i}-denomination").fill(denomination)
    page.locator(f"#id_lignes-{i}-quantite").fill(quantite)
    page.locator(f"#id_lignes-{i}-prix_unitaire_ht").fill(prix)
    page.locator(f"#id_lignes-{i}-remise_ht").fill(remise)
    page.locator(f"#id_lignes-{i}-taux_tva").select_option(taux)


def test_saisie_trois_lignes_deux_taux_remise_globale_jusqu_au_certificat(page, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    page.goto(page.base_url + "/connexion/")
    page.get_by_label("Adresse électronique").fill(gp.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Factures émises").click()
    page.get_by_role("link", name="Saisir facture").click()

    page.get_by_text("Oui", exact=True).click()  # Le destinataire est-il l'État ?
    page.get_by_label("Code service du destinataire").fill("DRFIP_IDF")
    page.get_by_label("Coordonnées bancaires").select_option(index=1)
    page.locator("#id_numero").fill("F2026-100")
    page.get_by_label("Date de facture").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("Numéro d'engagement").fill("EJ-0042")
    _remplir_ligne(page, 0, "MO-1", "Main d'œuvre", "10", "12,50", "5", "20")
    page.get_by_role("button", name="Ajouter une ligne").click()
    _remplir_ligne(page, 1, "MAT-1", "Matériaux", "2", "100", "", "20")
    page.get_by_role("button", name="Ajouter une ligne").click()
    _remplir_ligne(page, 2, "LIV-1", "Livres", "4", "7,35", "", "5.5")
    page.get_by_label("Remise globale TTC").fill("30,00")
    page.get_by_label("Motif de la remise globale").fill("Geste commercial")
    # The recap follows the typing, computed by the server.
    expect(page.locator("#live-total_ttc")).to_have_text(re.compile(r"^385,02"))
    expect(page.locator("#live-ligne-0")).to_contain_text("HT après remise 120,00")
    page.get_by_role("button", name="Calculer les montants").click()
    expect(page.get_by_test_id("recapitulatif-montants")).to_contain_text("5,5 %")
    total_ttc = page.get_by_test_id("total-ttc").inner_text()

    page.get_by_role("button", name="Valider et envoyer").click()
    expect(page.get_by_role("heading", name="Confirmer l'envoi de la facture F2026-100")).to_be_visible()
    expect(page.get_by_test_id("montants")).to_contain_text(total_ttc)
    page.get_by_role("button", name="Confirmer l'envoi").click()

    expect(page.get_by_role("heading", name="Récapitulatif")).to_be_visible()
    expect(page.get_by_test_id("numero-facture")).to_have_text("F2026-100")
    facture = Facture.objects.get(numero="F2026-100")
    expect(page.get_by_test_id("empreinte")).to_have_text(facture.empreinte_certificat)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "facture-recapitulatif.png"), full_page=True)

    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Exporter le certificat de dépôt").click()
    certificat = Path(telechargement.value.path()).read_bytes()
    assert certificat.startswith(b"%PDF")

    # The invoice the portal generated is a Factur-X whose XML passes the factur-x schema check.
    with facture.fichier.open("rb") as fichier:
        contenu = fichier.read()
    _nom, xml = facturx.get_xml_from_pdf(contenu, check_xsd=False)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert b"F2026-100" in xml

    page.get_by_role("link", name="Suivre la facture").click()
    expect(page.get_by_test_id("statut-facture")).to_have_text("Mise à disposition du destinataire")
    expect(page.get_by_test_id("historique")).to_have_count(2)
    assert re.search(r"\d", total_ttc)
