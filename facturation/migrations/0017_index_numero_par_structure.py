"""The number search (« Rechercher » by ``numero``) bounded by the structure's own invoices (issue 15, goal 2).

``numero__icontains`` is ``UPPER(numero) LIKE UPPER('%…%')`` inside the scope ``fournisseur_id IN (…)`` (Factures
émises, the API's ``rechercher/fournisseur``) or ``destinataire_id IN (…)`` (Factures reçues, its « À traiter »
filter, ``rechercher/recipiendaire``). The trigram index of migration 0003 holds every structure's invoices: a
number's trigrams (« FA2 », « 202 », « 024 »…) match millions of rows, and the planner, which underestimates that
index's cost, read it for every search (often with a BitmapAnd on the supplier's btree), so the search grew with the
whole table (BENCHMARKS.md, « 10 million invoices »). It is dropped here; in its place, one index per side whose
first column is the structure (``btree_gin``), so that the scan starts from the structure's key:

* the structure must be a ``bigint`` constant for ``btree_gin`` to use it: ``organisation.queries.condition_perimetre``
  writes the perimeter so;
* a GIN index on several columns may be read for its second column alone: then it is the old index again. The
  predicate (``fournisseur_id > 0``, ``destinataire_id > 0``: every row that has one, identifiers start at 1) is
  implied only by a condition on that column's value (the perimeter's ``= 32518``), so a recipient's search never
  reads the suppliers' index for the number alone, nor the reverse. ``IS NOT NULL`` would not do: the recipient's
  page joins the supplier's structure (``fournisseur_id = structure.id``), which implies it (seen at 3 M invoices);
* for a small structure the planner may prefer walking its btree index and filtering: a few rows either way.

A term too short for a trigram (one or two characters) gives the trigram column no key: PostgreSQL ≥ 13 then scans
the structure's key alone and rechecks, or the planner walks the structure's btree index in the page's order.

``btree_gin`` is a trusted extension, like ``pg_trgm``: the database owner that runs the migrations creates it
without being a superuser. The indexes are built CONCURRENTLY (no write lock on a live table of millions of rows),
hence ``atomic = False``. « Factures à valider » searches by number within the valideur's partial indexes
(migration 0005): nothing else needed the old index.
"""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

INDEXES = {
    "facture_fournisseur_numero_idx": (
        "USING gin (fournisseur_id, UPPER(numero) gin_trgm_ops) WHERE fournisseur_id > 0"
    ),
    "facture_destinataire_numero_idx": (
        "USING gin (destinataire_id, UPPER(numero) gin_trgm_ops) WHERE destinataire_id > 0"
    ),
}
ANCIEN = ("facture_numero_trgm_idx", "USING gin (UPPER(numero) gin_trgm_ops)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("facturation", "0016_merge_flux_tranches"),
    ]

    operations = [
        BtreeGinExtension(),
        *(
            migrations.RunSQL(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON facturation_facture {definition}",
                f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
            )
            for name, definition in INDEXES.items()
        ),
        migrations.RunSQL(
            f"DROP INDEX CONCURRENTLY IF EXISTS {ANCIEN[0]}",
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {ANCIEN[0]} ON facturation_facture {ANCIEN[1]}",
        ),
    ]
