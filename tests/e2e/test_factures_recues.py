"""« Factures reçues » in a real browser: an agent of the State opens the application from the Domaines page, finds
the supplier's invoice in « Factures à traiter », fails to reject it without a motif, suspends it with one; the
supplier completes it (service call, as in test_factures_cycle); the agent finds it « Complétée », takes it into
account and declares the service fait. The supplier's suivi shows the suspension's motif."""

import pytest
from playwright.sync_api import expect

from facturation import services
from facturation.enums import StatutFacture
from tests import historique
from tests.conftest import ARTIFACTS
from tests.e2e.navigateur import se_connecter
from tests.factories import utilisateur_de
from tests.facturation.factories import FactureFactory, ligne

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = StatutFacture


@pytest.fixture
def agent_destinataire(etat):
    return utilisateur_de(etat, prenom="Alice", nom="Comptable", profils={"FACTURES_RECUES": "modification"})


def _envoyer(fournisseur_gp, etat, numero):
    return FactureFactory(
        fournisseur_gp=fournisseur_gp,
        destinataire=etat,
        numero=numero,
        recue=True,
        numero_engagement="EJ-2026-77",
        lignes=[ligne("Lot 2 – plomberie", quantite=2, prix_unitaire_ht="250")],
    )


def _traiter(page, action, *, motif=None, complement=""):
    page.get_by_test_id("actions-destinataire").get_by_role("link", name=action, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Traiter la facture")
    if motif:
        page.get_by_label("Motif").select_option(label=motif)
    if complement:
        page.get_by_label("Compléments d'information").fill(complement)
    page.get_by_role("button", name="Enregistrer").click()


def test_l_agent_suspend_puis_traite_la_facture_completee(page, browser, fournisseur_gp, etat, agent_destinataire):
    gp, _ = fournisseur_gp
    facture = _envoyer(fournisseur_gp, etat, "FR-2026-1")
    ARTIFACTS.mkdir(exist_ok=True)

    se_connecter(page, agent_destinataire.email)
    page.get_by_role("link", name="Factures reçues").click()
    expect(page.get_by_role("heading", name="Factures reçues", level=1)).to_be_visible()
    ligne = page.get_by_test_id("facture-recue").filter(has_text="FR-2026-1")
    expect(ligne).to_contain_text("Bâtiments Martin SAS")
    expect(ligne).to_contain_text("Mise à disposition du destinataire")
    expect(ligne).to_contain_text("600,00")
    page.screenshot(path=str(ARTIFACTS / "factures-recues-a-traiter.png"), full_page=True)

    # The invoice, then « Rejeter » without a motif: a French error, nothing changes.
    page.get_by_role("link", name="FR-2026-1", exact=True).click()
    expect(page.get_by_test_id("statut-facture")).to_have_text("Mise à disposition du destinataire")
    expect(page.get_by_test_id("references")).to_contain_text("EJ-2026-77")
    page.screenshot(path=str(ARTIFACTS / "factures-recues-facture.png"), full_page=True)
    _traiter(page, "Rejeter")
    expect(page.get_by_test_id("erreurs-traitement")).to_contain_text(
        "Choisissez le motif dans la liste : il est obligatoire pour cette action."
    )
    page.screenshot(path=str(ARTIFACTS / "factures-recues-rejet-sans-motif.png"), full_page=True)
    facture.refresh_from_db()
    assert facture.statut == S.MISE_A_DISPOSITION

    # « Suspendre » with a motif of the coded list.
    page.get_by_role("link", name="Annuler").click()
    _traiter(
        page,
        "Suspendre",
        motif="Justificatif absent ou insuffisant",
        complement="Joindre le procès-verbal de réception.",
    )
    expect(
        page.get_by_text("La facture FR-2026-1 est au statut « Suspendue ». Le fournisseur en est informé.")
    ).to_be_visible()
    expect(page.get_by_test_id("statut-facture")).to_have_text("Suspendue")
    expect(page.get_by_test_id("historique").first).to_contain_text("Justificatif absent ou insuffisant")
    expect(page.get_by_test_id("actions-destinataire")).to_have_count(0)  # nothing to do until the supplier answers
    page.screenshot(path=str(ARTIFACTS / "factures-recues-suspendue.png"), full_page=True)

    # The supplier completes it (service layer); their suivi shows the suspension's motif and comment.
    facture.refresh_from_db()
    services.completer(acting_user=gp, facture=facture, commentaire="Le procès-verbal est joint.")
    contexte = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    fournisseur = contexte.new_page()
    fournisseur.base_url = page.base_url
    try:
        se_connecter(fournisseur, gp.email)
        fournisseur.goto(f"{page.base_url}/factures-emises/{facture.pk}/")
        suspension = fournisseur.get_by_test_id("historique").filter(has_text="Suspendue")
        expect(suspension).to_contain_text("Justificatif absent ou insuffisant")
        expect(suspension).to_contain_text("Joindre le procès-verbal de réception.")
    finally:
        contexte.close()

    # Back in « Factures à traiter » as « Complétée »: taken into account, then « Service fait ».
    page.get_by_role("link", name="Retour aux factures reçues").click()
    expect(page.get_by_test_id("facture-recue").filter(has_text="FR-2026-1")).to_contain_text("Complétée")
    page.screenshot(path=str(ARTIFACTS / "factures-recues-completee.png"), full_page=True)
    page.get_by_role("link", name="FR-2026-1", exact=True).click()
    expect(page.get_by_test_id("historique").first).to_contain_text("Le procès-verbal est joint.")
    _traiter(page, "Prendre en compte")
    expect(page.get_by_test_id("statut-facture")).to_have_text("Prise en compte destinataire")
    _traiter(page, "Service fait", complement="Travaux réceptionnés le 12/11.")
    expect(page.get_by_text("La facture FR-2026-1 est au statut « Service fait ».")).to_be_visible()
    expect(page.get_by_test_id("statut-facture")).to_have_text("Service fait")
    expect(page.get_by_test_id("historique")).to_have_count(6)
    expect(page.get_by_test_id("historique").first).to_contain_text("Alice Comptable")
    page.screenshot(path=str(ARTIFACTS / "factures-recues-service-fait.png"), full_page=True)
    facture.refresh_from_db()
    assert facture.statut == S.SERVICE_FAIT
    assert historique.statuts(facture) == [
        "DEPOSEE",
        "MISE_A_DISPOSITION",
        "SUSPENDUE",
        "COMPLETEE",
        "PRISE_EN_COMPTE_DESTINATAIRE",
        "SERVICE_FAIT",
    ]

    # Out of « Factures à traiter » now; found by Rechercher.
    page.get_by_role("link", name="Retour aux factures reçues").click()
    expect(page.get_by_test_id("facture-recue")).to_have_count(0)
    page.get_by_role("link", name="Rechercher").click()
    page.get_by_label("Statut").select_option(label="Service fait")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_test_id("facture-recue")).to_contain_text("FR-2026-1")
