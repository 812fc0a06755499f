"""Shared by the bench scripts: the dedicated ``chorus_bench`` database on the embedded PostgreSQL server."""

import os
import sys
from urllib.parse import unquote, urlparse

DATABASE = "chorus_bench"


def out(*parts) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def socket_dir() -> str:
    from chorus import embedded

    return unquote(urlparse(embedded.postgres_url("postgres")).netloc.split("@", 1)[1])


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"host={socket_dir()} user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def dsn(database: str = DATABASE) -> str:
    return f"host={socket_dir()} user=postgres dbname={database}"


def setup_django(conn_max_age: int = 600) -> None:
    """Point Django's dev settings at ``chorus_bench`` (created if missing) with persistent connections."""
    from chorus import embedded

    os.environ["DJANGO_SETTINGS_MODULE"] = "chorus.settings.dev"
    os.environ["DATABASE_URL"] = embedded.postgres_url(DATABASE)
    os.environ["DB_CONN_MAX_AGE"] = str(conn_max_age)
    import django

    django.setup()
