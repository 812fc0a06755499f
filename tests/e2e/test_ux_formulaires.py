"""Forms and bulk processing as a first-time user meets them (issue 14 items 10 and 11), in a real browser:
no error before any action, an error summary at the top that takes the focus, passwords and the chosen bulk action
kept after a refusal, the old SIRET error gone once the SIRET is corrected; « Tout sélectionner », the action at the
list's top and filters on « Factures à traiter ». axe runs on every page visited."""

import re

import pytest
from playwright.sync_api import expect

from facturation.enums import StatutFacture
from tests.e2e.navigateur import se_connecter, verifier_accessibilite
from tests.factories import base_insee_exemple, utilisateur_de
from tests.facturation.factories import FactureFactory, fournisseur_pret, ligne

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = StatutFacture
MOT_DE_PASSE_NEUF = "Un-Mot-De-Passe-Solide-2026"


def test_saisie_ouverte_vide_sans_erreur(page, fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    se_connecter(page, gp.email)
    page.goto(page.base_url + "/factures-emises/saisir/")
    expect(page.get_by_role("heading", name="Factures émises", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")  # the live computation has answered
    expect(page.locator("#montants-live-erreurs")).to_be_hidden()
    expect(page.get_by_test_id("resume-erreurs")).to_have_count(0)
    expect(page.locator(".fr-input-group--error, .fr-select-group--error")).to_have_count(0)
    verifier_accessibilite(page)
    # Once the user acts, the live computation speaks.
    page.locator("#id_lignes-0-quantite").fill("abc")
    expect(page.locator("#montants-live-erreurs")).to_be_visible()


def test_creer_un_compte_resume_des_erreurs_mots_de_passe_gardes_et_siret_corrige(page):
    base_insee_exemple()
    page.goto(page.base_url + "/creer-un-compte/")
    expect(page.get_by_test_id("resume-erreurs")).to_have_count(0)  # nothing is wrong before sending
    expect(page.locator(".fr-error-text")).to_have_count(0)
    verifier_accessibilite(page)
    page.get_by_label("Adresse électronique").fill("claire@exemple.fr")
    page.get_by_label("Prénom").fill("Claire")
    page.locator("#id_nom").fill("Martin")
    siret = page.get_by_label("SIRET de votre structure")
    siret.fill("123")
    page.locator("#id_password1").fill(MOT_DE_PASSE_NEUF)
    page.locator("#id_password2").fill(MOT_DE_PASSE_NEUF)
    page.get_by_role("button", name="Créer mon compte").click()

    resume = page.get_by_test_id("resume-erreurs")
    expect(resume).to_be_focused()
    expect(resume).to_contain_text("Le formulaire comporte 1 erreur")
    expect(resume.get_by_role("link")).to_have_text("SIRET de votre structure")
    expect(page.locator("#id_siret-desc-error")).to_contain_text("Le SIRET doit comporter 14 chiffres")
    expect(page.locator("#id_password1")).to_have_value(MOT_DE_PASSE_NEUF)
    expect(page.locator("#id_password2")).to_have_value(MOT_DE_PASSE_NEUF)
    verifier_accessibilite(page)

    # The link of the summary leads to the field; the corrected SIRET no longer carries the old error.
    resume.get_by_role("link").click()
    expect(siret).to_be_focused()
    siret.fill("21750001600019")
    siret.press("Tab")
    expect(page.get_by_test_id("message-insee")).to_have_text(
        "Informations pré-remplies depuis la base INSEE : vérifiez-les."
    )
    expect(page.locator("#id_siret-desc-error")).to_have_count(0)
    expect(siret).not_to_have_attribute("aria-invalid", "true")
    verifier_accessibilite(page)


def test_factures_a_traiter_tout_selectionner_action_en_haut_et_filtres(page, etat):
    agent = utilisateur_de(etat, profils={"FACTURES_RECUES": "modification"})
    martin = fournisseur_pret(raison_sociale="Bâtiments Martin SAS", email="gp@martin.fr")
    durand = fournisseur_pret(raison_sociale="Durand Peinture", email="gp@durand.fr")
    for fournisseur, numero in ((martin, "M-1"), (martin, "M-2"), (durand, "D-1")):
        FactureFactory(
            fournisseur_gp=fournisseur,
            destinataire=etat,
            numero=numero,
            recue=True,
            lignes=[ligne(prix_unitaire_ht="100")],
        )

    se_connecter(page, agent.email)
    page.goto(page.base_url + "/factures-recues/")
    liste = page.get_by_test_id("facture-recue")
    expect(liste).to_have_count(3)
    verifier_accessibilite(page)

    # The action comes before the list.
    selection = page.get_by_test_id("traiter-la-selection")
    action = selection.get_by_label("Action sur la sélection")
    assert action.bounding_box()["y"] < liste.first.bounding_box()["y"]

    # Nothing ticked: refused, the chosen action is kept and the summary takes the focus.
    action.select_option(label="Prendre en compte")
    selection.get_by_role("button", name="Traiter la sélection").click()
    expect(page.get_by_test_id("resume-erreurs")).to_be_focused()
    expect(page.get_by_test_id("resume-erreurs")).to_contain_text("Le formulaire comporte 1 erreur")
    expect(page.get_by_role("alert")).to_contain_text("Sélectionnez au moins une facture dans la liste.")
    expect(page.get_by_label("Action sur la sélection")).to_have_value(S.PRISE_EN_COMPTE_DESTINATAIRE)
    verifier_accessibilite(page)

    # « Tout sélectionner » ticks every invoice of the list, and unticks them.
    tout = page.get_by_label("Tout sélectionner")
    case_tout = page.locator("label[for=tout-selectionner]")
    case_tout.click()
    expect(tout).to_be_checked()
    for case in page.locator("input[name=facture]").all():
        expect(case).to_be_checked()
    page.get_by_label(re.compile("^Sélectionner la facture")).first.uncheck(force=True)
    expect(page.locator("input[name=facture]").first).not_to_be_checked()
    expect(tout).not_to_be_checked()
    case_tout.click()
    page.get_by_role("button", name="Traiter la sélection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Traiter la sélection : Prendre en compte")
    expect(page.get_by_test_id("facture-selectionnee")).to_have_count(3)

    # Filters on « Factures à traiter »: by supplier, then by current state.
    page.goto(page.base_url + "/factures-recues/")
    filtres = page.get_by_test_id("filtres-a-traiter")
    filtres.get_by_label("Fournisseur (SIRET ou raison sociale)").fill("Durand")
    filtres.get_by_role("button", name="Filtrer").click()
    expect(liste).to_have_count(1)
    expect(liste).to_contain_text("D-1")
    verifier_accessibilite(page)
    page.get_by_role("link", name="Effacer les filtres").click()
    expect(liste).to_have_count(3)
    filtres.get_by_label("État courant").select_option(label="Complétée")
    filtres.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("Aucune facture.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"statut=COMPLETEE"))
