"""Server time of the supplier's « Factures émises » pages at volume, next to the bare SQL each page runs.

    .venv/bin/python -m bench.mesurer [--n 200] [--anchors] [--explain FILE] [--plans]

Run after ``bench.seed_volume``. For a big supplier's user and a typical supplier's user, each page (Synthèse,
Rechercher without filter and with three typical filters, Tableau de bord) is requested N times through Django's
test ``Client`` in this process (persistent connection, ``CONN_MAX_AGE=600``, DEBUG off, after a warm-up): the
time around ``client.get`` is the server time (middleware, session, auth, scoping, query, template). The page's
main SQL (the query on ``facturation_facture``, captured with ``CaptureQueriesContext``) is then re-run N times
with a raw psycopg cursor on a persistent connection: the bare query time. ``--anchors`` also runs, in the same
run and on the same PostgreSQL server, the anchors of ``/work/shared/bench-anchors`` (schema, COPY ingest of
1 M invoices, read_bench, roundtrip) in a scratch database ``perfanchor``.

Other lists, each for the structures of ``--tailles`` (gros, médiane, petit): ``--travaux`` (« Factures de
travaux » of the fournisseur, MOE and MOA), ``--valideur`` (« Factures à valider »), ``--sollicitations``
(émises and reçues); every list with a deep keyset page (page 200, ``?apres=``) where the structure has one. The
last column is the issue's goal: page p95 ≤ 3 × (the same run's empty DSFR page p95 + the bare query p95).
``--exports`` streams the « Rechercher » exports (CSV, XLSX) of the chosen suppliers and recipients, each in a
fresh process: time, first byte, size and peak RSS. ``--plans`` times nothing: each page is requested once and its
main query EXPLAINed once (buffers, execution time, indexes read), for pages too slow to repeat.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from bench.common import dsn, out, setup_django, socket_dir

ANCHORS = Path(os.environ.get("BENCH_ANCHORS", "/work/shared/bench-anchors"))
GOAL_P95_MS = 50.0
GOAL_RATIO = 3.0


def pct(ts):
    ts = sorted(ts)
    return ts[len(ts) // 2] * 1e3, ts[min(len(ts) - 1, int(len(ts) * 0.95))] * 1e3


def choisir_utilisateurs(tailles_voulues=("gros", "médiane")):
    """(label, user, structure id, invoices, pages) for the biggest and the median supplier (« Factures émises »),
    then the biggest and the median recipient (« Factures reçues »): each structure's gestionnaire principal.
    ``tailles_voulues`` may add « petit »: the structure with the fewest invoices (of those that have some)."""
    from django.db import connection

    from organisation.models import Structure, Utilisateur

    res = []
    for colonne, cote, pages in (
        ("fournisseur_id", "fournisseur", pages_pour),
        ("destinataire_id", "destinataire", pages_recues_pour),
    ):
        with connection.cursor() as cur:
            cur.execute(f"SELECT {colonne}, count(*) FROM facturation_facture GROUP BY 1 ORDER BY 2 DESC, 1")  # noqa: S608
            tailles = cur.fetchall()
        choix = {
            "gros": (f"gros {cote}", tailles[0]),
            "médiane": (f"{cote} typique (médiane)", tailles[len(tailles) // 2]),
            "petit": (f"petit {cote}", tailles[-1]),
        }
        for label, (sid, n) in (choix[t] for t in tailles_voulues):
            structure = Structure.objects.get(pk=sid)
            res.append((label, Utilisateur.objects.get(pk=structure.gestionnaire_principal_id), sid, n, pages))
        if cote == "fournisseur":
            n_fournisseurs = len(tailles)
    return res, n_fournisseurs


TAILLE_PAGE = 50
PAGE_PROFONDE = 200  # « a deep keyset page »: the 200th page of 50 rows


def _par_taille(sql: str, tailles_voulues, nom: str, pages, prefixe: str = ""):
    """[(label, user, structure id, rows, pages)] for the structures wanted among « gros » (the most rows),
    « médiane » and « petit » (the fewest, of those that have some), from ``sql`` (structure id, count) ordered by
    count desc: each structure's gestionnaire principal, labelled « gros ``nom`` », « ``nom`` typique (médiane) »,
    « petit ``nom`` » after ``prefixe``, with its ``pages``."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql)
        tailles = cur.fetchall()
    choix = {
        "gros": (f"gros {nom}", tailles[0]),
        "médiane": (f"{nom} typique (médiane)", tailles[len(tailles) // 2]),
        "petit": (f"petit {nom}", tailles[-1]),
    }
    return [(prefixe + label, _gp(sid), sid, n, pages) for label, (sid, n) in (choix[t] for t in tailles_voulues)]


def _gp(sid):
    from organisation.models import Structure, Utilisateur

    return Utilisateur.objects.get(pk=Structure.objects.get(pk=sid).gestionnaire_principal_id)


def apres_page(sql_ids: str, params, page: int = PAGE_PROFONDE) -> int | None:
    """The ``apres`` cursor that opens page ``page`` of a list ordered by id desc (the id of the last row of the
    page before it), or None when the list is shorter. ``sql_ids``: the list's ids, newest first."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"{sql_ids} OFFSET %s LIMIT 1", [*params, (page - 1) * TAILLE_PAGE - 1])
        row = cur.fetchone()
    return row[0] if row else None


def choisir_valideurs(tailles_voulues):
    """« Factures à valider »: the valideur structures (the titulaires of the A9 invoices of ``seed_volume``) with
    the most, the median and the fewest invoices to validate or validated."""
    return _par_taille(
        "SELECT valideur_id, count(*) FROM facturation_facture WHERE valideur_id IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC, 1",
        tailles_voulues,
        "valideur",
        pages_a_valider,
    )


def pages_a_valider(sid):
    """The list (« À valider » by default), every status, the validated ones, a supplier, and a deep page."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT s.identifiant FROM facturation_facture f JOIN organisation_structure s ON s.id = f.fournisseur_id "
            "WHERE f.valideur_id = %s GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
            [sid],
        )
        siret = cur.fetchone()[0]
    pages = [
        ("À valider : liste", "/factures-a-valider/"),
        ("À valider : statut=TOUTES", "/factures-a-valider/?statut=TOUTES"),
        ("À valider : statut=VALIDEE", "/factures-a-valider/?statut=VALIDEE"),
        (f"À valider : fournisseur={siret}", f"/factures-a-valider/?statut=TOUTES&fournisseur={siret}"),
    ]
    apres = apres_page(
        "SELECT id FROM facturation_facture WHERE valideur_id = %s AND statut NOT IN ('BROUILLON', 'ABANDONNEE') "
        "ORDER BY id DESC",
        [sid],
    )
    if apres:
        pages.append((f"À valider : page {PAGE_PROFONDE}", f"/factures-a-valider/?statut=TOUTES&apres={apres}"))
    return pages


def choisir_sollicitations(tailles_voulues):
    """Sollicitations (``bench.seed_sollicitations``): the sending structures (« émises ») and the receiving public
    structures (« reçues ») with the most, the median and the fewest requests."""
    emetteurs = _par_taille(
        "SELECT structure_emettrice_id, count(*) FROM sollicitations_sollicitation GROUP BY 1 ORDER BY 2 DESC, 1",
        tailles_voulues,
        "émetteur",
        pages_sollicitations_emises,
    )
    recepteurs = _par_taille(
        "SELECT structure_destinataire_id, count(*) FROM sollicitations_sollicitation WHERE NOT au_support "
        "GROUP BY 1 ORDER BY 2 DESC, 1",
        tailles_voulues,
        "récepteur",
        pages_sollicitations_recues,
    )
    return emetteurs + recepteurs


def _contrepartie_sollicitation(sid, colonne, autre):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT s.identifiant, min(x.categorie_id) FROM sollicitations_sollicitation x "  # noqa: S608
            f"JOIN organisation_structure s ON s.id = x.{autre} WHERE x.{colonne} = %s "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
            [sid],
        )
        return cur.fetchone() or ("", 1)


