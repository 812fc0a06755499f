"""How the access matrix enumerates the portal's routes and calls one of them as one role."""

import json
import re

from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

# The roles of the portal's pages, in the order of the matrix's columns.
ROLES = ("anonyme", "autre_structure", "autre_service", "consultation", "support", "gp")
# The API's callers: a technical account of the owning structure A, and one of the stranger C.
ROLES_API = ("technique", "technique_autre")

# Tables a refused request may still write: the session of the logged-in test client.
TABLES_HORS_EMPREINTE = {"django_session"}


def routes() -> dict:
    """Every route of the URLconf, walking includes: {key: pattern}, the key being the route's name (with its
    namespace) or, for an unnamed route (the API's services), its pattern."""
    trouvees = {}

    def parcourir(motifs, prefixe="", espace=None):
        for motif in motifs:
            if isinstance(motif, URLResolver):
                yield from parcourir(motif.url_patterns, prefixe + str(motif.pattern), motif.namespace or espace)
            elif isinstance(motif, URLPattern):
                chemin = prefixe + str(motif.pattern)
                nom = motif.name and (f"{espace}:{motif.name}" if espace else motif.name)
                yield nom or chemin, chemin

    for cle, chemin in parcourir(get_resolver().url_patterns):
        trouvees.setdefault(cle, chemin)
    return trouvees


def url_de(chemin: str, valeurs: dict) -> str:
    """The URL of ``chemin`` (a route pattern: ``<conv:name>`` or a regex) with ``valeurs`` in its parameters."""

    def remplacer(match):
        return str(valeurs[match.group(1)])

    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", remplacer, chemin)  # regex groups first: they hold a <name> too
    url = re.sub(r"<(?:\w+:)?(\w+)>", remplacer, url)
    return "/" + url.replace("^", "").replace("$", "")


def empreinte_base() -> dict:
    """{table: (row count, md5 of its rows)} over every table but the sessions: a refused request changes none."""
    tables = [t for t in connection.introspection.table_names() if t not in TABLES_HORS_EMPREINTE]
    empreinte = "md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))"
    requete = " UNION ALL ".join(
        f"SELECT %s, count(*), {empreinte} FROM {connection.ops.quote_name(t)} x" for t in tables
    )
    with connection.cursor() as curseur:
        curseur.execute(requete, tables)
        return {table: (nombre, empreinte) for table, nombre, empreinte in curseur.fetchall()}


def reponse_api(reponse) -> tuple:
    """(HTTP status, codeRetour) of an API answer; codeRetour None when the body is not the API's JSON envelope."""
    code = None
    if reponse.get("Content-Type", "").startswith("application/json"):
        try:
            corps = json.loads(reponse.content)
        except ValueError:
            corps = None
        if isinstance(corps, dict):
            code = corps.get("codeRetour")
    return reponse.status_code, code
