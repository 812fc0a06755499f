"""The two PostgreSQL roles of the portal (issue 13, item 12).

* The **owner** role (``DATABASE_PROPRIETAIRE_URL``) owns every table: it runs the migrations, the backups and
  the restores, and creates the application role.
* The **application** role (``DATABASE_URL``) is what the web server, the Celery worker and beat connect with. On
  the history tables (every ``HistoriqueBase`` model) it may only SELECT and INSERT: no UPDATE, DELETE or
  TRUNCATE, and, not being the owner, it cannot ``ALTER TABLE … DISABLE TRIGGER`` to get round the append-only
  trigger. On the other tables it has SELECT, INSERT, UPDATE and DELETE (no TRUNCATE: the portal never needs it).

Without ``DATABASE_PROPRIETAIRE_URL`` the portal runs with one role, as before (tests: pytest-django creates the
test database as its owner). ``manage.py migrate`` switches to the owner role and grants the application role
its privileges on the tables it has just created; ``manage.py creer_role_applicatif`` does the latter alone.
"""

import contextlib

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from psycopg import sql

from chorus import partitions
from chorus.history import modeles_historiques

CLES_CONNEXION = ("NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")


class RoleRefuse(Exception):
    """The application role named by ``DATABASE_URL`` would not be restricted; the message is French."""


def proprietaire_distinct() -> bool:
    """True when an owner role other than the application's is configured."""
    proprietaire = getattr(settings, "DATABASE_PROPRIETAIRE", None)
    return bool(proprietaire) and proprietaire.get("USER") != connections[DEFAULT_DB_ALIAS].settings_dict.get("USER")


@contextlib.contextmanager
def connexion_par_defaut(parametres: dict):
    """Run the block with Django's default connection opened with ``parametres`` (a ``DATABASES`` entry), then
    come back to the previous ones. Not inside a transaction: the connection is closed on both sides."""
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.in_atomic_block:
        raise RuntimeError("Changement de rôle impossible au milieu d'une transaction.")
    conn.close()
    precedents = {cle: conn.settings_dict.get(cle) for cle in CLES_CONNEXION}
    conn.settings_dict.update({cle: parametres.get(cle, precedents[cle]) for cle in CLES_CONNEXION})
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict.update(precedents)


@contextlib.contextmanager
def en_proprietaire():
    """The block runs as the owner role when one is configured (otherwise with the only role there is)."""
    if proprietaire_distinct():
        with connexion_par_defaut(settings.DATABASE_PROPRIETAIRE):
            yield
    else:
        yield


def role_applicatif() -> tuple[str, str] | None:
    """(name, password) of the application role, read from the default connection (``DATABASE_URL``) while it is
    still the application's; None when the portal runs with the owner role only."""
    if not proprietaire_distinct():
        return None
    parametres = connections[DEFAULT_DB_ALIAS].settings_dict
    return parametres["USER"], parametres.get("PASSWORD") or ""


def tables_historiques() -> list[str]:
    return sorted(m._meta.db_table for m in modeles_historiques())


class _Curseur:
    """Django's cursor, taking ``psycopg.sql`` compositions (quoted identifiers and literals) as text."""

    def __init__(self, curseur):
        self.curseur = curseur

    def execute(self, requete, params=None):
        if isinstance(requete, sql.Composable):
            requete = requete.as_string(connection.connection)
        return self.curseur.execute(requete, params)

    def fetchone(self):
        return self.curseur.fetchone()

    def fetchall(self):
        return self.curseur.fetchall()


def accorder_droits(*, role: str, mot_de_passe: str = "") -> dict:
    """Create ``role`` if missing (LOGIN, no other attribute) and set its privileges on the current database, run
    as the owner. Idempotent: every privilege is revoked and granted again, so a table that became a history
    table loses UPDATE and DELETE. Refuses a role that could bypass the restriction."""
    historiques = set(tables_historiques())
    with connection.cursor() as curseur:
        cursor = _Curseur(curseur)
        cursor.execute("SELECT current_user, current_database(), current_schema()")
        proprietaire, base, schema = cursor.fetchone()
        if role == proprietaire:
            raise RoleRefuse(
                f"Le rôle applicatif {role} est le rôle propriétaire : DATABASE_URL doit désigner un autre rôle "
                "que DATABASE_PROPRIETAIRE_URL."
            )
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        existant = cursor.fetchone()
        identifiant = sql.Identifier(role)
        if existant is None:
            cursor.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS").format(
                    identifiant
                )
            )
        elif any(existant):
            raise RoleRefuse(
                f"Le rôle applicatif {role} est superutilisateur ou ignore la sécurité des lignes : il "
                "contournerait les restrictions sur les historiques. Choisissez un rôle ordinaire."
            )
        cursor.execute("SELECT pg_has_role(%s, current_user, 'MEMBER')", [role])
        if cursor.fetchone()[0]:
            raise RoleRefuse(
                f"Le rôle applicatif {role} est membre du rôle propriétaire {proprietaire} : il en aurait les "
                "droits (désactiver les déclencheurs, vider les historiques)."
            )
        if mot_de_passe:
            cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(identifiant, sql.Literal(mot_de_passe)))
        cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(base), identifiant))
        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), identifiant))
        # A partition (``chorus.partitions``) gets no privilege at all: the portal reads and writes through its
        # partitioned table, whose privileges PostgreSQL checks; the rows of a history partition must not be
        # reachable directly with UPDATE or DELETE.
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
            "AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY relname"
        )
        tables = [nom for (nom,) in cursor.fetchall()]
        autres = [t for t in tables if t not in historiques]
        gardees = [t for t in tables if t in historiques]
        cursor.execute(
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(sql.Identifier(schema), identifiant)
        )
        for privileges, liste in (("SELECT, INSERT, UPDATE, DELETE", autres), ("SELECT, INSERT", gardees)):
            if liste:
                cursor.execute(
                    sql.SQL("GRANT {} ON TABLE {} TO {}").format(
                        sql.SQL(privileges), sql.SQL(", ").join(map(sql.Identifier, liste)), identifiant
                    )
                )
        cursor.execute(
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
                sql.Identifier(schema), identifiant
            )
        )
        # Beat creates the coming months' partitions through this owner's function (``SECURITY DEFINER``).
        cursor.execute("SELECT to_regprocedure(%s)", [f"{partitions.FONCTION}(regclass, date, date)"])
        (fonction,) = cursor.fetchone()
        if fonction:
            cursor.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(fonction), identifiant))
    return {"role": role, "tables": len(autres), "historiques": len(gardees)}
