"""Sollicitations in a real browser: a supplier asks the State's service DRFIP_IDF about an invoice (catégorie then
sous-catégorie, the public structure found by its SIRET and its service, an attachment); the service's agent finds
it in « Mes sollicitations à traiter », fails to save without a statut, asks for a complement; the supplier
answers; the agent resolves it; the supplier accepts the answer and closes it."""

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from sollicitations.enums import StatutSollicitation
from sollicitations.models import Sollicitation
from tests.conftest import ARTIFACTS
from tests.e2e.navigateur import se_connecter
from tests.factories import UtilisateurFactory
from tests.sollicitations.conftest import rattacher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = StatutSollicitation


def _capture(page, nom):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"sollicitations-{nom}.png"), full_page=True)


def _nouvelle_session(browser, base_url):
    contexte = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    nouvelle = contexte.new_page()
    nouvelle.set_default_timeout(15000)
    nouvelle.base_url = base_url
    return contexte, nouvelle


def test_question_sur_une_facture_au_service_drfip(page, browser, fournisseur_gp, etat):
    # The referential of the data migration (a transactional test empties the tables between tests).
    importlib.import_module("sollicitations.migrations.0002_categories").charger(apps, None)
    gp, _ = fournisseur_gp
    agent = rattacher(
        UtilisateurFactory(email="agent.drfip@finances.gouv.fr", prenom="Sophie", nom="Durand"),
        etat,
        service=etat.services.get(code="DRFIP_IDF"),
    )

    # --- The supplier deposits the sollicitation ------------------------------------------------------------
    se_connecter(page, gp.email)
    page.get_by_role("link", name="Sollicitations émises").click()
    expect(page.get_by_role("heading", name="Sollicitations émises", level=1)).to_be_visible()
    page.get_by_role("link", name="Saisir une sollicitation").first.click()
    # The script hides the intermediate steps: the sous-catégories follow the catégorie at once.
    expect(page.get_by_role("button", name="Afficher les sous-catégories")).to_be_hidden()
    page.get_by_label("Catégorie *", exact=True).select_option(label="Factures émises")
    page.get_by_label("Sous-catégorie *", exact=True).select_option(label="Paiement d'une facture")
    page.get_by_label("SIRET de la structure publique destinataire").fill("11000201100044")
    expect(page.get_by_test_id("recherche-destinataire")).to_have_text("Structure trouvée : ETAT (11000201100044).")
    page.get_by_label("Service destinataire").select_option(label="DRFIP_IDF – DRFIP Île-de-France")
    page.get_by_label("Objet *", exact=True).fill("Facture F2026-0101 : date de paiement")
    page.get_by_label("Message *", exact=True).fill("Bonjour, quand la facture F2026-0101 sera-t-elle payée ?")
    page.get_by_label("Numéro de la facture concernée").fill("F2026-0101")
    page.get_by_label("Pièces jointes").set_input_files(
        files=[{"name": "facture-F2026-0101.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 facture"}]
    )
    _capture(page, "saisie")
    page.get_by_role("button", name="Déposer la sollicitation").last.click()
    s = Sollicitation.objects.get()
    expect(page.get_by_text(f"Votre sollicitation {s.numero} est déposée.")).to_be_visible()
    expect(page.get_by_test_id("statut-sollicitation")).to_have_text("À traiter")
    expect(page.get_by_test_id("piece-jointe")).to_contain_text("facture-F2026-0101.pdf")

    # --- The agent of DRFIP_IDF: no statut, then « Demande d'information » --------------------------------
    contexte, agent_page = _nouvelle_session(browser, page.base_url)
    try:
        se_connecter(agent_page, agent.email)
        agent_page.get_by_role("link", name="Sollicitations reçues").click()
        expect(agent_page.get_by_role("heading", name="Mes sollicitations à traiter")).to_be_visible()
        ligne = agent_page.get_by_test_id("sollicitation").filter(has_text=s.numero)
        expect(ligne).to_contain_text("Bâtiments Martin SAS")
        expect(ligne).to_contain_text("Paiement d'une facture")
        expect(ligne).to_contain_text("À traiter")
        expect(agent_page.get_by_test_id("total")).to_have_text("Total de 1 sollicitation(s)")
        _capture(agent_page, "a-traiter")
        ligne.get_by_role("link", name=s.numero).click()
        agent_page.get_by_label("Réponse ou commentaire").fill("Pouvez-vous préciser le numéro d'engagement ?")
        agent_page.get_by_role("button", name="Valider").click()
        expect(agent_page.get_by_test_id("erreurs-traitement")).to_contain_text(
            "Le champ « statut » doit obligatoirement être renseigné."
        )
        _capture(agent_page, "statut-obligatoire")
        s.refresh_from_db()
        assert s.statut == S.A_TRAITER
        agent_page.get_by_label("Statut *", exact=True).select_option(value=S.DEMANDE_INFORMATION)
        agent_page.get_by_role("button", name="Valider").click()
        expect(agent_page.get_by_text("Votre demande d'information est transmise au déposant")).to_be_visible()
        expect(agent_page.get_by_test_id("statut-sollicitation")).to_have_text("Demande d'information")

        # --- The supplier answers -------------------------------------------------------------------------
        page.get_by_role("link", name="Sollicitations émises").first.click()
        ligne = page.get_by_test_id("sollicitation").filter(has_text=s.numero)
        expect(ligne).to_contain_text("Demande d'information")
        ligne.get_by_role("link", name=s.numero).click()
        expect(page.get_by_test_id("echange")).to_contain_text("Pouvez-vous préciser le numéro d'engagement ?")
        page.get_by_role("button", name="Envoyer ma réponse").click()
        expect(page.get_by_test_id("erreurs-reponse")).to_contain_text("Votre réponse est obligatoire.")
        page.get_by_label("Votre réponse").fill("Le numéro d'engagement est EJ-0042.")
        _capture(page, "reponse-du-fournisseur")
        page.get_by_role("button", name="Envoyer ma réponse").click()
        expect(page.get_by_test_id("statut-sollicitation")).to_have_text("À traiter")

        # --- The agent resolves it ------------------------------------------------------------------------
        agent_page.reload()
        expect(agent_page.get_by_test_id("echange").last).to_contain_text("Le numéro d'engagement est EJ-0042.")
        agent_page.get_by_label("Statut *", exact=True).select_option(value=S.RESOLUE)
        agent_page.get_by_label("Réponse ou commentaire").fill("La facture sera payée le 12 juin.")
        agent_page.get_by_role("button", name="Valider").click()
        expect(agent_page.get_by_test_id("statut-sollicitation")).to_have_text("Résolue")
    finally:
        contexte.close()

    # --- The supplier accepts the answer and closes it ----------------------------------------------------
    page.reload()
    expect(page.get_by_test_id("statut-sollicitation")).to_have_text("Résolue")
    expect(page.get_by_test_id("echange").last).to_contain_text("La facture sera payée le 12 juin.")
    page.get_by_role("button", name="Clôturer la sollicitation").click()
    expect(page.get_by_text(f"La sollicitation {s.numero} est clôturée.")).to_be_visible()
    expect(page.get_by_test_id("statut-sollicitation")).to_have_text("Clôturée")
    expect(page.get_by_test_id("historique").first).to_contain_text("Résolue → Clôturée")
    _capture(page, "cloturee")
    s.refresh_from_db()
    assert s.statut == S.CLOTUREE and s.date_cloture is not None
    assert [h.statut for h in s.historique.order_by("created_at", "id")] == [
        S.A_TRAITER,
        S.DEMANDE_INFORMATION,
        S.A_TRAITER,
        S.RESOLUE,
        S.CLOTUREE,
    ]
