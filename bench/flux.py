"""Flux ingestion throughput (issue 15, goal 1): lots of CII, UBL or Factur-X invoices deposited as the API's
``deposer/flux`` does (``creer_flux``, then the real Celery workers), timed from the deposit to the flux's final
state, next to the same run's ceiling.

    .venv/bin/python -m bench.flux [--lots CII:1000 UBL:1000 FACTURX:1000 CII:10000] [--workers 1 2] [--par-syntaxe]
                                   [--saxon portail|graalvm|"-Xmn… -Xmx…"]

Each lot runs in the scratch database ``chorus_bench_flux`` (created and migrated on the embedded PostgreSQL, dropped
at the end) with ``--workers`` Celery worker processes (``-P solo``, one process each, as ``docker compose up
--scale worker=N`` would run them): workers of every queue, or with ``--par-syntaxe`` workers of the lot's syntax's
queue only (``-Q flux-cii``…, as docker-compose.yml's ``worker-flux-*`` services). Reported per lot: invoices/s end
to end, the workers' peak RSS (VmHWM), and the **ceiling** of the same run, measured right before each lot: the
invoices/s of the format's parse + official EN 16931 rules (the portal's own ``depot.analyser``, which every deposit
must run) on all cores (a process pool), combined with the same run's COPY rate of invoice-shaped rows (invoice + 5
lines + 1 history row, the anchors' ``ingest.py copy``): ``1 / (1 / parse_rules_all_cores + 1 / copy)``, since both
share the machine's cores. ``--saxon`` sets the heap of SaxonC's GraalVM isolate for the whole run (workers and
ceiling alike): ``portail`` the portal's (``facturation.isolat_saxon.OPTIONS``, the default), ``graalvm`` GraalVM's
own defaults (sized from the machine's memory), or explicit options."""

import argparse
import io
import multiprocessing
import os
import re
import subprocess
import sys
import tarfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.common import out

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "facturation" / "data"
ANCHORS = Path(os.environ.get("BENCH_ANCHORS", "/work/shared/bench-anchors"))
DATABASE = "chorus_bench_flux"
REDIS_DB = 7
# The test documents' parties: the seller and its IBAN, the State (SIRET, service, engagement required).
SIRET_VENDEUR = "40483304800014"
SIRET_ETAT = "11000201100044"
IBAN = "FR7630006000011234567890189"
NUMERO_MODELE = b"FAC-2026-0117"
SYNTAXES = {"CII": "IN_DP_E1_CII_16B", "UBL": "IN_DP_E1_UBL_INVOICE", "FACTURX": "IN_DP_E2_CII_FACTURX"}


def setup() -> None:
    import logging

    logging.getLogger("factur-x").setLevel(logging.WARNING)
    from chorus import embedded

    os.environ["DJANGO_SETTINGS_MODULE"] = "chorus.settings.dev"
    os.environ["DATABASE_URL"] = embedded.postgres_url(DATABASE)
    os.environ["REDIS_URL"] = embedded.redis_url(REDIS_DB)
    os.environ["DB_CONN_MAX_AGE"] = "600"
    import django

    django.setup()


