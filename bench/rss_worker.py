"""What a flux worker's memory is made of (issue 15, goal 1: worker RSS ≤ 300 MB whatever the lot size).

    .venv/bin/python -m bench.rss_worker [--factures 1000] [--profils CII UBL CII+UBL FACTURX] [--saxon portail graalvm]

Each profile runs in a fresh process started as a Celery worker is (``DATABASE_URL`` and ``REDIS_URL`` in its
environment, so that the embedded servers' libraries are not imported), which goes through the steps of a worker
and prints its resident memory (VmRSS) after each: ``django.setup()``, the Celery app with every task module (what
``celery -A chorus worker`` imports before its first task; the PDF libraries it has loaded are listed), SaxonC's
processor, then for each format of the profile its official rules (XSD + XSLT) compiled, one invoice read and checked
through ``depot.analyser`` (the portal's parse + rules), then ``--factures`` more, the RSS after each fifth, and at
the end the process's peak (VmHWM). « CII » and « UBL » are a worker of one flux queue (``-Q flux-cii``), « CII+UBL »
a worker of every queue that met both syntaxes, « FACTURX » a worker of Factur-X PDFs (pypdf and pyHanko load with
the first PDF). Each profile runs once per ``--saxon`` heap setting of SaxonC's GraalVM isolate: ``portail`` (the
portal's, ``facturation.isolat_saxon.OPTIONS``), ``graalvm`` (GraalVM's defaults: the isolate sized from the
machine's memory, as before the portal set it), or explicit options (``"-Xmn16m -Xmx1g"``); the loop's
milliseconds per invoice are printed with the peak. Then real ``celery worker -P solo`` processes at rest (after
their ping, before any task): one of every queue, one per flux queue. Then what reading a chunk's files costs
(tracemalloc)."""

import argparse
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOURDES = ["pypdf", "pyhanko", "facturx", "PIL", "reportlab", "qrcode", "saxonche"]
FORMATS = {"CII": "CII", "UBL": "UBL_INVOICE", "FACTURX": "CII"}  # format -> the syntax whose rules it runs


