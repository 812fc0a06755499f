"""The « fournisseur » / « destinataire » filters of the invoice lists (``queries.structures_designees``: part of the
raison sociale, or the start of a SIRET) read every structure: a sequential scan of ``organisation_structure``
(1,299 pages for 55,000 structures, 85 ms under load at 1 M invoices, more when the table has left the cache: likely
the one outlier of BENCHMARKS.md's 10 M run). A trigram index on ``UPPER(raison_sociale)`` (``raison_sociale__icontains``)
and a pattern btree on ``identifiant`` (``identifiant__startswith``: ``LIKE 'x%'`` uses a btree only with the pattern
operators, whatever the database's collation) turn the OR into a BitmapOr of two small index reads.

``pg_trgm`` is created by facturation's migration 0003, which owns it; it is only ensured here (``IF NOT EXISTS``:
this app does not depend on that one), and never dropped on the way back — facturation's trigram indexes still
need it when this migration is unapplied (``tests/api/test_migration_comptes_flux.py`` goes back past it). Built
CONCURRENTLY, hence ``atomic = False``.
"""

from django.db import migrations

INDEXES = {
    "structure_raison_sociale_trgm_idx": "USING gin (UPPER(raison_sociale) gin_trgm_ops)",
    "structure_identifiant_prefixe_idx": "(identifiant varchar_pattern_ops)",
}


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("organisation", "0011_merge_invitation"),
    ]

    operations = [
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
        *(
            migrations.RunSQL(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON organisation_structure {definition}",
                f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
            )
            for name, definition in INDEXES.items()
        ),
    ]