def preparer_donnees():
    """The seller (its GP, bank details, mandate, technical account) and the State with its service."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from organisation import services as org_services
    from organisation.api import comptes
    from organisation.enums import TypeStructure
    from organisation.models import ModificationDifferee, Service, Structure, Utilisateur

    call_command("migrate", verbosity=0)
    gp = Utilisateur.objects.create_user(email="gp@bench-flux.local", password="Bench-Flux_2026", is_active=True)
    vendeur = org_services.creer_structure_par_utilisateur(
        acting_user=gp, siret=SIRET_VENDEUR, raison_sociale="Vendeur du banc", type_structure=TypeStructure.PRIVEE
    )
    org_services.ajouter_coordonnees_bancaires(
        acting_user=gp, structure=vendeur, titulaire="Vendeur du banc", iban=IBAN, bic="AGRIFRPP882"
    )
    org_services.souscrire_mandat_facturation(acting_user=gp, structure=vendeur)
    ModificationDifferee.objects.update(effective_at=timezone.now() - timedelta(seconds=1))
    org_services.appliquer_modifications_dues()
    etat = Structure.objects.create(
        identifiant=SIRET_ETAT,
        raison_sociale="ETAT",
        type_structure=TypeStructure.PUBLIQUE,
        statut="ACTIVE",
        code_service_obligatoire=True,
    )
    Service.objects.create(structure=etat, code="DRFIP_IDF", libelle="DRFIP Île-de-France", engagement_obligatoire=True)
    compte, _ = comptes.creer_compte_technique(structure=vendeur, login="TECH_1_bench@cpro.fr", mot_de_passe="m")
    return vendeur, compte


def _numero(prefixe: str, i: int) -> bytes:
    return f"{prefixe}{i:07d}".encode()


def documents(format_: str, n: int, prefixe: str) -> list[bytes]:
    """``n`` invoices of the format differing by their number (BT-1), as an ERP's lot."""
    if format_ == "UBL":
        modele = (DATA / "facture_ubl_valide.xml").read_bytes()
        return [modele.replace(NUMERO_MODELE, _numero(prefixe, i)) for i in range(n)]
    modele = (DATA / "facture_cii_valide.xml").read_bytes()
    if format_ == "CII":
        return [modele.replace(NUMERO_MODELE, _numero(prefixe, i)) for i in range(n)]
    from facturation import depot
    from facturation.facturx import generer_pdf_facturx

    donnees = depot.analyser(modele).donnees
    lot = []
    for i in range(n):
        donnees.numero = _numero(prefixe, i).decode()
        lot.append(generer_pdf_facturx(donnees))
    return lot


def tar_gz(contenus: list[bytes], extension: str) -> bytes:
    tampon = io.BytesIO()
    with tarfile.open(fileobj=tampon, mode="w:gz") as archive:
        for i, contenu in enumerate(contenus):
            info = tarfile.TarInfo(f"facture_{i:05d}.{extension}")
            info.size = len(contenu)
            archive.addfile(info, io.BytesIO(contenu))
    return tampon.getvalue()


def demarrer_workers(nombre: int, files: list[str] | None = None) -> list[subprocess.Popen]:
    """``nombre`` worker processes (``-P solo``) consuming ``files`` (every queue when ``None``)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    selection = ["-Q", ",".join(files)] if files else []
    log = open(ROOT / "var" / "bench-flux-workers.log", "ab")  # noqa: SIM115 - closed with the workers
    workers = [
        subprocess.Popen(  # nosec B603 - this interpreter, fixed arguments
            [sys.executable, "-m", "celery", "-A", "chorus", "worker", "-P", "solo", "-c", "1", "-l", "WARNING"]
            + ["-n", f"bench-flux-{k}@%h", "--without-mingle", "--without-gossip", "--without-heartbeat"]
            + selection,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for k in range(nombre)
    ]
    from chorus.celery import app

    fin = time.monotonic() + 90
    while len(app.control.ping(timeout=0.5) or []) < nombre:
        if time.monotonic() > fin:
            raise RuntimeError("Les workers Celery ne répondent pas (var/bench-flux-workers.log).")
    return workers


def arreter_workers(workers: list[subprocess.Popen]) -> None:
    import signal

    for w in workers:
        os.killpg(w.pid, signal.SIGTERM)
    for w in workers:
        w.wait(timeout=60)


def rss_max_mo(workers: list[subprocess.Popen]) -> float:
    """The workers' peak resident memory (VmHWM of each process and its children), in MB."""
    return max((_rss_mo(pid, "VmHWM") for w in workers for pid in [w.pid, *_enfants(w.pid)]), default=0.0)


