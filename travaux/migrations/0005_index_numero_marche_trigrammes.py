"""« Rechercher » by numéro de marché (issue 15, goal 2) served by an index.

``numero_marche__icontains`` on the piece (the list reads the piece alone, ``travaux.recherche``) is
``UPPER(numero_marche::text) LIKE UPPER('%…%')``: no index served it, so for a large actor the planner scanned every
piece of the table in parallel and checked the perimeter afterwards (267 k pieces at 10 M invoices: 140–540 ms,
BENCHMARKS.md, « Factures de travaux at 10 M invoices »). A trigram index on the same expression gives the pieces
whose marché number contains the term; the perimeter (five actor columns, ``PieceQuerySet.visibles_par``) then
filters those few rows.

Unlike the invoice number (facturation 0017), no structure column comes first: the perimeter is an OR over five
actor columns, which a ``(structure, numero)`` index cannot serve in one scan, and a marché number is shared by a
contract's few dossiers, not by thousands of a structure's invoices, so the term's matches are few across the whole
table. ``pg_trgm`` exists since facturation 0003. Built CONCURRENTLY (no write lock on a live table), hence
``atomic = False``.
"""

from django.db import migrations

NOM = "piece_numero_marche_trgm_idx"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("facturation", "0003_index_volume"),  # pg_trgm
        ("travaux", "0004_perimetre_sur_la_piece"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NOM} ON travaux_piecetravaux "
            "USING gin (UPPER(numero_marche) gin_trgm_ops)",
            f"DROP INDEX CONCURRENTLY IF EXISTS {NOM}",
        ),
    ]
