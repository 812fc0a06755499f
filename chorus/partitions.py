"""Monthly range partitioning of the big append-only tables (issue 15, « Past one machine »).

A partitioned table is ``PARTITION BY RANGE`` on a timestamp column, with one partition a month named
``<table>_pAAAA_MM`` (months in UTC, so a bound never depends on the session's time zone), contiguous, between two
catch-all partitions: ``<table>_passe`` (``MINVALUE`` to the first month) and ``<table>_futur`` (the end of the last
month to ``MAXVALUE``). Every value has a partition, so an insert never fails for want of one. Not a DEFAULT
partition: with one, PostgreSQL can no longer read the partitions in order (``ORDER BY date DESC LIMIT 1`` becomes
a Merge Append probing every month, measured 80× slower on a 50-invoice list page: BENCHMARKS.md).

* :func:`partitionner` (from a migration) turns an existing table into such a table, rows, sequence, indexes,
  foreign keys, triggers and grants kept, and back.
* The SQL function ``chorus_creer_partitions_mensuelles(table, debut, fin)`` (installed by :data:`FONCTION_SQL`)
  creates the missing months between two dates. It is ``SECURITY DEFINER``: the application role, which owns
  nothing (``chorus.roles``), may call it — from the beat task :func:`creer_partitions_a_venir` — without being
  able to alter the tables itself. A new month's range belongs to a catch-all partition, which PostgreSQL will not
  split: the catch-all is detached, the months created, a new catch-all attached, and its rows inserted again
  through the table (each lands in its partition), unchanged (same id, same content, same hash); one transaction.

PostgreSQL requires the partition key in every unique constraint: the primary key becomes ``(id, <key>)`` in the
database while the Django model keeps ``id`` as its primary key (``id`` stays unique: it comes from one sequence).
"""

import datetime

from django.db import connection
from django.utils import timezone
from psycopg import sql

FONCTION = "chorus_creer_partitions_mensuelles"
MOIS_A_L_AVANCE = 3

