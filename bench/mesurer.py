"""Server time of the supplier's « Factures émises » pages at volume, next to the bare SQL each page runs.

    .venv/bin/python -m bench.mesurer [--n 200] [--anchors] [--explain FILE]

Run after ``bench.seed_volume``. For a big supplier's user and a typical supplier's user, each page (Synthèse,
Rechercher without filter and with three typical filters, Tableau de bord) is requested N times through Django's
test ``Client`` in this process (persistent connection, ``CONN_MAX_AGE=600``, DEBUG off, after a warm-up): the
time around ``client.get`` is the server time (middleware, session, auth, scoping, query, template). The page's
main SQL (the query on ``facturation_facture``, captured with ``CaptureQueriesContext``) is then re-run N times
with a raw psycopg cursor on a persistent connection: the bare query time. ``--anchors`` also runs, in the same
run and on the same PostgreSQL server, the anchors of ``/work/shared/bench-anchors`` (schema, COPY ingest of
1 M invoices, read_bench, roundtrip) in a scratch database ``perfanchor``.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

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


def choisir_acteurs_travaux():
    """(label, user, structure id, pieces, pages) for the biggest and the median fournisseur, MOE and MOA of the
    works dossiers (``bench.seed_travaux``), by number of pieces in their dossiers: each structure's gestionnaire
    principal, who holds « Factures de travaux »."""
    from django.db import connection

    from organisation.models import Structure, Utilisateur

    res = []
    for colonne, role, nom in (
        ("fournisseur_id", "FOURNISSEUR", "fournisseur"),
        ("moe_id", "MOE", "MOE"),
        ("moa_id", "MOA", "MOA"),
    ):
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT d.{colonne}, count(*) FROM travaux_piecetravaux p "  # noqa: S608
                "JOIN travaux_dossierfacturation d ON d.id = p.dossier_id GROUP BY 1 ORDER BY 2 DESC, 1"
            )
            tailles = cur.fetchall()
        for label, (sid, n) in (
            (f"travaux : gros {nom}", tailles[0]),
            (f"travaux : {nom} typique (médiane)", tailles[len(tailles) // 2]),
        ):
            structure = Structure.objects.get(pk=sid)
            user = Utilisateur.objects.get(pk=structure.gestionnaire_principal_id)
            res.append((label, user, sid, n, lambda _sid, role=role: pages_travaux(role)))
    return res


def pages_travaux(role):
    """The three « Factures de travaux » lists of issue 11: Synthèse, Rechercher, Tableau de bord (stock) in the
    actor's role."""
    return [
        ("Travaux : Synthèse", "/factures-travaux/"),
        ("Travaux : Rechercher (sans filtre)", "/factures-travaux/rechercher/"),
        (f"Travaux : Tableau de bord role={role}", f"/factures-travaux/tableau-de-bord/?role={role}"),
    ]


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


def _numero_median(cur, sid, role: str) -> str:
    """The first digits of the number of the structure's median invoice (« FA2024-0512 », as a user types them),
    among those it sees in that role (a recipient only sees ``STATUTS_RECUS``)."""
    from facturation.enums import STATUTS_RECUS, StatutFacture

    statuts = list(STATUTS_RECUS) if role == "destinataire" else list(StatutFacture.values)
    visibles = f"{role}_id = %s AND numero <> '' AND statut = ANY(%s)"
    cur.execute(
        f"SELECT numero FROM facturation_facture WHERE {visibles} ORDER BY id "  # noqa: S608
        f"OFFSET (SELECT count(*) / 2 FROM facturation_facture WHERE {visibles}) LIMIT 1",
        [sid, statuts, sid, statuts],
    )
    return cur.fetchone()[0][:11]


def pages_recues_pour(sid):
    """The URLs measured for a recipient (« Factures reçues »): the same shapes as the anchors' read_bench
    (first page of the invoices to process, a status filter, the dashboard)."""
    from django.db import connection

    with connection.cursor() as cur:
        siret = _contrepartie(cur, sid, "destinataire")
        prefixe = _numero_median(cur, sid, "destinataire")
    return [
        ("Reçues : À traiter", "/factures-recues/"),
        ("Reçues : Rechercher (sans filtre)", "/factures-recues/rechercher/"),
        ("Reçues : Rechercher statut=SUSPENDUE", "/factures-recues/rechercher/?statut=SUSPENDUE"),
        (f"Reçues : Rechercher fournisseur={siret}", f"/factures-recues/rechercher/?fournisseur={siret}"),
        (f"Reçues : Rechercher numero={prefixe}", f"/factures-recues/rechercher/?numero={prefixe}"),
        ("Reçues : Tableau de bord", "/factures-recues/tableau-de-bord/"),
    ]


