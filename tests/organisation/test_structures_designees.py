"""``organisation.queries.structures_designees``, the « fournisseur » / « destinataire » filters of the lists: part
of the raison sociale in any case, or the start of a SIRET, read through the indexes of migration 0012 rather than
by a scan of every structure."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from organisation import queries
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def structures():
    return {
        "vif": StructureFactory(identifiant="21380545700019", raison_sociale="Commune de Vif"),
        "lyon": StructureFactory(identifiant="21690123100011", raison_sociale="Commune de Lyon"),
        "martin": StructureFactory(identifiant="55208131766522", raison_sociale="Bâtiments Martin SAS"),
    }


@pytest.mark.parametrize(
    ("texte", "attendues"),
    [
        ("commune de", {"vif", "lyon"}),
        ("MARTIN", {"martin"}),
        ("de Vif", {"vif"}),
        ("2138", {"vif"}),
        ("552 081 317", {"martin"}),  # a SIRET typed in groups
        ("0019", set()),  # the end of a SIRET designates nothing
    ],
)
def test_designe_par_raison_sociale_ou_debut_de_siret(structures, texte, attendues):
    assert set(queries.structures_designees(texte)) == {structures[nom].pk for nom in attendues}


def test_lue_par_les_index_et_non_par_un_parcours_des_structures(structures):
    StructureFactory.create_batch(300)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE organisation_structure")
    with CaptureQueriesContext(connection) as requetes:
        queries.structures_designees("2138")
    (sql,) = [q["sql"] for q in requetes.captured_queries]
    # EXPLAINed with the sequential scan forbidden: both sides of the OR must be served by an index, or the planner
    # scans the table whatever the setting says.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(ligne for (ligne,) in cursor.fetchall())
    assert "structure_raison_sociale_trgm_idx" in plan and "structure_identifiant_prefixe_idx" in plan, plan
    assert "Seq Scan" not in plan, plan
