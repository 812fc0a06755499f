"""« Factures de travaux » › « Rechercher » by numéro de marché (issue 15, goal 2): any part of the number — its
start, its middle, its end, in any case — finds the actor's pieces and never another actor's; and the page's query
reads the trigram index of migration 0005, not every piece of the table."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from facturation.enums import Cadre
from tests.travaux.factories import acteur, deposer_initial
from travaux.models import PieceTravaux

pytestmark = pytest.mark.django_db

INDEX = "piece_numero_marche_trgm_idx"
MARCHES = {"A4-UN": "MT2026-0107-LOT1", "A4-DEUX": "MT2026-0342-LOT2", "A4-TROIS": "mt2025-9999"}
# The other supplier's pieces, to another MOE and MOA: each marché number above with a suffix, so that every term
# below matches them too; they must never appear to the first actors, nor theirs to the first supplier.
SUFFIXE_AUTRE = "-X"


def _deposer(fournisseur, moe, moa, numero: str, marche: str) -> PieceTravaux:
    piece = deposer_initial(fournisseur, cadre=Cadre.A4, moe=moe[1], moa=moa[1], numero=numero)
    PieceTravaux.objects.filter(pk=piece.pk).update(numero_marche=marche)
    return piece


@pytest.fixture
def jeu():
    f, moe, moa = acteur("CEGELEC PERPIGNAN"), acteur("MB INGENIERIE"), acteur("ACADEMIE DE MONTPELLIER", publique=True)
    autre_f, autre_moe, autre_moa = acteur("AUTRE BTP"), acteur("AUTRE MOE"), acteur("COMMUNE DE VIF", publique=True)
    for numero, marche in MARCHES.items():
        _deposer(f, moe, moa, numero, marche)
        _deposer(autre_f, autre_moe, autre_moa, numero + SUFFIXE_AUTRE, marche + SUFFIXE_AUTRE)
    return {
        "f": f,
        "moe": moe,
        "moa": moa,
        "autre_f": autre_f,
        "autre_moa": autre_moa,
        "etranger": acteur("ENTREPRISE ETRANGERE"),
    }


def _numeros(client, terme: str) -> set[str]:
    response = client.get(reverse("travaux_rechercher"), {"numero_marche": terme})
    assert response.status_code == 200
    return {p["numero"] for p in response.context["pieces"]}


TERMES = [
    pytest.param("MT2026", {"A4-UN", "A4-DEUX"}, id="debut"),
    pytest.param("2026-0", {"A4-UN", "A4-DEUX"}, id="milieu"),
    pytest.param("LOT2", {"A4-DEUX"}, id="fin"),
    pytest.param("MT2025-9999", {"A4-TROIS"}, id="numero-entier-casse-differente"),
    pytest.param("mt2026-0107-lot1", {"A4-UN"}, id="minuscules"),
    pytest.param("9", {"A4-TROIS"}, id="un-caractere"),
    pytest.param("MT2026-0108", set(), id="aucun"),
]


@pytest.mark.parametrize("qui", ["f", "moe", "moa"])
@pytest.mark.parametrize(("terme", "attendus"), TERMES)
def test_une_partie_du_numero_de_marche_trouve_les_pieces_de_l_acteur(client, jeu, qui, terme, attendus):
    client.force_login(jeu[qui][0])
    assert _numeros(client, terme) == attendus


@pytest.mark.parametrize("qui", ["autre_f", "autre_moa"])
def test_jamais_les_pieces_d_un_autre_acteur(client, jeu, qui):
    """The other dossiers' actors find their own pieces only, whatever the term."""
    client.force_login(jeu[qui][0])
    assert _numeros(client, "MT2026") == {"A4-UN" + SUFFIXE_AUTRE, "A4-DEUX" + SUFFIXE_AUTRE}
    assert _numeros(client, "lot1") == {"A4-UN" + SUFFIXE_AUTRE}


def test_un_acteur_hors_des_dossiers_ne_trouve_rien(client, jeu):
    client.force_login(jeu["etranger"][0])
    for terme in ("MT2026", "9999", "X"):
        assert _numeros(client, terme) == set()


def _plan_de_la_recherche(client, terme: str) -> str:
    """The plan of the query the page really runs for ``terme`` (captured, then EXPLAINed)."""
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(reverse("travaux_rechercher"), {"numero_marche": terme}).status_code == 200
    (sql,) = [
        q["sql"] for q in requetes.captured_queries if 'FROM "travaux_piecetravaux"' in q["sql"] and "LIKE" in q["sql"]
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        # A test table is small enough for a sequential scan to win; at volume the planner scanned all 267 k pieces
        # in parallel (BENCHMARKS.md). Without the sequential scan, the plan shows whether the number is served by
        # its index, or — the fault this guards against — by walking the actor's pieces and filtering each.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(ligne for (ligne,) in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def test_la_recherche_lit_l_index_du_numero_de_marche(client, jeu):
    """A large supplier: 2,000 pieces of its own, on other marchés, that the perimeter alone would have to read;
    the page's query reads the trigram index by the term instead, and still finds the one piece."""
    champs = {
        f.attname: getattr(p, f.attname)
        for p in [PieceTravaux.objects.get(numero="A4-UN")]
        for f in PieceTravaux._meta.concrete_fields
        if not f.primary_key
    }
    PieceTravaux.objects.bulk_create(
        PieceTravaux(**{**champs, "numero": f"MASSE-{i:04d}", "numero_marche": f"AUTRE-{i:04d}"}) for i in range(2000)
    )
    with connection.cursor() as cursor:
        # The rows just inserted wait in the GIN index's pending list, which the planner costs as a full read of
        # that list (a live table's autovacuum empties it).
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [INDEX])
        cursor.execute("ANALYZE travaux_piecetravaux")
    client.force_login(jeu["f"][0])
    plan = _plan_de_la_recherche(client, "0107-lot")
    assert INDEX in plan, plan
    assert _numeros(client, "0107-lot") == {"A4-UN"}


def test_l_index_du_numero_de_marche():
    """The index holds the expression the search writes (``UPPER(numero_marche::text)``), with trigrams."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [INDEX])
        (definition,) = cursor.fetchone()
    assert "ON public.travaux_piecetravaux USING gin (upper((numero_marche)::text) gin_trgm_ops)" in definition
