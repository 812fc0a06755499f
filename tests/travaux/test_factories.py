"""``dossier(dates=…)``: each step of a dossier at its own instant (deposits, prises en compte, then ``puis``), so
that the history rows carry those instants; a list of dates that does not count the steps is refused before any
deposit."""

from datetime import UTC, datetime

import pytest

from facturation.enums import Cadre
from tests.travaux.factories import dossier
from travaux.models import PieceTravaux
from travaux.statuts import StatutPiece

pytestmark = pytest.mark.django_db
S = StatutPiece
LUNDI, MARDI, MERCREDI, JEUDI = (datetime(2026, 3, jour, 9, tzinfo=UTC) for jour in (2, 3, 4, 5))


def _historique(piece) -> list[tuple[str, datetime]]:
    return list(piece.historique.order_by("created_at", "id").values_list("statut", "created_at"))


def test_chaque_etape_a_son_instant(acteurs):
    a4, a15 = dossier(
        acteurs,
        etape=Cadre.A15,
        pris_en_compte=[Cadre.A4],
        puis="suspendre",
        numeros=["PDM-1", "EA-1"],
        dates=[LUNDI, MARDI, MERCREDI, JEUDI],
    )
    assert (a4.numero, a15.numero) == ("PDM-1", "EA-1")
    assert _historique(a4) == [
        (S.BROUILLON, LUNDI),
        (S.DEPOSEE, LUNDI),
        (S.MISE_A_DISPOSITION_MOE, LUNDI),
        (S.PRISE_EN_COMPTE_MOE, MARDI),
        (S.ASSOCIEE, MERCREDI),
    ]
    assert _historique(a15) == [
        (S.BROUILLON, MERCREDI),
        (S.DEPOSEE, MERCREDI),
        (S.MISE_A_DISPOSITION_MOA, MERCREDI),
        (S.SUSPENDUE, JEUDI),
    ]


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        pytest.param({"dates": [LUNDI, MARDI]}, "dates: 3 instants expected", id="une-date-de-moins"),
        pytest.param({"numeros": ["PDM-1"]}, "numeros: 2 numbers expected", id="un-numero-de-moins"),
    ],
)
def test_dates_ou_numeros_qui_ne_comptent_pas_les_etapes_refuses(acteurs, champs, message):
    with pytest.raises(ValueError, match=message):
        dossier(acteurs, etape=Cadre.A15, pris_en_compte=[Cadre.A4], **champs)
    assert not PieceTravaux.objects.exists()