def pages_sollicitations_emises(sid):
    siret, categorie = _contrepartie_sollicitation(sid, "structure_emettrice_id", "structure_destinataire_id")
    pages = [
        ("Sollicitations émises : Synthèse", "/sollicitations-emises/"),
        ("Sollicitations émises : Rechercher (sans filtre)", "/sollicitations-emises/rechercher/"),
        ("Sollicitations émises : Rechercher statut=RESOLUE", "/sollicitations-emises/rechercher/?statut=RESOLUE"),
        (
            f"Sollicitations émises : Rechercher categorie={categorie}",
            f"/sollicitations-emises/rechercher/?categorie={categorie}",
        ),
    ]
    if siret:
        pages.append(
            (
                f"Sollicitations émises : Rechercher destinataire={siret}",
                f"/sollicitations-emises/rechercher/?destinataire={siret}",
            )
        )
    apres = apres_page(
        "SELECT id FROM sollicitations_sollicitation WHERE structure_emettrice_id = %s ORDER BY id DESC", [sid]
    )
    if apres:
        pages.append(
            (
                f"Sollicitations émises : Rechercher page {PAGE_PROFONDE}",
                f"/sollicitations-emises/rechercher/?apres={apres}",
            )
        )
    return pages


def pages_sollicitations_recues(sid):
    siret, categorie = _contrepartie_sollicitation(sid, "structure_destinataire_id", "structure_emettrice_id")
    pages = [
        ("Sollicitations reçues : Synthèse", "/sollicitations-recues/"),
        ("Sollicitations reçues : Rechercher (sans filtre)", "/sollicitations-recues/rechercher/"),
        (
            "Sollicitations reçues : Rechercher statut=MES_A_TRAITER",
            "/sollicitations-recues/rechercher/?statut=MES_A_TRAITER",
        ),
        (
            f"Sollicitations reçues : Rechercher categorie={categorie}",
            f"/sollicitations-recues/rechercher/?categorie={categorie}",
        ),
        (
            f"Sollicitations reçues : Rechercher emetteur={siret}",
            f"/sollicitations-recues/rechercher/?emetteur={siret}",
        ),
        ("Sollicitations reçues : Tableau de bord", "/sollicitations-recues/tableau-de-bord/"),
    ]
    apres = apres_page(
        "SELECT id FROM sollicitations_sollicitation WHERE structure_destinataire_id = %s AND NOT au_support "
        "ORDER BY id DESC",
        [sid],
    )
    if apres:
        pages.append(
            (
                f"Sollicitations reçues : Rechercher page {PAGE_PROFONDE}",
                f"/sollicitations-recues/rechercher/?apres={apres}",
            )
        )
    return pages


