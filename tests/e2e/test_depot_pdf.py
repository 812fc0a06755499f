"""« Déposer facture » with a plain PDF, tried as a new user would: the 20 % invoice is pre-filled at 20 % with its
number and date, the banner names the fields to check in French, the draft saved and reopened keeps its date, and
« Valider et envoyer » goes through."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from facturation.enums import StatutFacture
from facturation.models import Facture
from tests.conftest import ARTIFACTS
from tests.e2e.navigateur import saisir_une_ligne, se_connecter
from tests.facturation.test_pdf_texte import pdf_totaux_alignes_a_droite
from tests.fixtures_facturation import SIRET_ETAT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _facture_pdf(*, siret_fournisseur: str, date_facture: date) -> bytes:
    """A supplier's own PDF (no Factur-X): header, one line, right-aligned totals at 20 %."""
    return pdf_totaux_alignes_a_droite(
        date_facture=f"{date_facture:%d/%m/%Y}",
        entete=(
            f"Bâtiments Martin SAS - SIRET {siret_fournisseur}",
            f"Client : État - DRFIP Île-de-France - SIRET {SIRET_ETAT}",
            "Code service : DRFIP_IDF",
            "N° d'engagement : EJ-0042",
        ),
        ligne=(680, "Entretien des locaux (mois écoulé)"),
    )


def test_depot_pdf_pre_rempli_enregistre_rouvert_puis_envoye(page, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    hier = date.today() - timedelta(days=1)  # an invoice date is never in the future, whatever today is
    se_connecter(page, gp.email)
    page.get_by_role("link", name="Factures émises").click()
    page.get_by_role("link", name="Déposer facture").click()
    page.locator("#id_fichier").set_input_files(
        {
            "name": "facture F-2026-001.pdf",
            "mimeType": "application/pdf",
            "buffer": _facture_pdf(siret_fournisseur=structure.identifiant, date_facture=hier),
        }
    )
    page.get_by_role("button", name="Déposer").click()

    # Pre-filled from the PDF's text: number, date, recipient, the line at 20 %.
    analyse = page.get_by_test_id("analyse-depot")
    expect(analyse).to_contain_text("Fichier déposé : PDF non signé")
    a_verifier = page.get_by_test_id("champs-a-verifier")
    expect(a_verifier).to_contain_text("Numéro de facture")
    expect(a_verifier).to_contain_text("Date de facture")
    expect(a_verifier).to_contain_text("Taux de TVA")
    # No internal key nor format code anywhere in the banner.
    expect(analyse).not_to_contain_text(re.compile(r"PDF_NON_SIGNE|date_emission|totaux\.|\w+\.siret|lignes\["))
    expect(page.locator("#id_numero")).to_have_value("F-2026-001")
    expect(page.get_by_label("Date de facture")).to_have_value(hier.isoformat())
    expect(page.get_by_label("Code service du destinataire")).to_have_value("DRFIP_IDF")
    expect(page.locator("#id_lignes-0-taux_tva")).to_have_value("20")
    expect(page.locator("#id_lignes-0-prix_unitaire_ht")).to_have_value("1000,00")
    expect(page.locator("#live-total_ttc")).to_have_text(re.compile(r"^1\s?200,00"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "depot-pdf-pre-rempli.png"), full_page=True)

    page.get_by_label("Coordonnées bancaires").select_option(index=1)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le brouillon est enregistré.")).to_be_visible()
    facture = Facture.objects.get()
    assert facture.date_facture == hier and facture.statut == StatutFacture.BROUILLON

    # Reopened from the list, the draft shows its date again (an ISO value: the date input shows nothing else).
    page.goto(page.base_url + f"/factures-emises/{facture.pk}/modifier/")
    expect(page.get_by_label("Date de facture")).to_have_value(hier.isoformat())
    expect(page.get_by_test_id("champs-a-verifier")).to_contain_text("SIRET du destinataire")
    page.get_by_role("button", name="Valider et envoyer").click()
    expect(page.get_by_role("heading", name="Confirmer l'envoi de la facture F-2026-001")).to_be_visible()
    page.get_by_role("button", name="Confirmer l'envoi").click()
    expect(page.get_by_test_id("numero-facture")).to_have_text("F-2026-001")
    facture.refresh_from_db()
    assert facture.statut != StatutFacture.BROUILLON and facture.date_facture == hier


def test_brouillon_saisi_rouvert_garde_sa_date(page, fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    hier = date.today() - timedelta(days=1)
    se_connecter(page, gp.email)
    page.goto(page.base_url + "/factures-emises/saisir/")
    page.get_by_text("Oui", exact=True).click()  # Le destinataire est-il l'État ?
    page.get_by_label("Code service du destinataire").fill("DRFIP_IDF")
    page.get_by_label("Coordonnées bancaires").select_option(index=1)
    page.locator("#id_numero").fill("F-2026-002")
    page.get_by_label("Date de facture").fill(hier.isoformat())
    page.get_by_label("Numéro d'engagement").fill("EJ-0042")
    saisir_une_ligne(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le brouillon est enregistré.")).to_be_visible()

    facture = Facture.objects.get()
    page.goto(page.base_url + f"/factures-emises/{facture.pk}/modifier/")
    expect(page.get_by_label("Date de facture")).to_have_value(hier.isoformat())
    # Saved again without touching the date: it is kept.
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le brouillon est enregistré.")).to_be_visible()
    facture.refresh_from_db()
    assert facture.date_facture == hier
    page.get_by_role("button", name="Valider et envoyer").click()
    expect(page.get_by_role("heading", name="Confirmer l'envoi de la facture F-2026-002")).to_be_visible()