def rss_mo(pid: int | str = "self", champ: str = "VmRSS") -> float:
    statut = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{champ}:\s+(\d+) kB", statut).group(1)) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--factures", type=int, default=1000, help="invoices checked per format after the first")
    ap.add_argument("--profils", nargs="+", default=["CII", "UBL", "CII+UBL", "FACTURX"])
    ap.add_argument("--saxon", nargs="+", default=["portail"], help="portail, graalvm or explicit isolate options")
    ap.add_argument("--profil", help=argparse.SUPPRESS)  # the child process of one profile
    ap.add_argument("--documents", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.profil:
        profil_enfant(args.profil, Path(args.documents), args.factures)
        return

    from bench.common import out
    from bench.flux import arreter_workers, demarrer_workers, documents, setup

    setup()  # the embedded servers; their URLs go to the children's environment (as a worker's)
    out(f"load average at the start: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} over 1 / 5 / 15 min")
    with tempfile.TemporaryDirectory() as dossier:
        lots = Path(dossier)
        for format_ in {f for profil in args.profils for f in profil.split("+")}:
            # Written here, so that a child reads files and never renders a PDF (a Factur-X lot is generated).
            (lots / format_).mkdir()
            for i, contenu in enumerate(documents(format_, args.factures + 1, "RSS-")):
                (lots / format_ / f"{i:05d}").write_bytes(contenu)
        for profil in args.profils:
            for saxon in args.saxon:
                profil_mesure(profil, saxon, dossier, args.factures)
        out(f"load average after the profiles: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")

    out("\nReal workers at rest (`celery -A chorus worker -P solo`, after their ping, before any task):")
    for files in (None, ["flux-cii"], ["flux-ubl"], ["flux-facturx"]):
        (worker,) = demarrer_workers(1, files=files)
        try:
            time.sleep(2)
            out(f"  {'-Q ' + ','.join(files) if files else 'every queue'}: VmRSS {rss_mo(worker.pid):.0f} MB")
        finally:
            arreter_workers([worker])

    out("\nReading the last chunk's files out of a CII lot (tracemalloc peak of the Python allocations, MB):")
    out("| lot | files per chunk | the whole lot (before: `lire_lot`) | the chunk's own files (`parcourir_lot`) |")
    out("|---:|---:|---:|---:|")
    for n in (1_000, 10_000):
        out(lecture_d_une_tranche(n))


def environnement_saxon(saxon: str) -> dict:
    """The child's environment for one ``--saxon`` setting (``facturation.isolat_saxon.VARIABLE``)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chorus.settings.dev"}
    env.pop("CHORUS_SAXON_OPTIONS", None)
    if saxon == "graalvm":
        env["CHORUS_SAXON_OPTIONS"] = ""
    elif saxon != "portail":
        env["CHORUS_SAXON_OPTIONS"] = saxon
    return env


def profil_mesure(profil: str, saxon: str, dossier: str, factures: int) -> None:
    from bench.common import out

    out(f"\n**{profil}**, SaxonC heap: {saxon} (one process; {factures:,} invoices after the first of each format):\n")
    out("| step (cumulative) | VmRSS (MB) | added (MB) |")
    out("|---|---:|---:|")
    sortie = subprocess.run(  # nosec B603 - this interpreter, this module
        [sys.executable, "-m", "bench.rss_worker", "--profil", profil, "--documents", dossier]
        + ["--factures", str(factures)],
        env=environnement_saxon(saxon),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    precedent = None
    for ligne in sortie.splitlines():
        if not ligne.startswith("{"):
            continue
        etape = json.loads(ligne)
        if "libs" in etape:
            out(f"| PDF libraries loaded at this point: {', '.join(etape['libs']) or 'none'} | | |")
            continue
        if "ms" in etape:
            out(
                f"| SaxonC isolate options: `{' '.join(etape['options']) or 'GraalVM defaults'}`; loop: "
                f"{etape['ms']:.1f} ms per invoice | | |"
            )
            continue
        ajout = f"+{etape['rss'] - precedent:.0f}" if precedent is not None else ""
        out(f"| {etape['nom']} | {etape['rss']:.0f} | {ajout} |")
        precedent = etape["rss"]


def profil_enfant(profil: str, dossier: Path, factures: int) -> None:
    """One profile, in this fresh process: a JSON line per step."""

    from bench.common import out

    def etape(nom: str) -> None:
        gc.collect()
        out(json.dumps({"nom": nom, "rss": rss_mo()}))

    def libs() -> None:
        out(json.dumps({"libs": sorted(nom for nom in LOURDES if nom in sys.modules)}))

    etape("interpreter")
    import django

    django.setup()
    etape("`django.setup()` (settings, apps, models, admin)")
    from chorus.celery import app

    app.loader.import_default_modules()
    etape("Celery app + every task module (a worker before its first task)")
    libs()
    from facturation import depot, en16931, isolat_saxon

    en16931._processeur()
    etape("SaxonC processor (PySaxonProcessor + XSLT 3.0 compiler)")
    duree, nombre = 0.0, 0
    for format_ in profil.split("+"):
        syntaxe = FORMATS[format_]
        en16931.schema(syntaxe)
        en16931.executable(syntaxe)
        etape(f"{format_}: its XSD + official rules compiled")
        fichiers = sorted((dossier / format_).iterdir())
        analyse = depot.analyser(fichiers[0].read_bytes())
        assert not analyse.erreurs, analyse.erreurs
        etape(f"{format_}: one invoice read + checked")
        if format_ == "FACTURX":
            libs()
        pas = max(1, factures // 5)
        debut, mesure = time.perf_counter(), 0.0
        for k, fichier in enumerate(fichiers[1:], start=1):
            depot.analyser(fichier.read_bytes())
            if k % pas == 0:
                mesure += time.perf_counter() - debut
                etape(f"{format_}: {k:,} more invoices")
                debut = time.perf_counter()
        duree += mesure + time.perf_counter() - debut
        nombre += len(fichiers) - 1
    out(json.dumps({"nom": "**peak of the process (VmHWM)**", "rss": rss_mo(champ="VmHWM")}))
    out(json.dumps({"ms": 1000 * duree / max(1, nombre), "options": isolat_saxon.options()}))


def lecture_d_une_tranche(n: int) -> str:
    import tracemalloc

    from bench.flux import documents, tar_gz
    from facturation import lots
    from facturation.api import flux

    lot = tar_gz(documents("CII", n, "LEC-"), "xml")
    taille = max(flux.TAILLE_TRANCHE, -(-n // flux.MAX_TRANCHES))
    derniere = list(range(n - taille, n))
    pics = []
    for lire in (
        lambda: lots.lire_lot(lot, "lot.tar.gz"),
        lambda: dict(lots.parcourir_lot(lot, "lot.tar.gz", derniere)),
    ):
        gc.collect()
        tracemalloc.start()
        lus = lire()
        pics.append(tracemalloc.get_traced_memory()[1] / 1e6)
        tracemalloc.stop()
        del lus
    return f"| {n:,} | {taille} | {pics[0]:.1f} | {pics[1]:.1f} |"


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    main()
