"""Shared by the bench scripts: the dedicated ``chorus_bench`` database on the embedded PostgreSQL server."""

import argparse
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

# CHORUS_BENCH_DB: another database on the same server (e.g. chorus_bench10m beside the 1 M one).
DATABASE = os.environ.get("CHORUS_BENCH_DB", "chorus_bench")
# CHORUS_BENCH_SERVEUR: another PostgreSQL server than the embedded one, as a URL without database
# (``postgresql://postgres@127.0.0.1:5432``: bench.charge seeds the machine's server its production processes use).
SERVEUR = os.environ.get("CHORUS_BENCH_SERVEUR", "")


def out(*parts) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def variables_production(
    *, proprietaire_url: str, application_url: str, redis_url: str, repertoire: Path, hotes: str
) -> dict:
    """What ``chorus.settings.production`` requires of a deployment, for its processes started on this machine:
    both database roles, Redis, a fresh secret key, the hosts served, e-mails on the console, static and media files
    under ``repertoire``."""
    return {
        "DJANGO_SETTINGS_MODULE": "chorus.settings.production",
        "DATABASE_PROPRIETAIRE_URL": proprietaire_url,
        "DATABASE_URL": application_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": hotes,
        "EMAIL_URL": "console://",
        "STATIC_ROOT": str(repertoire / "static"),
        "MEDIA_ROOT": str(repertoire / "media"),
    }


def socket_dir() -> str:
    from chorus import embedded

    return unquote(urlparse(embedded.postgres_url("postgres")).netloc.split("@", 1)[1])


def drop_database() -> None:
    import psycopg

    with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def dsn(database: str = DATABASE) -> str:
    if SERVEUR:
        return f"{SERVEUR}/{database}"
    return f"host={socket_dir()} user=postgres dbname={database}"


def setup_django(conn_max_age: int = 600) -> None:
    """Point Django's dev settings at ``chorus_bench`` (created if missing) with persistent connections."""
    from chorus import embedded

    os.environ["DJANGO_SETTINGS_MODULE"] = "chorus.settings.dev"
    os.environ["DATABASE_URL"] = f"{SERVEUR}/{DATABASE}" if SERVEUR else embedded.postgres_url(DATABASE)
    os.environ["DB_CONN_MAX_AGE"] = str(conn_max_age)
    import django

    django.setup()


def defauts_pour_copy(conn, colonnes: dict[str, str]) -> list[str]:
    """Give each NOT NULL column that a COPY below leaves out (``colonnes``: table → the COPY's column list) its
    model field's default as a database default, and return the statements that remove them again. Django keeps
    defaults in Python only, so without this every field added to a model after the seed was written breaks the
    COPY (« null value in column … violates not-null constraint »); this way the seed follows the schema."""
    from django.apps import apps
    from django.db import connection as django_connection
    from django.db.models import NOT_PROVIDED
    from psycopg import sql

    modeles = {m._meta.db_table: m for m in apps.get_models()}
    retour = []
    with conn.cursor() as cur:
        for table, cols in colonnes.items():
            presentes = {c.strip() for c in cols.split(",")}
            for champ in modeles[table]._meta.concrete_fields:
                if champ.null or champ.primary_key or champ.column in presentes or champ.db_default is not NOT_PROVIDED:
                    continue  # a database default already fills it
                valeur = champ.get_db_prep_save(champ.get_default(), django_connection)
                ident = sql.Identifier(table), sql.Identifier(champ.column)
                cur.execute(
                    sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}").format(*ident, sql.Literal(valeur))
                )
                retour.append(sql.SQL("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT").format(*ident))
    conn.commit()
    return retour


def lancer_seed(seed, nombre: int, graine: int, tables: list[str]) -> dict:
    """Run a seeder's ``seed(conn, nombre, graine)`` on the bench database with asynchronous commits (a crash
    loses only the seed), then VACUUM (ANALYZE) ``tables`` so that the pages are planned on fresh statistics; the
    seeder's timings, the VACUUM's added."""
    import psycopg

    conn = psycopg.connect(dsn())
    conn.execute("SET synchronous_commit = off")
    res = seed(conn, nombre, graine)
    conn.autocommit = True
    t = time.perf_counter()
    conn.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
    res["VACUUM ANALYZE"] = (0, time.perf_counter() - t)
    conn.close()
    return res


def afficher(res, total=None) -> None:
    """A seeder's timings (``{étape: (lignes, secondes)}``) as a Markdown table, with the ``total`` if given."""
    out("\n| étape | lignes | secondes |\n|---|---:|---:|")
    for name, (rows, sec) in res.items():
        out(f"| {name} | {rows:,} | {sec:.1f} |" if rows else f"| {name} | | {sec:.1f} |")
    if total is not None:
        out(f"| **total** | | **{total:.1f}** |")


def seed_en_ligne_de_commande(description: str, seed, nombre: str, defaut: int, tables: list[str]) -> None:
    """A seeder's command: ``--<nombre>`` rows to seed (``defaut``) and ``--seed``, the seeder run by
    ``lancer_seed`` (then ``tables`` analysed), and its timings printed with the total."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument(f"--{nombre}", type=int, default=defaut)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    setup_django()
    t0 = time.perf_counter()
    res = lancer_seed(seed, getattr(args, nombre), args.seed, tables)
    afficher(res, time.perf_counter() - t0)


def recaler_sequences(cur, tables) -> None:
    """After a COPY with explicit ids, each table's id sequence continues after its largest id (the portal's next
    INSERT must not collide with a seeded row)."""
    for table in tables:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
