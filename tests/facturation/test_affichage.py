"""Amounts and dates as the pages print them: one format everywhere (``chorus_format``'s ``montant`` and ``jour``),
« 385,02 € » with a no-break space before the symbol, never a raw ``385.02`` or ``385,02 EUR``."""

import html
import re

import pytest
from django.urls import reverse

from facturation.models import Facture
from tests.fixtures_facturation import donnees_saisie

pytestmark = pytest.mark.django_db

TTC = "385,02\u00a0€"


def _texte(response):
    return html.unescape(response.content.decode())


def test_montants_et_dates_d_une_facture_dans_ses_pages(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    donnees = {**donnees_saisie(structure, etat)}
    calcul = _texte(client.post(reverse("saisir_facture"), {**donnees, "action": "calculer"}))
    assert re.search(rf'data-testid="total-ttc">{TTC}<', calcul)
    client.post(reverse("saisir_facture"), {**donnees, "action": "enregistrer"})
    facture = Facture.objects.get()
    # The list row: the date of the invoice and its amount, formatted by the template.
    synthese = _texte(client.get(reverse("factures_emises")))
    assert f"<td>{facture.date_facture:%d/%m/%Y}</td>" in synthese
    assert f'<td class="chorus-montant">{TTC}</td>' in synthese
    # The amounts table of the confirmation step.
    confirmation = _texte(client.get(reverse("confirmer_envoi", args=[facture.pk])))
    assert re.search(rf'data-testid="net-a-payer">{TTC}<', confirmation)
    assert "EUR" not in confirmation and "385.02" not in confirmation