def pages_pour(sid):
    """The URLs measured for a supplier: realistic filter values taken from its own invoices."""
    from django.db import connection

    with connection.cursor() as cur:
        siret = _contrepartie(cur, sid, "fournisseur")
        prefixe = _numero_median(cur, sid, "fournisseur")
    return [
        ("Synthèse", "/factures-emises/"),
        ("Rechercher (sans filtre)", "/factures-emises/rechercher/"),
        ("Rechercher statut=REJETEE", "/factures-emises/rechercher/?statut=REJETEE"),
        (f"Rechercher destinataire={siret}", f"/factures-emises/rechercher/?destinataire={siret}"),
        (f"Rechercher numero={prefixe}", f"/factures-emises/rechercher/?numero={prefixe}"),
        ("Tableau de bord", "/factures-emises/tableau-de-bord/"),
    ]


def mesurer_page(client, url, n, *, sql=True, table="facturation_facture"):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

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
    principales = [q for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"]]
    sql = max(principales, key=lambda q: float(q["time"]))["sql"]
    return pct(ts), sql, len(ctx.captured_queries)


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--anchors", action="store_true")
    ap.add_argument("--explain", help="write EXPLAIN (ANALYZE, BUFFERS) of every main query to this file")
    ap.add_argument("--travaux", action="store_true", help="measure the « Factures de travaux » pages instead")
    ap.add_argument("--only", choices=["gros", "typique"], help="measure one user only")
    ap.add_argument(
        "--tailles", default="gros,médiane", help="which structures, among gros, médiane, petit (comma-separated)"
    )
    ap.add_argument("--pages", default="", help="measure only the pages whose label contains this text (e.g. numero)")
    args = ap.parse_args()

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
        f"{version.split(',')[0]}, shared_buffers {shared_buffers} MB, socket {socket_dir()}"
    )
    if args.travaux:
        utilisateurs, table = choisir_acteurs_travaux(), "travaux_piecetravaux"
        with connection.cursor() as cur:
            cur.execute("SELECT (SELECT count(*) FROM travaux_dossierfacturation), count(*) FROM travaux_piecetravaux")
            dossiers, pieces = cur.fetchone()
        out(
            f"{total:,} factures, {dossiers:,} dossiers de travaux, {pieces:,} pièces; N = {args.n} requests per "
            "page, warm cache\n"
        )
    else:
        (utilisateurs, n_fournisseurs), table = choisir_utilisateurs(args.tailles.split(",")), "facturation_facture"
        out(f"{total:,} factures, {n_fournisseurs:,} fournisseurs; N = {args.n} requests per page, warm cache\n")

    raw = psycopg.connect(dsn(), autocommit=True)
    explain = open(args.explain, "w") if args.explain else None  # noqa: SIM115
    resultats = []
    for label, user, sid, n, pages in utilisateurs:
        if args.only and not label.startswith("gros" if args.only == "gros" else "fournisseur typique"):
            continue
        client = Client()
        client.force_login(user)
        for page, url in pages(sid):
            if args.pages not in page:
                continue
            (p50, p95), sql, nq = mesurer_page(client, url, args.n, table=table)
            b50, b95 = mesurer_sql(raw, sql, args.n)
            unite = "pièces" if args.travaux else "factures"
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
    if explain:
        explain.close()
    raw.close()
    connection.close()

    hello, planchers = plancher([r["sql"] for r in resultats], args.n)
    pile = plancher_du_portail(utilisateurs[1][1], args.n)
    out(
        "| utilisateur | page | requêtes SQL | page p50 / p95 (ms) | requête nue p50 / p95 (ms) | plancher Django "
        "p50 / p95 (ms) | page / requête (p95) | page / plancher (p95) | ≤ 50 ms | ≤ 3× requête | ≤ 3× plancher |"
    )
    out("|---|---|---:|---:|---:|---:|---:|---:|:-:|:-:|:-:|")
    for r, (f50, f95) in zip(resultats, planchers, strict=True):
        ratio, ratio_plancher = r["p95"] / r["b95"], r["p95"] / f95
        out(
            f"| {r['qui']} | {r['page']} | {r['nq']} | {r['p50']:.1f} / {r['p95']:.1f} | {r['b50']:.1f} / "
            f"{r['b95']:.1f} | {f50:.1f} / {f95:.1f} | {ratio:.1f}× | {ratio_plancher:.1f}× | "
            f"{_ok(r['p95'] <= GOAL_P95_MS)} | {_ok(ratio <= GOAL_RATIO)} | {_ok(ratio_plancher <= GOAL_RATIO)} |"
        )
    out(f"\nDjango floor without SQL (`/hello`, same process set-up): p50 {hello[0]:.2f} ms, p95 {hello[1]:.2f} ms.")
    for libelle, (p50, p95) in pile.items():
        out(f"Portal stack, {libelle}: p50 {p50:.2f} ms, p95 {p95:.2f} ms.")

    if args.anchors:
        out("\n## Anchors (/work/shared/bench-anchors), same server, same run\n")
        for name, (text, sec) in anchors(sys.executable).items():
            out(f"### {name} ({sec:.0f} s)\n```\n{text.strip()}\n```")


if __name__ == "__main__":
    main()
