"""200 concurrent users against the production configuration on this machine (issue 15, goal 3).

    .venv/bin/python -m bench.charge --users 200 --spawn-rate 20 --run-time 5m [--workers 2 --threads 4]

What it does, in subprocesses as in a deployment (``chorus.settings.production``, see
``tests/integration/test_production.py``): recreates the database ``chorus_charge`` on the machine's PostgreSQL
(127.0.0.1:5432, user postgres; the portal runs as the restricted application role that ``migrate`` creates) and
flushes a Redis database of the machine's Redis (127.0.0.1:6379); collectstatic, migrate, every application's demo
data (``chorus.demo.chargeurs``); optionally ``--volume N`` invoices of ``bench.seed_volume``'s shape beside the
demo's (the tables the pages read are then big); starts a Celery worker, Celery beat and gunicorn; runs
``bench/locustfile.py`` headless; stops them. Then, **in the same run**, the floor: the anchors' ``http/djapp.py``
(Django + one indexed SELECT of 50 rows) under the same gunicorn settings, loaded by the same locust with the same
number of users and no think time (``bench/locust_plancher.py``), on a scratch ``perfanchor_charge`` database
filled by the anchors' ``ingest.py copy`` (dropped after).

Prints, as Markdown: req/s, failures, p50/p95 per page, the load average sampled during the run, and the floor's
req/s and p95. Nothing is timed by a test; ``tests/integration/test_charge.py`` runs the scenario briefly so that
it cannot rot.
"""

import argparse
import contextlib
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psycopg

from bench.common import out, variables_production

