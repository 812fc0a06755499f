"""« Factures à valider » in a real browser: the titulaire opens the application from the Domaines page, sees
the sous-traitant's A9 invoices, fails to refuse one without a motif, validates another; the sous-traitant's
suivi shows the new status. The invoices are sent by the service layer, as in test_factures_cycle."""

import pytest
from playwright.sync_api import expect

from facturation.enums import StatutFacture
from tests.conftest import ARTIFACTS
from tests.e2e.navigateur import se_connecter
from tests.factories import UtilisateurFactory, structure_privee
from tests.facturation.factories import FactureFactory, ligne

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _a9(fournisseur_gp, etat, valideur, numero):
    return FactureFactory(
        fournisseur_gp=fournisseur_gp,
        destinataire=etat,
        valideur=valideur,
        numero=numero,
        a_valider=True,
        numero_engagement="EJ-9",
        lignes=[ligne("Lot 2 – plomberie", quantite=2, prix_unitaire_ht="250")],
    )


def test_le_titulaire_refuse_sans_motif_puis_valide(page, browser, fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    titulaire_gp = UtilisateurFactory(prenom="Tom", nom="Titulaire")
    titulaire = structure_privee(titulaire_gp, "Titulaire Général SA")
    premiere = _a9(fournisseur_gp, etat, titulaire, "ST-1")
    seconde = _a9(fournisseur_gp, etat, titulaire, "ST-2")

    se_connecter(page, titulaire_gp.email)
    page.get_by_role("link", name="Factures à valider").click()
    expect(page.get_by_role("heading", name="Factures à valider", level=1)).to_be_visible()
    lignes = page.get_by_test_id("facture-a-valider")
    expect(lignes).to_have_count(2)
    expect(lignes.filter(has_text="ST-1")).to_contain_text("Bâtiments Martin SAS")
    expect(lignes.filter(has_text="ST-1")).to_contain_text("À valider")

    # Refuse ST-1 without a motif: a French error, nothing changes.
    page.get_by_role("link", name="ST-1", exact=True).click()
    expect(page.get_by_test_id("statut-facture")).to_have_text("À valider")
    expect(page.get_by_test_id("delai-validation")).to_contain_text("validée tacitement le")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "factures-a-valider-facture.png"), full_page=True)
    page.get_by_role("link", name="Refuser", exact=True).click()
    page.get_by_role("button", name="Confirmer le refus").click()
    expect(page.get_by_test_id("erreurs-refus")).to_contain_text("Choisissez le motif du refus.")
    page.screenshot(path=str(ARTIFACTS / "factures-a-valider-refus-sans-motif.png"), full_page=True)
    premiere.refresh_from_db()
    assert premiere.statut == StatutFacture.A_VALIDER_1

    # Validate ST-2 after the confirmation step.
    page.get_by_role("link", name="Factures à valider").first.click()
    page.get_by_role("link", name="ST-2", exact=True).click()
    page.get_by_role("link", name="Valider", exact=True).click()
    page.get_by_role("button", name="Confirmer la validation").click()
    expect(page.get_by_text("La facture ST-2 est validée : elle est transmise à son destinataire.")).to_be_visible()
    expect(page.get_by_test_id("facture-a-valider")).to_have_count(1)  # only ST-1 is still « À valider »
    page.get_by_label("Statut").select_option(label="Validée")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_test_id("facture-a-valider")).to_contain_text("Mise à disposition du destinataire")
    page.screenshot(path=str(ARTIFACTS / "factures-a-valider-validee.png"), full_page=True)
    seconde.refresh_from_db()
    assert seconde.statut == StatutFacture.MISE_A_DISPOSITION

    # The sous-traitant's suivi shows the new status and who validated.
    contexte = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    fournisseur = contexte.new_page()
    fournisseur.base_url = page.base_url
    try:
        se_connecter(fournisseur, gp.email)
        fournisseur.goto(f"{page.base_url}/factures-emises/{seconde.pk}/")
        expect(fournisseur.get_by_test_id("statut-facture")).to_have_text("Mise à disposition du destinataire")
        expect(fournisseur.get_by_test_id("historique").filter(has_text="Validée")).to_contain_text("Tom Titulaire")
    finally:
        contexte.close()
