"""The invoice counters' trigger functions rewritten as the kit writes them (``chorus.compteurs``), on a database
migrated before the kit.

Migration 0017 was first written with its own SQL; it now calls the kit, whose functions return at once on a
statement that wrote no row. A new database gets the kit's functions from 0017; one migrated with 0017's first text
kept the original three functions (the same counting, without that early return). Here the three functions are
replaced in place (``Compteur.sql_fonctions``): the triggers are unchanged, since both texts create them with the
same names, events, transition tables and functions. On a new database this rewrites what 0017 has just installed,
identically. No row is recounted: the old bodies counted the same keys.

The reverse is a no-op: a new database migrated to 0021 holds the kit's functions too, so keeping them is the schema
of 0021; putting back the first text would give a schema no new database has.
"""

from django.db import migrations

from facturation.compteurs import COMPTEUR


class Migration(migrations.Migration):
    dependencies = [
        ("facturation", "0021_numero_court_par_structure"),
    ]

    operations = [
        migrations.RunSQL(COMPTEUR.sql_fonctions(), migrations.RunSQL.noop),
    ]