def choisir_acteurs_travaux(tailles_voulues=("gros", "médiane")):
    """(label, user, structure id, pieces, pages) for the biggest, the median (and with « petit », the smallest)
    fournisseur, MOE and MOA of the works dossiers (``bench.seed_travaux``), by number of pieces in their dossiers:
    each structure's gestionnaire principal, who holds « Factures de travaux »."""
    res = []
    for colonne, role, nom in (
        ("fournisseur_id", "FOURNISSEUR", "fournisseur"),
        ("moe_id", "MOE", "MOE"),
        ("moa_id", "MOA", "MOA"),
    ):
        res += _par_taille(
            f"SELECT d.{colonne}, count(*) FROM travaux_piecetravaux p "  # noqa: S608
            "JOIN travaux_dossierfacturation d ON d.id = p.dossier_id GROUP BY 1 ORDER BY 2 DESC, 1",
            tailles_voulues,
            nom,
            lambda sid, role=role, colonne=colonne: pages_travaux(role, sid, colonne),
            prefixe="travaux : ",
        )
    return res


def pages_travaux(role, sid=None, colonne=None):
    """The « Factures de travaux » lists of issue 11 in the actor's role: Synthèse, Rechercher without and with
    three typical filters (the type of piece, the structure's role in the dossier, its main works contract), a
    deep keyset page, Tableau de bord (stock)."""
    from django.db import connection

    pages = [
        ("Travaux : Synthèse", "/factures-travaux/"),
        ("Travaux : Rechercher (sans filtre)", "/factures-travaux/rechercher/"),
        ("Travaux : Rechercher cadre=A19", "/factures-travaux/rechercher/?cadre=A19_ETAT_ACOMPTE_VALIDE_MOA"),
        (f"Travaux : Rechercher mon_role={role}", f"/factures-travaux/rechercher/?mon_role={role}"),
    ]
    if sid is not None:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT numero_marche FROM travaux_dossierfacturation WHERE {colonne} = %s "  # noqa: S608
                "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
                [sid],
            )
            marche = cur.fetchone()[0]
        pages.append(
            (f"Travaux : Rechercher numero_marche={marche}", f"/factures-travaux/rechercher/?numero_marche={marche}")
        )
        apres = apres_page(
            f"SELECT p.id FROM travaux_piecetravaux p JOIN travaux_dossierfacturation d ON d.id = p.dossier_id "  # noqa: S608
            f"WHERE d.{colonne} = %s ORDER BY p.id DESC",
            [sid],
        )
        if apres:
            pages.append((f"Travaux : Rechercher page {PAGE_PROFONDE}", f"/factures-travaux/rechercher/?apres={apres}"))
    pages.append((f"Travaux : Tableau de bord role={role}", f"/factures-travaux/tableau-de-bord/?role={role}"))
    return pages


