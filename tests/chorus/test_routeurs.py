"""Without ``DATABASE_REPLICA_URL`` (the normal settings) the replica router changes nothing: no ``replica``
alias, every read of a read-only page on ``default``, no cookie. With a real replica: tests/integration/
test_replique.py."""

import pytest
from django.conf import settings
from django.db import connections, router
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chorus import routeurs
from facturation.models import Facture
from tests.facturation.factories import FactureFactory, ligne
from tests.routage import requete_en_lecture_seule

pytestmark = pytest.mark.django_db


def test_les_pages_de_la_replique_existent():
    """A renamed route would silently leave the replica: every name must still resolve."""
    for nom in settings.CHORUS_PAGES_REPLIQUE:
        assert reverse(nom).startswith("/")


def test_sans_replique_tout_reste_sur_default(client, fournisseur_gp, etat):
    assert routeurs.REPLIQUE not in connections.settings
    assert "chorus.routeurs.RouteurReplique" in settings.DATABASE_ROUTERS
    gp, structure = fournisseur_gp
    FactureFactory(
        fournisseur_gp=(gp, structure), destinataire=etat, numero="D-1", lignes=[ligne(prix_unitaire_ht="100")]
    )
    client.force_login(gp)
    with requete_en_lecture_seule():
        assert router.db_for_read(Facture) == "default"
    with CaptureQueriesContext(connections["default"]) as primaire:
        response = client.get(reverse("rechercher_factures"))
    assert {f["numero"] for f in response.context["factures"]} == {"D-1"}
    assert any('"facturation_facture"' in q["sql"] for q in primaire.captured_queries)
    assert routeurs.COOKIE_ECRITURE not in client.cookies
