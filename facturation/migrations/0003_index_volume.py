"""Indexes that match the ORDER BY of the supplier's pages at volume (see BENCHMARKS.md, bench/mesurer.py).

With the supplier's structures resolved to constants (``facturation.queries.factures_emises``), each page becomes
an ordered index scan that stops at its LIMIT instead of reading and sorting every invoice of the supplier:

* Rechercher (``ORDER BY id DESC``, keyset ``id < apres``): ``(fournisseur_id, id DESC)`` without a status filter,
  ``(fournisseur_id, statut, id DESC)`` with one; the latter also gives the Tableau de bord an index-only count;
* Synthèse (``ORDER BY updated_at DESC, id DESC``): a partial index holding only the invoices awaiting the
  supplier's action (~6 % of the table), with the exact predicate of ``views.synthese``;
* Rechercher by number (``numero__icontains``, i.e. ``UPPER(numero) LIKE UPPER('%…%')``): a trigram GIN index on
  ``UPPER(numero)`` (``pg_trgm``, a trusted extension: the database owner may create it), so that a number typed
  by a big supplier's user no longer walks all of that supplier's invoices.

Built CONCURRENTLY (no write lock on a live table), hence ``atomic = False``. Plain SQL with no state operations:
the model's ``Meta.indexes`` are left to the model's owner (moving them there is a no-op for the database).
"""

from django.db import migrations

INDEXES = {
    "facture_fournisseur_id_idx": "(fournisseur_id, id DESC)",
    "facture_fournisseur_statut_id_idx": "(fournisseur_id, statut, id DESC)",
    "facture_numero_trgm_idx": "USING gin (UPPER(numero) gin_trgm_ops)",
    "facture_synthese_idx": (
        "(fournisseur_id, updated_at DESC, id DESC) WHERE "
        "(statut IN ('BROUILLON', 'A_RECYCLER', 'SUSPENDUE') OR (statut = 'REJETEE' AND NOT rejet_traite))"
    ),
}


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("facturation", "0002_analyse_depot"),
    ]

    operations = [
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
        *(
            migrations.RunSQL(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON facturation_facture {definition}",
                f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
            )
            for name, definition in INDEXES.items()
        ),
    ]
