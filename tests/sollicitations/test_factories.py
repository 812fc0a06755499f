"""SollicitationFactory deposits through ``sollicitations.services``: numbered, routed by its sous-catégorie, with
its history."""

from datetime import UTC, datetime

import pytest

from sollicitations.enums import StatutSollicitation
from tests.sollicitations.factories import SollicitationFactory

pytestmark = pytest.mark.django_db


def test_vers_le_service_du_destinataire(etat):
    s = SollicitationFactory(structure_destinataire=etat)
    assert (s.statut, s.au_support) == (StatutSollicitation.A_TRAITER, False)
    assert (s.structure_destinataire, s.service_destinataire.code) == (etat, "DRFIP_IDF")
    assert s.numero and s.structure_emettrice.raison_sociale == "Émetteur SAS"  # made for its new user
    assert list(s.historique.values_list("statut", flat=True)) == [StatutSollicitation.A_TRAITER]


def test_au_support_selon_la_sous_categorie():
    s = SollicitationFactory(categorie_code="RACCORDEMENT", code="API")
    assert s.au_support and s.structure_destinataire is None and s.service_destinataire is None


def test_deposee_puis_traitee_chacune_a_son_instant(etat, agent_drfip):
    depot, reponse = datetime(2026, 3, 15, 10, tzinfo=UTC), datetime(2026, 3, 16, 14, 30, tzinfo=UTC)
    s = SollicitationFactory(
        structure_destinataire=etat,
        deposee_le=depot,
        statut=StatutSollicitation.RESOLUE,
        traitee_par=agent_drfip,
        reponse="Voilà.",
        traitee_le=reponse,
    )
    assert list(s.historique.order_by("created_at", "id").values_list("statut", "created_at")) == [
        (StatutSollicitation.A_TRAITER, depot),
        (StatutSollicitation.RESOLUE, reponse),
    ]