# The SIRET of the structure with which ``sid`` exchanges the most invoices, by the role ``sid`` plays: a
# recipient's main supplier, a supplier's main recipient (a realistic filter value).
SQL_CONTREPARTIE = {
    "destinataire": "SELECT s.identifiant FROM facturation_facture f "
    "JOIN organisation_structure s ON s.id = f.fournisseur_id "
    "WHERE f.destinataire_id = %s GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    "fournisseur": "SELECT s.identifiant FROM facturation_facture f "
    "JOIN organisation_structure s ON s.id = f.destinataire_id "
    "WHERE f.fournisseur_id = %s GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
}


def _contrepartie(cur, sid, role: str) -> str:
    cur.execute(SQL_CONTREPARTIE[role], [sid])
    return cur.fetchone()[0]


def _visibles(role: str) -> tuple[str, list[str]]:
    """The condition (and its statuses) of the numbered invoices a structure sees in that role (a recipient only
    sees ``STATUTS_RECUS``)."""
    from facturation.enums import STATUTS_RECUS, StatutFacture

    statuts = list(STATUTS_RECUS) if role == "destinataire" else list(StatutFacture.values)
    return f"{role}_id = %s AND numero <> '' AND statut = ANY(%s)", statuts


def _numero_median(cur, sid, role: str, *, entier: bool = False) -> str:
    """The first digits of the number of the structure's median invoice (« FA2024-0512 », as a user types them),
    among those it sees in that role; ``entier``: the whole number, as a user pastes it."""
    visibles, statuts = _visibles(role)
    cur.execute(
        f"SELECT numero FROM facturation_facture WHERE {visibles} ORDER BY id "  # noqa: S608
        f"OFFSET (SELECT count(*) / 2 FROM facturation_facture WHERE {visibles}) LIMIT 1",
        [sid, statuts, sid, statuts],
    )
    numero = cur.fetchone()[0]
    return numero if entier else numero[:11]


# Number terms tried in turn, two characters (no trigram) and three (one trigram): the first that none of the
# structure's numbers contains is the search that finds nothing, the worst case of a walk in the list's order
# (« A9 » for the seed's numbers).
TERMES_ABSENTS = {2: ("A9", "Z9", "ZZ", "Q7", "XQ"), 3: ("A9Q", "ZZZ", "Q7X", "XQZ")}


def _terme_absent(cur, sid, role: str, longueur: int) -> str:
    visibles, statuts = _visibles(role)
    for terme in TERMES_ABSENTS[longueur]:
        cur.execute(
            f"SELECT 1 FROM facturation_facture WHERE {visibles} AND UPPER(numero) LIKE %s LIMIT 1",  # noqa: S608
            [sid, statuts, f"%{terme}%"],
        )
        if cur.fetchone() is None:
            return terme
    raise RuntimeError(f"every term of {TERMES_ABSENTS[longueur]} matches a number of structure #{sid}")


def _pages_numero(cur, sid, role: str, libelle: str, url: str) -> list[tuple[str, str]]:
    """The number searches besides the partial one: the whole number pasted, one character (« 9 », found in most
    numbers), two and three characters found in none of the structure's numbers."""
    entier = _numero_median(cur, sid, role, entier=True)
    absent, absent3 = _terme_absent(cur, sid, role, 2), _terme_absent(cur, sid, role, 3)
    return [
        (f"{libelle} numero={entier} (entier)", f"{url}?numero={entier}"),
        (f"{libelle} numero=9 (court)", f"{url}?numero=9"),
        (f"{libelle} numero={absent} (court, absent)", f"{url}?numero={absent}"),
        (f"{libelle} numero={absent3} (absent)", f"{url}?numero={absent3}"),
    ]


class Cote(NamedTuple):
    """One side a structure's invoices are listed from: its ``role`` on the invoice, the prefix of the measured
    pages' labels, the application's root URL, its first page, the status its search filters on and the criterion
    naming the other side of the invoice."""

    role: str
    libelle: str
    racine: str
    premiere_page: str
    statut: str
    autre_cote: str


EMISES = Cote("fournisseur", "", "/factures-emises/", "Synthèse", "REJETEE", "destinataire")
RECUES = Cote("destinataire", "Reçues : ", "/factures-recues/", "À traiter", "SUSPENDUE", "fournisseur")