# Plain text, not an f-string: the function's name and the partitions' suffixes are written out.
FONCTION_SQL = """
CREATE OR REPLACE FUNCTION chorus_creer_partitions_mensuelles(parent regclass, debut date, fin date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    schema_parent text;
    nom text;
    colonne text;
    type_cle regtype;
    premier date;
    dernier date;
    nouveau_premier date;
    nouveau_dernier date;
    mois date;
    creees integer := 0;
    a_repartir text[] := '{}';
    bord text;
    colonnes text;
BEGIN
    SELECT n.nspname, c.relname, a.attname, a.atttypid::regtype
      INTO schema_parent, nom, colonne, type_cle
      FROM pg_partitioned_table p
      JOIN pg_class c ON c.oid = p.partrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
     WHERE p.partrelid = parent AND p.partstrat = 'r' AND p.partnatts = 1;
    IF nom IS NULL THEN
        RAISE EXCEPTION 'La table % n''est pas partitionnée par intervalle sur une colonne.', parent;
    END IF;
    IF fin < debut THEN
        RAISE EXCEPTION 'Période invalide : % est avant %.', fin, debut;
    END IF;
    SELECT min(m), max(m) INTO premier, dernier FROM (
        SELECT to_date(right(c.relname, 7), 'YYYY_MM') AS m
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = parent AND c.relname = nom || '_p' || right(c.relname, 7)
           AND right(c.relname, 7) ~ '^[0-9]{4}_[0-9]{2}$'
    ) AS existants;
    nouveau_premier := least(premier, date_trunc('month', debut)::date);
    nouveau_dernier := greatest(dernier, date_trunc('month', fin)::date);
    IF premier = nouveau_premier AND dernier = nouveau_dernier THEN
        RETURN 0;  -- the months are contiguous: the span covered means every month exists
    END IF;
    -- The catch-all partitions below the first month and above the last one are rebuilt around the new span;
    -- the rows they held for the new months go to those months. Deferred foreign-key checks of rows inserted
    -- earlier in this transaction would forbid dropping them: they are run now (at commit they would give the
    -- same outcome).
    SET CONSTRAINTS ALL IMMEDIATE;
    FOREACH bord IN ARRAY ARRAY['_passe', '_futur'] LOOP
        IF to_regclass(format('%I.%I', schema_parent, nom || bord)) IS NOT NULL
           AND (premier IS NULL OR (bord = '_passe' AND nouveau_premier < premier)
                OR (bord = '_futur' AND nouveau_dernier > dernier)) THEN
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %I.%I', parent, schema_parent, nom || bord);
            EXECUTE format('ALTER TABLE %I.%I RENAME TO %I', schema_parent, nom || bord, nom || bord || '_a_repartir');
            a_repartir := a_repartir || (nom || bord || '_a_repartir');
        END IF;
    END LOOP;
    mois := nouveau_premier;
    WHILE mois <= nouveau_dernier LOOP
        IF to_regclass(format('%I.%I', schema_parent, nom || '_p' || to_char(mois, 'YYYY_MM'))) IS NULL THEN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%s) TO (%s)',
                schema_parent, nom || '_p' || to_char(mois, 'YYYY_MM'), parent,
                chorus_borne_mensuelle(mois, type_cle),
                chorus_borne_mensuelle((mois + interval '1 month')::date, type_cle));
            creees := creees + 1;
        END IF;
        mois := (mois + interval '1 month')::date;
    END LOOP;
    IF to_regclass(format('%I.%I', schema_parent, nom || '_passe')) IS NULL THEN
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (MINVALUE) TO (%s)',
            schema_parent, nom || '_passe', parent, chorus_borne_mensuelle(nouveau_premier, type_cle));
    END IF;
    IF to_regclass(format('%I.%I', schema_parent, nom || '_futur')) IS NULL THEN
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%s) TO (MAXVALUE)',
            schema_parent, nom || '_futur', parent,
            chorus_borne_mensuelle((nouveau_dernier + interval '1 month')::date, type_cle));
    END IF;
    IF cardinality(a_repartir) > 0 THEN
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO colonnes
          FROM pg_attribute WHERE attrelid = parent AND attnum > 0 AND NOT attisdropped;
        FOREACH bord IN ARRAY a_repartir LOOP
            EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM %I.%I', parent, colonnes, colonnes, schema_parent, bord);
            EXECUTE format('DROP TABLE %I.%I', schema_parent, bord);
        END LOOP;
    END IF;
    RETURN creees;
END;
$$;
REVOKE ALL ON FUNCTION chorus_creer_partitions_mensuelles(regclass, date, date) FROM PUBLIC;
"""

# The lower bound of a month as a partition bound literal: midnight UTC for a timestamp key.
BORNE_SQL = """
CREATE OR REPLACE FUNCTION chorus_borne_mensuelle(mois date, type_cle regtype) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN type_cle = 'date'::regtype THEN quote_literal(mois::text)
                ELSE quote_literal(to_char(mois, 'YYYY-MM-DD') || ' 00:00:00+00') END
$$;
"""

FONCTION_SQL_INVERSE = (
    f"DROP FUNCTION IF EXISTS {FONCTION}(regclass, date, date); "
    "DROP FUNCTION IF EXISTS chorus_borne_mensuelle(date, regtype);"
)


def debut_du_mois(jour: datetime.date) -> datetime.date:
    return jour.replace(day=1)


