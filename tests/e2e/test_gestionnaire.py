"""The gestionnaire's day in a real browser: three rattachement requests, two approved at once from the
Approbations page (a refusal without motif is refused first), then what happened, read in « Historique des actions
du gestionnaire » from the Domaines page."""

import pytest
from playwright.sync_api import expect

from organisation import services
from organisation.enums import StatutRattachement
from organisation.models import Rattachement
from tests.conftest import ARTIFACTS
from tests.e2e.navigateur import se_connecter
from tests.factories import UtilisateurFactory, structure_privee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_approbations_en_masse_puis_historique(page):
    gp = UtilisateurFactory(email="gp@acme.fr", prenom="Gaëlle", nom="Perrin")
    structure = structure_privee(gp, "ACME SAS")
    demandeurs = [UtilisateurFactory(prenom=p, nom="Martin") for p in ("Alice", "Bruno", "Chloé")]
    for user in demandeurs:
        services.demander_rattachement(utilisateur=user, structure=structure, commentaire="Service comptable")

    se_connecter(page, gp.email)
    expect(page.get_by_test_id("badge-approbations")).to_have_text("3")
    page.get_by_role("link", name="Approbations").first.click()
    page.get_by_label("Sélectionner la demande de Alice Martin").check(force=True)
    page.get_by_label("Sélectionner la demande de Bruno Martin").check(force=True)
    page.get_by_role("button", name="Refuser la sélection").click()
    expect(page.get_by_test_id("erreur-approbations")).to_contain_text(
        "Le motif est obligatoire pour refuser des demandes."
    )
    # The selection is kept with the error message.
    expect(page.get_by_label("Sélectionner la demande de Alice Martin")).to_be_checked()
    expect(page.get_by_label("Sélectionner la demande de Chloé Martin")).not_to_be_checked()
    page.get_by_role("button", name="Approuver la sélection").click()
    expect(page.get_by_text("2 demandes approuvées.")).to_be_visible()
    expect(page.get_by_test_id("badge-approbations")).to_have_text("1")
    statuts = dict(Rattachement.objects.filter(utilisateur__in=demandeurs).values_list("utilisateur__prenom", "statut"))
    assert statuts == {
        "Alice": StatutRattachement.ACTIF,
        "Bruno": StatutRattachement.ACTIF,
        "Chloé": StatutRattachement.EN_ATTENTE,
    }

    page.get_by_role("link", name="Domaines").first.click()
    page.get_by_role("link", name="Historique des actions du gestionnaire").click()
    actions = page.get_by_test_id("action-gestionnaire")
    expect(actions.filter(has_text="Rattachement de Alice Martin").filter(has_text="Actif")).to_have_count(1)
    expect(
        actions.filter(has_text="Demande de rattachement de Bruno Martin").filter(has_text="Approuvé")
    ).to_have_count(1)
    expect(actions.filter(has_text="Gaëlle Perrin").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "historique-gestionnaire.png"), full_page=True)