def _pages_du_cote(sid, cote: Cote) -> list[tuple[str, str]]:
    """The URLs measured for structure ``sid`` on ``cote``: realistic filter values taken from its own invoices."""
    from django.db import connection

    libelle, rechercher = cote.libelle, f"{cote.racine}rechercher/"
    with connection.cursor() as cur:
        siret = _contrepartie(cur, sid, cote.role)
        prefixe = _numero_median(cur, sid, cote.role)
        numeros = _pages_numero(cur, sid, cote.role, f"{libelle}Rechercher", rechercher)
    pages = [
        (f"{libelle}{cote.premiere_page}", cote.racine),
        (f"{libelle}Rechercher (sans filtre)", rechercher),
        (f"{libelle}Rechercher statut={cote.statut}", f"{rechercher}?statut={cote.statut}"),
        (f"{libelle}Rechercher {cote.autre_cote}={siret}", f"{rechercher}?{cote.autre_cote}={siret}"),
        (f"{libelle}Rechercher numero={prefixe}", f"{rechercher}?numero={prefixe}"),
        *numeros,
        (f"{libelle}Tableau de bord", f"{cote.racine}tableau-de-bord/"),
    ]
    sql = f"SELECT id FROM facturation_facture WHERE {cote.role}_id = %s ORDER BY id DESC"  # noqa: S608
    apres = apres_page(sql, [sid])
    if apres:
        pages.append((f"{libelle}Rechercher page {PAGE_PROFONDE}", f"{rechercher}?apres={apres}"))
    return pages


def pages_recues_pour(sid):
    """The URLs measured for a recipient (« Factures reçues »): the same shapes as the anchors' read_bench
    (first page of the invoices to process, a status filter, the dashboard)."""
    return _pages_du_cote(sid, RECUES)


def pages_pour(sid):
    """The URLs measured for a supplier (« Factures émises »)."""
    return _pages_du_cote(sid, EMISES)