def mois_suivant(jour: datetime.date, n: int = 1) -> datetime.date:
    mois = jour.month - 1 + n
    return datetime.date(jour.year + mois // 12, mois % 12 + 1, 1)


def tables_partitionnees(cursor) -> list[str]:
    """The range-partitioned tables of the current schema (the ones :func:`partitionner` built)."""
    cursor.execute(
        "SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
        "WHERE c.relnamespace = current_schema()::regnamespace AND p.partstrat = 'r' AND NOT c.relispartition "
        "ORDER BY c.relname"
    )
    return [nom for (nom,) in cursor.fetchall()]


def creer_partitions(table: str, debut: datetime.date, fin: datetime.date, *, cursor=None) -> int:
    """Create ``table``'s missing monthly partitions from ``debut``'s month to ``fin``'s; the number created."""
    if cursor is None:
        with connection.cursor() as curseur:
            return creer_partitions(table, debut, fin, cursor=curseur)
    cursor.execute(f"SELECT {FONCTION}(%s::regclass, %s, %s)", [table, debut, fin])  # noqa: S608  # constant name
    return cursor.fetchone()[0]


def creer_partitions_a_venir(mois: int = MOIS_A_L_AVANCE, aujourd_hui: datetime.date | None = None) -> dict:
    """Every partitioned table gets its partitions for this month and the ``mois`` next ones (idempotent: a
    month that has one is left alone). Run by beat every day, so months are ready long before their first row."""
    jour = aujourd_hui or timezone.now().astimezone(datetime.UTC).date()
    debut = debut_du_mois(jour)
    fin = mois_suivant(debut, mois)
    with connection.cursor() as cursor:
        return {table: creer_partitions(table, debut, fin, cursor=cursor) for table in tables_partitionnees(cursor)}


def _executer(cursor, requete, params=None):
    if isinstance(requete, sql.Composable):
        requete = requete.as_string(cursor.connection)
    cursor.execute(requete, params)


def _plan(cursor, table: str) -> dict:
    """What must be rebuilt around ``table``: its secondary indexes, foreign keys, triggers, grants, primary-key
    columns (without the partition key) and id sequence, read from the catalog as they are now."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisunique FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) ORDER BY 1",
        [table],
    )
    index = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype IN ('f', 'u') ORDER BY 1",
        [table],
    )
    contraintes = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
        "AND tgparentid = 0 ORDER BY tgname",
        [table],
    )
    declencheurs = [d for (d,) in cursor.fetchall()]
    cursor.execute(
        "SELECT grantee, string_agg(privilege_type, ', ') FROM information_schema.role_table_grants "
        "WHERE table_schema = current_schema() AND table_name = %s "
        "AND grantee <> (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass) GROUP BY grantee",
        [table, table],
    )
    droits = cursor.fetchall()
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    cursor.execute("SELECT attidentity FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'id'", [table])
    (identite,) = cursor.fetchone()
    cursor.execute(
        "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    (colonnes,) = cursor.fetchone()
    return {
        "index": index,
        "contraintes": contraintes,
        "declencheurs": declencheurs,
        "droits": droits,
        "sequence": sequence,
        "identite": identite,
        "colonnes": colonnes,
    }


def _reconstruire(cursor, table: str, cle: str | None) -> None:
    """Rebuild ``table`` as a table partitioned by month of ``cle`` (or, ``cle`` None, as a plain table),
    everything around it kept. One transaction (the migration's): on any error nothing has changed."""
    t = sql.Identifier(table)
    ancienne = f"{table}_avant_conversion"
    a = sql.Identifier(ancienne)
    _executer(cursor, sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(t))
    plan = _plan(cursor, table)
    for nom, _, unique in plan["index"]:
        if unique and cle is not None:
            raise RuntimeError(f"Index unique {nom} sur {table} : il devrait contenir la clé de partition {cle}.")
    for nom, definition in plan["contraintes"]:
        if definition.startswith("UNIQUE") and cle is not None:
            raise RuntimeError(f"Contrainte unique {nom} sur {table} : elle devrait contenir {cle}.")
    # A foreign key into the table would need the partition key in the key it references: none is supported.
    cursor.execute("SELECT conname FROM pg_constraint WHERE confrelid = %s::regclass AND contype = 'f'", [table])
    entrantes = [nom for (nom,) in cursor.fetchall()]
    if entrantes:
        raise RuntimeError(f"Clés étrangères vers {table} ({', '.join(entrantes)}) : conversion impossible.")

    _executer(cursor, sql.SQL("ALTER TABLE {} RENAME TO {}").format(t, a))
    _executer(
        cursor,
        sql.SQL("ALTER TABLE {} RENAME CONSTRAINT {} TO {}").format(
            a, sql.Identifier(f"{table}_pkey"), sql.Identifier(f"{ancienne}_pkey")
        ),
    )
    for nom, _, _ in plan["index"]:
        _executer(cursor, sql.SQL("DROP INDEX {}").format(sql.Identifier(nom)))
    for nom, _ in plan["contraintes"]:
        _executer(cursor, sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(a, sql.Identifier(nom)))

    # The new table's id comes from a sequence of its own that continues the old one (an identity column is not
    # possible on a partitioned table before PostgreSQL 17, and this machine's server is 15).
    sequence = f"{table}_id_seq"
    _executer(cursor, sql.SQL("SELECT last_value, is_called FROM {}").format(sql.SQL(plan["sequence"])))
    valeur, appelee = cursor.fetchone()
    if plan["identite"]:
        _executer(cursor, sql.SQL("ALTER TABLE {} ALTER COLUMN id DROP IDENTITY").format(a))
    else:
        _executer(cursor, sql.SQL("ALTER TABLE {} ALTER COLUMN id DROP DEFAULT").format(a))
        _executer(cursor, sql.SQL("DROP SEQUENCE {}").format(sql.SQL(plan["sequence"])))
    options = sql.SQL("INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS")
    if cle is None:
        _executer(cursor, sql.SQL("CREATE TABLE {} (LIKE {} {})").format(t, a, options))
    else:
        _executer(
            cursor,
            sql.SQL("CREATE TABLE {} (LIKE {} {}) PARTITION BY RANGE ({})").format(t, a, options, sql.Identifier(cle)),
        )
    if cle is None:
        # Back to what Django creates for an AutoField.
        _executer(cursor, sql.SQL("ALTER TABLE {} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY").format(t))
    else:
        _executer(cursor, sql.SQL("CREATE SEQUENCE {} AS bigint OWNED BY {}.id").format(sql.Identifier(sequence), t))
        _executer(
            cursor,
            sql.SQL("ALTER TABLE {} ALTER COLUMN id SET DEFAULT nextval({})").format(t, sql.Literal(sequence)),
        )
    cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)", [table, valeur, appelee])

    if cle is not None:
        _executer(
            cursor,
            sql.SQL("SELECT date_trunc('month', min({c}) AT TIME ZONE 'UTC')::date FROM {a}").format(
                c=sql.Identifier(cle), a=a
            ),
        )
        (premier,) = cursor.fetchone()
        aujourd_hui = timezone.now().astimezone(datetime.UTC).date()
        creer_partitions(
            table, min(premier or aujourd_hui, aujourd_hui), mois_suivant(aujourd_hui, MOIS_A_L_AVANCE), cursor=cursor
        )
    colonnes = sql.SQL(plan["colonnes"])
    _executer(cursor, sql.SQL("INSERT INTO {} ({c}) SELECT {c} FROM {}").format(t, a, c=colonnes))
    cles = sql.SQL("id") if cle is None else sql.SQL("id, {}").format(sql.Identifier(cle))
    _executer(
        cursor,
        sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY ({})").format(t, sql.Identifier(f"{table}_pkey"), cles),
    )
    for _, definition, _ in plan["index"]:
        # The definition names the old table by its former name, which is the new table's.
        cursor.execute(definition.replace(" ON ONLY ", " ON "))
    for nom, definition in plan["contraintes"]:
        _executer(
            cursor, sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(t, sql.Identifier(nom)) + sql.SQL(definition)
        )
    _executer(cursor, sql.SQL("DROP TABLE {}").format(a))
    for definition in plan["declencheurs"]:
        cursor.execute(definition)
    for role, privileges in plan["droits"]:
        beneficiaire = sql.SQL("PUBLIC") if role == "PUBLIC" else sql.Identifier(role)
        _executer(cursor, sql.SQL("GRANT {} ON TABLE {} TO {}").format(sql.SQL(privileges), t, beneficiaire))
    _executer(cursor, sql.SQL("ANALYZE {}").format(t))


def partitionner(table: str, cle: str):
    """A ``RunPython`` operation pair: partition ``table`` by month of ``cle`` (forward), back to a plain table
    (reverse). The Django model is untouched: only its table's physical layout changes."""

    def avant(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            _reconstruire(cursor, table, cle)

    def arriere(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            _reconstruire(cursor, table, None)

    return avant, arriere
