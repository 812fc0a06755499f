"""The number search for a term of one to three characters, bounded by the structure (issue 15, goal 2).

A term of one or two characters has no trigram: the indexes of migration 0017 give the structure's key alone. And
for any short term the planner reckons that many numbers contain it (``like_selectivity``, with no statistics on
``UPPER(numero)``, whose indexes are partial: a fifth for two characters, 4 % for three), expects to find the
page's 51 rows early, and walks the list's order rather than read the trigram index — for the supplier's
« Rechercher » the primary key, every structure's invoices in ``id`` order, which it prefers
to the supplier's own ``(fournisseur_id, id DESC)`` index (migration 0003) whenever the supplier is big, since the
primary key follows the table's order. A term that matches none of the structure's numbers (« A9 ») then read the
whole table, and so did « A9Q » (three characters): 44,938 buffers at 1 M invoices, for the largest supplier and the
largest recipient alike (BENCHMARKS « The number search », short terms).

Here, each invoice's number (upper case) gets the set of its substrings of one to three characters,
``facture_sous_chaines_courtes`` — « FA-1 » gives {F, A, -, 1, FA, A-, -1, FA-, A-1}. A term of one to three
characters is in the number exactly when it is in that set, so ``facturation.queries.filtrer`` adds ``… @> ARRAY[term]`` to the
``LIKE`` of such a term: the same invoices, and a GIN index to read them by:

* ``(fournisseur_id, facture_sous_chaines_courtes(UPPER(numero)))``, and the same on ``destinataire_id``
  (``btree_gin``), partial (``> 0``) for the reason of migration 0017: each is read from its structure's key, never
  for the substrings alone over every structure's invoices;
* statistics on the expression (``CREATE STATISTICS``; those of a partial index are not used by the planner): its
  most common elements tell « 9 » (in most numbers: walk the list's order, stop at 51 rows) from « A9 » (in none:
  read the index, find nothing). The trigrams of migration 0017 have no such statistics (``gin_trgm_ops`` keys
  are hashes), which is why three characters are here too.

The function is ``IMMUTABLE``, as an index expression must be, and calls built-in functions only (``pg_catalog``
comes first whatever the ``search_path``). It is PL/pgSQL rather than SQL: the planner evaluates it as a filter on
the rows it walks for a common term (« 9 »), and a loop costs 32 µs a number where an SQL body built on
``generate_series`` cost 128 µs (load 8). A number may give the same substring twice: GIN keeps each key once. The indexes are built CONCURRENTLY (no write lock on a live table), hence ``atomic = False``;
the statistics are filled by one ``ANALYZE`` (a sample of 30,000 rows, whatever the table's size).
"""

from django.db import migrations

FONCTION = """
CREATE OR REPLACE FUNCTION facture_sous_chaines_courtes(numero text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    sous_chaines text[] := '{}';
    n integer := length(numero);
BEGIN
    FOR debut IN 1..n LOOP
        FOR longueur IN 1..least(3, n - debut + 1) LOOP
            sous_chaines := sous_chaines || substr(numero, debut, longueur);
        END LOOP;
    END LOOP;
    RETURN sous_chaines;
END
$$
"""

INDEXES = {
    "facture_fournisseur_court_idx": (
        "USING gin (fournisseur_id, facture_sous_chaines_courtes(UPPER(numero))) WHERE fournisseur_id > 0"
    ),
    "facture_destinataire_court_idx": (
        "USING gin (destinataire_id, facture_sous_chaines_courtes(UPPER(numero))) WHERE destinataire_id > 0"
    ),
}

STATISTIQUES = "facture_numero_court_stats"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("facturation", "0020_merge_numero"),
    ]

    operations = [
        migrations.RunSQL(FONCTION, "DROP FUNCTION IF EXISTS facture_sous_chaines_courtes(text)"),
        *(
            migrations.RunSQL(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON facturation_facture {definition}",
                f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
            )
            for name, definition in INDEXES.items()
        ),
        migrations.RunSQL(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTIQUES} "
            "ON (facture_sous_chaines_courtes(UPPER(numero))) FROM facturation_facture",
            f"DROP STATISTICS IF EXISTS {STATISTIQUES}",
        ),
        migrations.RunSQL("ANALYZE facturation_facture", migrations.RunSQL.noop),
    ]