ROOT = Path(__file__).resolve().parent.parent
ANCHORS = Path(os.environ.get("BENCH_ANCHORS", "/work/shared/bench-anchors"))
SERVEUR = os.environ.get("CHORUS_CHARGE_PG", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("CHORUS_CHARGE_REDIS", "redis://127.0.0.1:6379/9")
# CHORUS_CHARGE_DB: another database (and its own application role), e.g. for bench.cout_pages beside a load run.
DATABASE = os.environ.get("CHORUS_CHARGE_DB", "chorus_charge")
PLANCHER_DB = "perfanchor_charge"
ROLE_APPLICATIF = f"{DATABASE}_app"  # created by migrate (chorus.roles), as in docker-compose.yml
MOT_DE_PASSE_ROLE = "charge-app-role"


def _admin(sql: str) -> None:
    with psycopg.connect(f"{SERVEUR}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def recreer_base(nom: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{nom}"')


def environnement(repertoire: Path, conn_max_age: int) -> dict:
    hote = SERVEUR.split("@", 1)[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CHORUS_TEST_"))}
    env.update(
        variables_production(
            proprietaire_url=f"{SERVEUR}/{DATABASE}",
            application_url=f"postgresql://{ROLE_APPLICATIF}:{MOT_DE_PASSE_ROLE}@{hote}/{DATABASE}",
            redis_url=REDIS,
            repertoire=repertoire,
            hotes="127.0.0.1",
        )
    )
    env.update(
        {
            "DB_CONN_MAX_AGE": str(conn_max_age),
            # The demo accounts have no authenticator app; the second factor costs one step at login only.
            "CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _executer(args: list[str], env: dict, nom: str, timeout: float | None = None) -> str:
    """``python args`` from the repository's root; its output, or the run stops with ``nom``'s failure and both
    of its outputs."""
    r = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if r.returncode != 0:
        raise SystemExit(f"{nom} a échoué :\n{r.stdout}\n{r.stderr}")
    return r.stdout


def manage(env: dict, *args: str, timeout: float = 900) -> str:
    return _executer(["manage.py", *args], env, f"manage.py {' '.join(args)}", timeout)


def preparer(env: dict, volume: int, *, modele: bool = False) -> None:
    """Database, static files, schema, demo data (and optional volume) for the production processes.

    ``modele``: the prepared database is kept as the template ``<database>_modele`` (with its media files) and
    the next runs with the same volume clone it in seconds — migrate and the demo take 4–8 minutes on a loaded
    machine."""
    import redis

    with redis.Redis.from_url(REDIS) as client:
        client.flushdb()
    t = time.perf_counter()
    nom_modele = f"{DATABASE}_modele_{volume}"
    medias_modele = ROOT / "var" / nom_modele
    statiques = ROOT / "var" / f"{DATABASE}_static"
    if modele and statiques.is_dir():  # collectstatic's hashing takes minutes on a loaded machine
        shutil.copytree(statiques, env["STATIC_ROOT"], dirs_exist_ok=True)
    else:
        manage(env, "collectstatic", "--noinput", "-v", "0")
        if modele:
            shutil.copytree(env["STATIC_ROOT"], statiques, dirs_exist_ok=True)
    out(f"collectstatic : {time.perf_counter() - t:.0f} s")
    if modele and _existe(nom_modele) and medias_modele.is_dir():
        _admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{DATABASE}" TEMPLATE "{nom_modele}"')
        shutil.copytree(medias_modele, env["MEDIA_ROOT"], dirs_exist_ok=True)
        manage(env, "creer_role_applicatif")  # the template's grants are copied; the role may be new here
        out(f"préparation : copie de {nom_modele} en {time.perf_counter() - t:.0f} s")
        return
    recreer_base(DATABASE)
    manage(env, "migrate", "--noinput")
    if volume:
        seed_volume(volume)
    code = (
        "from django.core.management import call_command\n"
        "from chorus import demo\n"
        "for commande in demo.chargeurs():\n"
        "    call_command(commande)\n"
    )
    manage(env, "shell", "-c", code)
    if modele:
        _admin(f'DROP DATABASE IF EXISTS "{nom_modele}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{nom_modele}" TEMPLATE "{DATABASE}"')
        shutil.rmtree(medias_modele, ignore_errors=True)
        shutil.copytree(env["MEDIA_ROOT"], medias_modele)
    out(f"préparation (migrate, démo{', volume' if volume else ''}) : {time.perf_counter() - t:.0f} s")


def _existe(base: str) -> bool:
    with psycopg.connect(f"{SERVEUR}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [base]).fetchone() is not None


def seed_volume(n: int) -> None:
    """``n`` invoices of bench.seed_volume's shape (its own structures and users) into the same database, after
    ``migrate`` and before the demo: what the demo users' pages read is then a big table, not ten rows."""
    env = {**os.environ, "CHORUS_BENCH_SERVEUR": SERVEUR, "CHORUS_BENCH_DB": DATABASE}
    sortie = _executer(["-m", "bench.seed_volume", "--factures", str(n)], env, "seed_volume")
    out(sortie.strip().splitlines()[-1])


def demarrer(cmd: list[str], env: dict, journal: Path) -> subprocess.Popen:
    with open(journal, "wb") as log:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def arreter(processus: list[subprocess.Popen]) -> None:
    """SIGTERM to each process group (gunicorn's and Celery's children with them), SIGKILL after 30 s."""
    for p in processus:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in processus:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def gunicorn(app: str, port: int, workers: int, threads: int, keep_alive: int = 10) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-tmp-dir",
        "/dev/shm",
        # Longer than a user's think time: gunicorn's default (2 s) closes idle keep-alive connections while
        # locust's pool may reuse them at that very moment (« Connection reset by peer », 57 in a 200-user run).
        # Behind the TLS proxy of a deployment, the proxy's upstream keep-alive sets it.
        "--keep-alive",
        str(keep_alive),
        "--log-level",
        "warning",
    ]


def attendre(url: str, processus: subprocess.Popen, journal: Path, delai: float = 90) -> None:
    fin = time.monotonic() + delai
    derniere_erreur = "aucune réponse"
    while time.monotonic() < fin:
        if processus.poll() is not None:
            raise SystemExit(f"le serveur s'est arrêté :\n{journal.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310  # loopback URL built here
                if r.status == 200:
                    return
                derniere_erreur = f"statut HTTP {r.status}"
        except OSError as exc:  # not listening yet: a starting server refuses connections for a while
            derniere_erreur = str(exc)
        time.sleep(0.5)
    raise SystemExit(f"{url} ne répond pas après {delai} s (dernière erreur : {derniere_erreur})")


class Charge:
    """The load average sampled every 5 s while locust runs (the machine is shared: each figure carries it)."""

    def __init__(self):
        self.mesures: list[float] = []
        self._fin = threading.Event()
        self._fil = threading.Thread(target=self._boucle, daemon=True)

    def _boucle(self):
        while not self._fin.wait(5):
            self.mesures.append(os.getloadavg()[0])

    def __enter__(self):
        self._fil.start()
        return self

    def __exit__(self, *exc):
        self._fin.set()
        self._fil.join()

    def resume(self) -> str:
        if not self.mesures:
            return "n/a"
        return f"{min(self.mesures):.1f}–{max(self.mesures):.1f} (mean {sum(self.mesures) / len(self.mesures):.1f})"


def locust(
    fichier: str, host: str, users: int, spawn_rate: float, run_time: str, prefixe: Path, env: dict | None = None
) -> list[dict]:
    """Run locust headless; return the rows of its stats CSV (one per request name, then « Aggregated »)."""
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / fichier),
        "--host",
        host,
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        run_time,
        "--csv",
        str(prefixe),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "30",
    ]
    r = subprocess.run(cmd, cwd=ROOT, env=env or os.environ, capture_output=True, text=True, check=False, timeout=7200)
    # locust exits 1 when a request failed: the figures are still what we report.
    if not Path(f"{prefixe}_stats.csv").exists():
        raise SystemExit(f"locust n'a rien produit ({r.returncode}) :\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    with open(f"{prefixe}_stats.csv", newline="") as f:
        lignes = list(csv.DictReader(f))
    with open(f"{prefixe}_failures.csv", newline="") as f:
        echecs = list(csv.DictReader(f))
    for e in echecs:
        out(f"  échec : {e['Method']} {e['Name']} × {e['Occurrences']} : {e['Error'][:300]}")
    return lignes


def plancher(repertoire: Path, users: int, spawn_rate: float, run_time: str, workers: int, threads: int) -> dict:
    """The anchors' Django + SELECT under the same gunicorn and the same locust (see the module's doc)."""
    recreer_base(PLANCHER_DB)
    dsn = f"host=127.0.0.1 user=postgres dbname={PLANCHER_DB}"
    env = {**os.environ, "PERF_DSN": dsn, "PERF_DB": PLANCHER_DB, "CONN_MAX_AGE": "60"}
    try:
        subprocess.run(["psql", dsn, "-q", "-f", "schema.sql"], cwd=ANCHORS, env=env, check=True, capture_output=True)
        subprocess.run(
            [sys.executable, "ingest.py", "copy", "100000", "--batch", "10000"],
            cwd=ANCHORS,
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(["psql", dsn, "-q", "-c", "VACUUM ANALYZE"], check=True, capture_output=True)
        port = 8766
        journal = repertoire / "plancher.log"
        cmd = gunicorn("djapp:application", port, workers, threads)
        with open(journal, "wb") as log:
            web = subprocess.Popen(
                cmd, cwd=ANCHORS / "http", env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            attendre(f"http://127.0.0.1:{port}/hello", web, journal)
            with Charge() as charge:
                lignes = locust(
                    "locust_plancher.py", f"http://127.0.0.1:{port}", users, spawn_rate, run_time, repertoire / "pl"
                )
        finally:
            arreter([web])
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{PLANCHER_DB}" WITH (FORCE)')
    total = next(lg for lg in lignes if lg["Name"] == "Aggregated")
    return {"ligne": total, "charge": charge.resume()}


def ms(valeur: str) -> str:
    return "n/a" if valeur in ("", "N/A") else f"{float(valeur):.0f}"


@contextlib.contextmanager
def portail(env: dict, repertoire: Path, *, workers: int, threads: int, celery_concurrency: int, port: int = 8765):
    """gunicorn, a Celery worker and Celery beat in the production configuration; yields the server's URL."""
    processus = []
    try:
        worker = [sys.executable, "-m", "celery", "-A", "chorus", "worker", "-l", "WARNING"]
        worker += ["-c", str(celery_concurrency), "-n", f"charge-{os.getpid()}@%h"]
        processus.append(demarrer(worker, env, repertoire / "worker.log"))
        beat = [sys.executable, "-m", "celery", "-A", "chorus", "beat", "-l", "WARNING"]
        beat += ["--schedule", str(repertoire / "beat-schedule")]
        processus.append(demarrer(beat, env, repertoire / "beat.log"))
        web = demarrer(gunicorn("chorus.wsgi:application", port, workers, threads), env, repertoire / "web.log")
        processus.append(web)
        attendre(f"http://127.0.0.1:{port}/health", web, repertoire / "web.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        arreter(processus)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--spawn-rate", type=float, default=20)
    ap.add_argument("--run-time", default="5m")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    ap.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (gthread when > 1)")
    ap.add_argument("--conn-max-age", type=int, default=60, help="DB_CONN_MAX_AGE (0: a connection per request)")
    ap.add_argument("--celery-concurrency", type=int, default=1)
    ap.add_argument("--volume", type=int, default=0, help="invoices of bench.seed_volume's shape to add")
    ap.add_argument("--modele", action="store_true", help="keep / reuse the prepared database as a template")
    ap.add_argument("--plancher-run-time", default="60s", help="duration of the floor's locust run")
    ap.add_argument("--sans-plancher", action="store_true")
    ap.add_argument("--repertoire", help="keep the logs and CSV here (default: a temporary directory)")
    args = ap.parse_args()

    repertoire = Path(args.repertoire or tempfile.mkdtemp(prefix="chorus-charge-"))
    repertoire.mkdir(parents=True, exist_ok=True)
    env = environnement(repertoire, args.conn_max_age)
    out(f"début {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, load average {os.getloadavg()}")
    preparer(env, args.volume, modele=args.modele)

    with portail(
        env, repertoire, workers=args.workers, threads=args.threads, celery_concurrency=args.celery_concurrency
    ) as url:
        t = time.perf_counter()
        with Charge() as charge:
            lignes = locust("locustfile.py", url, args.users, args.spawn_rate, args.run_time, repertoire / "portail")
        duree = time.perf_counter() - t
    sol = None
    if not args.sans_plancher:
        sol = plancher(repertoire, args.users, args.spawn_rate, args.plancher_run_time, args.workers, args.threads)

    total = next(lg for lg in lignes if lg["Name"] == "Aggregated")
    out(
        f"\n{args.users} users, spawn {args.spawn_rate}/s, {args.run_time} ({duree:.0f} s with spawn and stop); "
        f"gunicorn {args.workers} workers × {args.threads} threads, DB_CONN_MAX_AGE={args.conn_max_age}, "
        f"Celery worker concurrency {args.celery_concurrency}; load average during the run {charge.resume()}; "
        f"logs in {repertoire}"
    )
    out("\n| request | requests | failures | req/s | p50 (ms) | p95 (ms) | max (ms) | p95 ≤ 300 ms |")
    out("|---|---:|---:|---:|---:|---:|---:|:-:|")
    for lg in sorted(lignes, key=lambda x: x["Name"] == "Aggregated"):
        p95 = lg["95%"]
        ok = "✅" if p95 not in ("", "N/A") and float(p95) <= 300 else "❌"
        out(
            f"| {lg['Name']} | {lg['Request Count']} | {lg['Failure Count']} | {float(lg['Requests/s']):.1f} | "
            f"{ms(lg['50%'])} | {ms(p95)} | {ms(lg['Max Response Time'])} | {ok} |"
        )
    if sol:
        s = sol["ligne"]
        out(
            f"\nFloor of the same run (anchors' djapp: Django + 1 SELECT of 50 rows, same gunicorn, same locust, "
            f"{args.users} users without think time, {args.plancher_run_time}; load {sol['charge']}): "
            f"{float(s['Requests/s']):.0f} req/s, p50 {ms(s['50%'])} / p95 {ms(s['95%'])} ms, "
            f"{s['Failure Count']} failures. Portal: {float(total['Requests/s']):.1f} req/s = "
            f"{float(total['Requests/s']) / max(float(s['Requests/s']), 1e-9):.2f}× the floor's capacity."
        )


if __name__ == "__main__":
    main()