def mesurer_page(client, url, n, *, sql=True, table="facturation_facture"):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chorus import compteurs as kit_compteurs

    for _ in range(max(10, n // 10)):  # warm-up
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(url)
        ts.append(time.perf_counter() - t)
        assert r.status_code == 200
    if not sql:
        return pct(ts), None, None
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    # The Tableaux de bord read the counters, not the invoices, pieces or sollicitations: their main query is on a
    # counters' table (``chorus.compteurs``).
    compteurs = tuple(f'FROM "{c.table}"' for c in kit_compteurs.inscrits())
    principales = (
        [q for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"]]
        or [q for q in ctx.captured_queries if any(c in q["sql"] for c in compteurs)]
        or ctx.captured_queries
    )
    sql = max(principales, key=lambda q: float(q["time"]))["sql"]
    return pct(ts), sql, len(ctx.captured_queries)


def _index_lus(noeud: dict) -> list[str]:
    """The relations and indexes a plan (EXPLAIN, FORMAT JSON) reads, in the plan's order."""
    lus = []
    if "Index Name" in noeud:
        lus.append(f"{noeud['Node Type']} {noeud['Index Name']}")
    elif "Relation Name" in noeud and noeud["Node Type"] == "Seq Scan":
        lus.append(f"Seq Scan {noeud['Relation Name']}")
    for enfant in noeud.get("Plans", []):
        lus += _index_lus(enfant)
    return lus


def plan_de_page(client, url, conn, *, table="facturation_facture") -> dict:
    """One request of ``url`` (no warm-up, no repetition: a page that walks the table costs seconds), its main
    query captured as ``mesurer_page`` picks it, then ``EXPLAIN (ANALYZE, BUFFERS)`` of it once: the shared buffers
    it touched, its execution time, its rows and the indexes it read — what holds whatever the machine's load."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    principales = [q for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"]] or ctx.captured_queries
    sql = max(principales, key=lambda q: float(q["time"]))["sql"]
    ((resultat,),) = conn.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql).fetchall()
    racine = resultat[0]["Plan"]
    return {
        "buffers": racine.get("Shared Hit Blocks", 0) + racine.get("Shared Read Blocks", 0),
        "ms": resultat[0]["Execution Time"],
        "lignes": racine["Actual Rows"],
        "lus": ", ".join(_index_lus(racine)),
    }


def mesurer_sql(conn, sql, n):
    for _ in range(max(10, n // 10)):
        conn.execute(sql).fetchall()
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        conn.execute(sql).fetchall()
        ts.append(time.perf_counter() - t)
    return pct(ts)


def _ok(condition) -> str:
    return "✅" if condition else "❌"


def plancher(requetes: list[str], n: int):
    """The Django floor of each page (``bench.plancher``, in its own process): p50/p95 of ``/hello`` and of a
    minimal view running each SQL statement."""
    import json
    import tempfile

    from bench.common import DATABASE

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(requetes, f)
    cmd = [sys.executable, "-m", "bench.plancher", socket_dir(), DATABASE, f.name, str(n)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=True, cwd=Path(__file__).parent.parent)
    os.unlink(f.name)
    lignes = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    return (lignes[0]["p50"], lignes[0]["p95"]), [(x["p50"], x["p95"]) for x in lignes[1:]]


def plancher_du_portail(user, n: int) -> dict:
    """What every page of the portal pays before its own work, measured through the real middleware stack with
    two throw-away views: an empty response for a logged-in user (session, user, CSRF, CSP, messages), then an
    empty page in the DSFR layout (header, menus, approbations badge, footer)."""
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.shortcuts import render
    from django.test import Client
    from django.urls import clear_url_caches, path

    from chorus import urls

    vues = {
        "empty response, logged in": login_required(lambda request: HttpResponse("ok")),
        "empty page in the DSFR layout, logged in": login_required(lambda request: render(request, "base.html", {})),
    }
    urls.urlpatterns += [path(f"__bench/{i}/", vue) for i, vue in enumerate(vues.values())]
    clear_url_caches()
    client = Client()
    client.force_login(user)
    return {libelle: mesurer_page(client, f"/__bench/{i}/", n, sql=False)[0] for i, libelle in enumerate(vues)}


def run(cmd, env=None, cwd=ANCHORS, timeout=900):
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return p.stdout + p.stderr, time.perf_counter() - t


def anchors(python):
    """The bench anchors on the same server, in a scratch database."""
    import psycopg

    admin = dsn("postgres")
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS perfanchor WITH (FORCE)")
        c.execute("CREATE DATABASE perfanchor")
    env = {**os.environ, "PERF_DSN": dsn("perfanchor")}
    with psycopg.connect(env["PERF_DSN"], autocommit=True) as c:
        c.execute((ANCHORS / "schema.sql").read_text())
    res = {}
    res["ingest"] = run([python, "ingest.py", "copy", "1000000", "--batch", "10000"], env)
    with psycopg.connect(env["PERF_DSN"], autocommit=True) as c:
        c.execute("VACUUM ANALYZE")
        mid = c.execute(
            "SELECT recipient_structure_id FROM invoice GROUP BY 1 ORDER BY count(*) DESC OFFSET 100 LIMIT 1"
        ).fetchone()[0]
    res["read"] = run([python, "read_bench.py", "invoice", "1", str(mid)], env)
    res["roundtrip"] = run([python, "roundtrip.py"], env)
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS perfanchor WITH (FORCE)")
    return res


def un_export(url: str, utilisateur: int) -> None:
    """In its own process (``--un-export``): stream one export through the whole stack, as a browser reads it, and
    print its time, size, rows and the process's memory before and at its peak (JSON on stdout)."""
    import json
    import resource

    setup_django(conn_max_age=600)
    from django.conf import settings
    from django.test import Client

    from organisation.models import Utilisateur

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(Utilisateur.objects.get(pk=utilisateur))
    client.get("/factures-emises/")  # imports, templates and caches in place before the « before » reading

    def rss_mo() -> float:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024

    avant, pic_avant = rss_mo(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    octets = lignes = 0
    premier = None
    for morceau in r.streaming_content:
        if premier is None:
            premier = time.perf_counter() - t
        octets += len(morceau)
        lignes += morceau.count(b"\n")
    duree = time.perf_counter() - t
    pic = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out(
        json.dumps(
            {
                "secondes": duree,
                "premier_octet": premier,
                "octets": octets,
                "lignes_csv": lignes,
                "rss_avant_mo": avant,
                "pic_avant_mo": pic_avant,
                "pic_mo": pic,
            }
        )
    )


def mesurer_exports(tailles_voulues, filtre: str | None = None) -> None:
    """« Exporter » (CSV and XLSX) of the largest (and other) recipient's and supplier's whole « Rechercher » list,
    each export in a fresh process: time, first byte, size, and peak RSS growth over the process before the export."""
    import json

    utilisateurs, _n = choisir_utilisateurs(tailles_voulues)
    out(
        "| structure | export | rows | time (s) | first byte (s) | rows/s | file (MB) | RSS before (MB) "
        "| peak RSS (MB) | growth (MB) |"
    )
    out("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, user, sid, n, pages in utilisateurs:
        if filtre and filtre not in label:  # e.g. « destinataire »: the recipients' exports only
            continue
        base = "/factures-emises/rechercher/" if pages is pages_pour else "/factures-recues/rechercher/"
        for fmt in ("csv", "xlsx"):
            cmd = [
                sys.executable,
                "-m",
                "bench.mesurer",
                "--un-export",
                f"{base}export.{fmt}",
                "--utilisateur",
                str(user.pk),
            ]
            p = subprocess.run(
                cmd, capture_output=True, text=True, timeout=3600, check=False, cwd=Path(__file__).parent.parent
            )
            ligne = next((x for x in p.stdout.splitlines() if x.startswith("{")), None)
            if ligne is None:
                out(f"| {label} #{sid} | {fmt} | échec : {p.stderr.strip().splitlines()[-1:]} |")
                continue
            r = json.loads(ligne)
            croissance = r["pic_mo"] - max(r["rss_avant_mo"], r["pic_avant_mo"])
            if fmt == "csv":  # the rows of the list's scope, read from the CSV (one header line); the XLSX has the same
                rangs = r["lignes_csv"] - 1
            out(
                f"| {label} #{sid} ({n:,} factures) | {fmt.upper()} | {rangs:,} | {r['secondes']:.1f} | "
                f"{r['premier_octet']:.2f} | {rangs / r['secondes']:,.0f} | {r['octets'] / 1e6:.1f} | "
                f"{r['rss_avant_mo']:.0f} | {r['pic_mo']:.0f} | {croissance:.0f} |"
            )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--anchors", action="store_true")
    ap.add_argument("--explain", help="write EXPLAIN (ANALYZE, BUFFERS) of every main query to this file")
    ap.add_argument("--travaux", action="store_true", help="measure the « Factures de travaux » pages instead")
    ap.add_argument("--valideur", action="store_true", help="measure the « Factures à valider » pages instead")
    ap.add_argument("--sollicitations", action="store_true", help="measure the Sollicitations pages instead")
    ap.add_argument("--exports", action="store_true", help="measure the CSV and XLSX exports instead")
    ap.add_argument(
        "--pages", help="measure only the pages (with --exports: the structures) whose label contains this text"
    )
    ap.add_argument("--un-export", help=argparse.SUPPRESS)
    ap.add_argument("--utilisateur", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--only", choices=["gros", "typique"], help="measure one user only")
    ap.add_argument(
        "--plans",
        action="store_true",
        help="only EXPLAIN (ANALYZE, BUFFERS) each page's main query once: buffers, execution time, indexes read",
    )
    ap.add_argument(
        "--tailles", default="gros,médiane", help="which structures, among gros, médiane, petit (comma-separated)"
    )
    args = ap.parse_args()
    if args.un_export:
        un_export(args.un_export, args.utilisateur)
        return

    setup_django(conn_max_age=600)
    import psycopg
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    with connection.cursor() as cur:
        cur.execute("SELECT version(), (SELECT count(*) FROM facturation_facture)")
        version, total = cur.fetchone()
        cur.execute("SELECT setting FROM pg_settings WHERE name = 'shared_buffers'")
        shared_buffers = int(cur.fetchone()[0]) * 8 // 1024
    out(
        f"# bench.mesurer {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {platform.node()} {os.cpu_count()} CPU, "
        f"{version.split(',')[0]}, shared_buffers {shared_buffers} MB, socket {socket_dir()}, "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    tailles = args.tailles.split(",")
    if args.exports:
        out(f"{total:,} factures\n")
        mesurer_exports(tailles, args.pages)
        return
    unite = "factures"
    if args.travaux:
        utilisateurs, table, unite = choisir_acteurs_travaux(tailles), "travaux_piecetravaux", "pièces"
        with connection.cursor() as cur:
            cur.execute("SELECT (SELECT count(*) FROM travaux_dossierfacturation), count(*) FROM travaux_piecetravaux")
            dossiers, pieces = cur.fetchone()
        out(
            f"{total:,} factures, {dossiers:,} dossiers de travaux, {pieces:,} pièces; N = {args.n} requests per "
            "page, warm cache\n"
        )
    elif args.valideur:
        utilisateurs, table = choisir_valideurs(tailles), "facturation_facture"
        out(f"{total:,} factures; N = {args.n} requests per page, warm cache\n")
    elif args.sollicitations:
        utilisateurs, table, unite = choisir_sollicitations(tailles), "sollicitations_sollicitation", "sollicitations"
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM sollicitations_sollicitation")
            n_sollicitations = cur.fetchone()[0]
        out(f"{total:,} factures, {n_sollicitations:,} sollicitations; N = {args.n} requests per page, warm cache\n")
    else:
        (utilisateurs, n_fournisseurs), table = choisir_utilisateurs(tailles), "facturation_facture"
        out(f"{total:,} factures, {n_fournisseurs:,} fournisseurs; N = {args.n} requests per page, warm cache\n")

    raw = psycopg.connect(dsn(), autocommit=True)
    if args.plans:
        out("| structure | page | buffers | execution (ms) | rows | read |")
        out("|---|---|---:|---:|---:|---|")
        for label, user, sid, n, pages in utilisateurs:
            client = Client()
            client.force_login(user)
            for page, url in pages(sid):
                if args.pages and args.pages not in page:
                    continue
                p = plan_de_page(client, url, raw, table=table)
                out(
                    f"| {label} #{sid} ({n:,} {unite}) | {page} | {p['buffers']:,} | {p['ms']:.1f} | {p['lignes']} "
                    f"| {p['lus']} |"
                )
        out(f"Load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        raw.close()
        return
    explain = open(args.explain, "w") if args.explain else None  # noqa: SIM115
    resultats = []
    for label, user, sid, n, pages in utilisateurs:
        if args.only and not label.startswith("gros" if args.only == "gros" else "fournisseur typique"):
            continue
        client = Client()
        client.force_login(user)
        for page, url in pages(sid):
            if args.pages and args.pages not in page:
                continue
            (p50, p95), sql, nq = mesurer_page(client, url, args.n, table=table)
            b50, b95 = mesurer_sql(raw, sql, args.n)
            resultats.append(
                {
                    "qui": f"{label} #{sid} ({n:,} {unite})",
                    "page": page,
                    "nq": nq,
                    "sql": sql,
                    "p50": p50,
                    "p95": p95,
                    "b50": b50,
                    "b95": b95,
                }
            )
            if explain:
                plan = raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql).fetchall()
                explain.write(f"-- {label} #{sid} — {page}\n{sql}\n" + "\n".join(r[0] for r in plan) + "\n\n")
                explain.flush()
    if explain:
        explain.close()
    raw.close()
    connection.close()

    hello, planchers = plancher([r["sql"] for r in resultats], args.n)
    pile = plancher_du_portail(utilisateurs[min(1, len(utilisateurs) - 1)][1], args.n)
    vide95 = pile["empty page in the DSFR layout, logged in"][1]
    out(
        "| utilisateur | page | requêtes SQL | page p50 / p95 (ms) | requête nue p50 / p95 (ms) | plancher Django "
        "p50 / p95 (ms) | page / requête (p95) | page / plancher (p95) | ≤ 50 ms | ≤ 3× requête | ≤ 3× plancher "
        "| ≤ 3× (page vide + requête) |"
    )
    out("|---|---|---:|---:|---:|---:|---:|---:|:-:|:-:|:-:|:-:|")
    for r, (f50, f95) in zip(resultats, planchers, strict=True):
        ratio, ratio_plancher = r["p95"] / r["b95"], r["p95"] / f95
        borne = GOAL_RATIO * (vide95 + r["b95"])  # the goal: 3 × (empty DSFR page + bare query), p95
        out(
            f"| {r['qui']} | {r['page']} | {r['nq']} | {r['p50']:.1f} / {r['p95']:.1f} | {r['b50']:.1f} / "
            f"{r['b95']:.1f} | {f50:.1f} / {f95:.1f} | {ratio:.1f}× | {ratio_plancher:.1f}× | "
            f"{_ok(r['p95'] <= GOAL_P95_MS)} | {_ok(ratio <= GOAL_RATIO)} | {_ok(ratio_plancher <= GOAL_RATIO)} | "
            f"{_ok(r['p95'] <= borne)} {borne:.1f} |"
        )
    out(f"\nDjango floor without SQL (`/hello`, same process set-up): p50 {hello[0]:.2f} ms, p95 {hello[1]:.2f} ms.")
    for libelle, (p50, p95) in pile.items():
        out(f"Portal stack, {libelle}: p50 {p50:.2f} ms, p95 {p95:.2f} ms.")
    out(f"Load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    if args.anchors:
        out("\n## Anchors (/work/shared/bench-anchors), same server, same run\n")
        for name, (text, sec) in anchors(sys.executable).items():
            out(f"### {name} ({sec:.0f} s)\n```\n{text.strip()}\n```")


if __name__ == "__main__":
    main()