def _rss_mo(pid: int, champ: str) -> float:
    try:
        statut = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0.0
    m = re.search(rf"{champ}:\s+(\d+) kB", statut)
    return int(m.group(1)) / 1024 if m else 0.0


def _enfants(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def mesurer_lot(
    vendeur, compte, format_: str, n: int, nb_workers: int, prefixe: str, *, par_syntaxe: bool = False
) -> dict:
    from facturation.api.flux import FINAUX
    from facturation.api.tasks import file_du_flux
    from facturation.api.vues_flux import creer_flux
    from facturation.models import FluxDepot

    contenus = documents(format_, n, prefixe)
    lot = tar_gz(contenus, "pdf" if format_ == "FACTURX" else "xml")
    del contenus
    workers = demarrer_workers(nb_workers, files=[file_du_flux(SYNTAXES[format_])] if par_syntaxe else None)
    repos = max(_rss_mo(w.pid, "VmRSS") for w in workers)  # ready, before any task
    try:
        debut = time.perf_counter()
        flux = creer_flux(
            structure=vendeur, compte=compte, syntaxe=SYNTAXES[format_], nom_fichier="lot.tar.gz", contenu=lot
        )
        while True:
            time.sleep(0.5)
            flux = FluxDepot.objects.get(pk=flux.pk)
            if flux.etat in FINAUX:
                break
        duree = time.perf_counter() - debut
        rss = rss_max_mo(workers)
        pics = [_rss_mo(w.pid, "VmHWM") for w in workers]
    finally:
        arreter_workers(workers)
    integrees = flux.factures.count()
    return {
        "etat": flux.etat,
        "integrees": integrees,
        "erreurs": len(flux.erreurs_dp),
        "duree": duree,
        "par_seconde": integrees / duree,
        "rss": rss,
        "repos": repos,
        "pics": pics,
        "premiere_erreur": flux.erreurs_dp[0]["libelleErreurDP"] if flux.erreurs_dp else "",
        "erreur_du_lot": "; ".join(str(e) for e in flux.erreurs_techniques),
    }


def _analyser(contenu: bytes) -> int:
    from facturation import depot

    return len(depot.analyser(contenu).erreurs)


def _init_pool(echantillon: bytes) -> None:
    """Django set up and the format's rules compiled in this process before the clock starts: a process that
    compiled them inside the timed part (the pool hands out work to whichever process is ready, so the old warm-up
    map could give both of its documents to one process) made « all cores » as slow as one core (2026-12-05: CII
    60 / s on all cores, 62 / s on one), and the ratio to the ceiling swung with it."""
    import django

    django.setup()
    _analyser(echantillon)


def plafond_analyse(format_: str, n: int = 480) -> tuple[float, float]:
    """(invoices/s on one core, on all cores) of parse + official rules of the format, the portal's own reading."""
    contenus = documents(format_, n, "PLF-")
    _analyser(contenus[0])  # rules compiled once
    t = time.perf_counter()
    for c in contenus[: n // 4]:
        _analyser(c)
    un_coeur = (n // 4) / (time.perf_counter() - t)
    # Spawned, not forked: a fork of this process inherits SaxonC's isolate (a GraalVM native image, with its own
    # threads) half-alive; UBL on « all cores » came out slower than on one (247 / s against 260, quiet machine).
    contexte = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=os.cpu_count(), mp_context=contexte, initializer=_init_pool, initargs=(contenus[0],)
    ) as pool:
        list(pool.map(_analyser, contenus[: os.cpu_count()]))  # every process started (each warms itself)
        t = time.perf_counter()
        erreurs = sum(pool.map(_analyser, contenus, chunksize=8))
        tous = n / (time.perf_counter() - t)
    assert erreurs == 0, "le document du banc ne respecte pas ses règles"
    return un_coeur, tous


def plafond_copy(n: int = 100_000) -> float:
    """The anchors' COPY of invoice + 5 lines + 1 history row, on this run's PostgreSQL, in invoices/s."""
    import psycopg

    from bench.common import dsn

    with psycopg.connect(dsn("postgres"), autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS perfanchor_flux WITH (FORCE)")
        c.execute("CREATE DATABASE perfanchor_flux")
    env = {**os.environ, "PERF_DSN": dsn("perfanchor_flux")}
    try:
        with psycopg.connect(env["PERF_DSN"], autocommit=True) as c:
            c.execute((ANCHORS / "schema.sql").read_text())
        sortie = subprocess.run(  # nosec B603 - this interpreter, the anchors' script
            [sys.executable, "ingest.py", "copy", str(n), "--batch", "10000"],
            cwd=ANCHORS,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        with psycopg.connect(dsn("postgres"), autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS perfanchor_flux WITH (FORCE)")
    return float(re.search(r"end-to-end: (\d+) invoices/s", sortie).group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lots", nargs="+", default=["CII:1000", "UBL:1000", "FACTURX:1000", "CII:10000"])
    ap.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--garder", action="store_true", help="keep the scratch database")
    ap.add_argument(
        "--par-syntaxe", action="store_true", help="workers of the lot's syntax's queue only (-Q flux-cii...)"
    )
    ap.add_argument("--saxon", default="portail", help="SaxonC's isolate heap: portail, graalvm or explicit options")
    args = ap.parse_args()
    os.environ.pop("CHORUS_SAXON_OPTIONS", None)  # read by facturation.isolat_saxon, here and in the workers
    if args.saxon != "portail":
        os.environ["CHORUS_SAXON_OPTIONS"] = "" if args.saxon == "graalvm" else args.saxon
    import psycopg

    from bench.common import dsn

    with psycopg.connect(dsn("postgres"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    setup()
    vendeur, compte = preparer_donnees()
    out(f"cores: {os.cpu_count()}; SaxonC isolate heap: {args.saxon}")
    copy = plafond_copy()
    out(f"COPY invoice + 5 lines + 1 history (anchors' ingest.py, same server): {copy:,.0f} invoices/s")
    out(
        "\n| format | lot | workers | final state | integrated | seconds | invoices/s | ceiling (same run) "
        "| % of ceiling | worker RSS at rest → peak (MB) |"
    )
    out("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for k, lot in enumerate(args.lots):
        format_, n = lot.split(":")
        for nb in args.workers:
            # The ceiling is measured right before each lot: on a shared machine the load drifts within a run.
            un, tous = plafond_analyse(format_)
            plafond = 1 / (1 / tous + 1 / copy)
            out(f"  ({format_}: parse + rules {un:.1f}/s on one core, {tous:.1f}/s on all cores just before)")
            r = mesurer_lot(vendeur, compte, format_, int(n), nb, prefixe=f"B{k}{nb}-", par_syntaxe=args.par_syntaxe)
            out(
                f"| {format_} | {int(n):,} | {nb} | {r['etat']} | {r['integrees']:,} | {r['duree']:.1f} | "
                f"{r['par_seconde']:.1f} | {plafond:.1f} | {100 * r['par_seconde'] / plafond:.0f} % | "
                f"{r['repos']:.0f} → {r['rss']:.0f} |"
            )
            # The machine is shared: the load average says how much of it the lot had.
            out(f"  (load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} over 1 / 5 / 15 min)")
            out(f"  (each worker's peak VmHWM: {', '.join(f'{p:.0f}' for p in r['pics'])} MB)")
            if r["erreur_du_lot"]:
                out(f"  (le lot refusé en entier : {r['erreur_du_lot']})")
            if r["premiere_erreur"]:
                out(f"  ({r['erreurs']} erreur(s), la première : {r['premiere_erreur']})")
    if not args.garder:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(dsn("postgres"), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


if __name__ == "__main__":
    main()
