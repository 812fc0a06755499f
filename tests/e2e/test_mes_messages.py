"""« Mes messages » in a browser (issue 14 item 3): the header counts the unread messages, the list marks them,
opening one reads it, « Tout marquer comme lu » empties the count, and the preferences stop the e-mail of a type but
not its message. axe runs on every page visited and fails on any serious or critical violation."""

import re

import pytest
from playwright.sync_api import expect

from chorus import messagerie
from chorus.models import Message, OutboxMessage
from tests.e2e.navigateur import se_connecter, verifier_accessibilite
from tests.factories import UtilisateurFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# axe-core 4.10.2 (npm registry, MPL-2.0), vendored beside the browser tests.


def test_lire_ses_messages_et_choisir_ses_courriels(page):
    user = UtilisateurFactory(prenom="Claire", nom="Martin")
    messagerie.notifier(
        [user],
        evenement="FACTURE_STATUT",
        sujet="Chorus Pro - Facture F-1 : Rejetée",
        corps="La facture F-1 est au statut « Rejetée ».\n\nMotif : Erreur de cadre de facturation",
    )
    messagerie.notifier([user], evenement="SOLLICITATION_SUIVI", sujet="Chorus Pro - Sollicitation S-1", corps="c")
    se_connecter(page, user.email)
    badge = page.get_by_test_id("badge-messages")
    expect(badge).to_contain_text("2")
    verifier_accessibilite(page)

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name=re.compile("Mes messages")).click()
    expect(page.get_by_role("heading", name="Mes messages", level=1)).to_be_visible()
    liste = page.get_by_test_id("liste-messages")
    expect(liste.get_by_text("Non lu")).to_have_count(2)
    verifier_accessibilite(page)

    liste.get_by_role("link", name="Facture F-1 : Rejetée").click()
    expect(page.get_by_role("heading", name="Facture F-1 : Rejetée", level=1)).to_be_visible()
    expect(page.get_by_test_id("corps-message")).to_contain_text("Motif : Erreur de cadre de facturation")
    expect(badge).to_contain_text("1")
    verifier_accessibilite(page)

    page.get_by_role("link", name="Retour à mes messages").click()
    expect(liste.get_by_text("Non lu")).to_have_count(1)
    page.get_by_role("button", name="Tout marquer comme lu").click()
    expect(page.get_by_text("1 message marqué comme lu.")).to_be_visible()
    expect(badge).to_contain_text("0")
    expect(liste.get_by_text("Non lu")).to_have_count(0)
    assert not Message.objects.filter(destinataire=user, lu_le__isnull=True).exists()

    page.get_by_role("link", name="Préférences").click()
    expect(page.get_by_role("heading", name="Préférences de mes messages", level=1)).to_be_visible()
    verifier_accessibilite(page)
    case = page.get_by_role("checkbox", name=re.compile("Changement de statut d'une facture émise"))
    expect(case).to_be_checked()
    case.uncheck(force=True)  # the DSFR label covers the input
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Vos préférences ont été enregistrées.")).to_be_visible()
    expect(case).not_to_be_checked()

    OutboxMessage.objects.all().delete()
    messagerie.notifier([user], evenement="FACTURE_STATUT", sujet="Chorus Pro - Facture F-2 : Rejetée", corps="c")
    assert not OutboxMessage.objects.exists()  # no e-mail, by her choice
    page.get_by_role("link", name="Mes messages", exact=True).first.click()
    expect(page.get_by_test_id("liste-messages").get_by_role("link", name="Facture F-2 : Rejetée")).to_be_visible()
    expect(badge).to_contain_text("1")
