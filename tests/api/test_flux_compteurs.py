"""A flux lot (split into chunks, each written in bulk) keeps the Tableaux de bord's counters right: the supplier's
and the recipient's dashboards count its invoices as the invoices themselves say, chunk after chunk."""

import pytest
from django.db.models import Count
from django.urls import reverse

from facturation import compteurs, queries
from facturation.api import flux as flux_api
from facturation.api import tasks
from tests.api.test_flux_tranches import _charger, _lot
from tests.factories import utilisateur_de

pytestmark = pytest.mark.django_db


def _par_statut(qs) -> dict[str, int]:
    return dict(qs.values("statut").annotate(n=Count("id")).order_by().values_list("statut", "n"))


def test_un_lot_de_flux_compte_sur_les_deux_tableaux_de_bord(
    client, api, etat, fournisseur_gp, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(flux_api, "TAILLE_TRANCHE", 2)
    gp, _ = fournisseur_gp
    agent = utilisateur_de(etat, email="agent@etat.gouv.fr", profils={"FACTURES_RECUES": "consultation"})
    with django_capture_on_commit_callbacks(execute=False):
        flux = _lot(api, etat, ["LOT-001", "LOT-002", "LOT-003", "LOT-004", "LOT-005"])
    planifiees = []
    flux_api.traiter(_charger(flux), planifier=lambda *tache: planifiees.append(tache))
    assert len(planifiees) == 3
    for tache in planifiees:
        tasks.traiter_tranche_flux(*tache)
        assert queries.comptes_emises(gp) == _par_statut(queries.factures_emises(gp))
        assert queries.comptes_recues(agent) == _par_statut(queries.factures_recues(agent))
        assert compteurs.ecarts() == []
    assert queries.comptes_recues(agent) == {"MISE_A_DISPOSITION": 5}
    assert queries.comptes_emises(gp)["MISE_A_DISPOSITION"] == 5
    client.force_login(agent)
    assert client.get(reverse("tableau_de_bord_factures_recues")).context["total"] == 5
