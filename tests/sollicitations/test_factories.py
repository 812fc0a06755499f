"""SollicitationFactory deposits through ``sollicitations.services``: numbered, routed by its sous-catégorie, with
its history."""

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
