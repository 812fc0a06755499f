"""What a flux worker's memory is made of (issue 15, goal 1: worker RSS ≤ 300 MB whatever the lot size).

    .venv/bin/python -m bench.rss_worker

In one process, the resident memory (VmRSS) after each step a Celery worker goes through: the interpreter,
``django.setup()``, the Celery app with every task module (what ``celery -A chorus worker`` imports before its
first task), SaxonC's processor, each format's official rules compiled (XSLT) with its XSD, one invoice of each
format read through ``depot.analyser`` (the portal's parse + rules), then 200 more (does it grow per invoice?).
Then a real ``celery worker -P solo`` (bench.flux's command line) at rest: its VmRSS once it answers a ping, before
any task."""

import gc
import os
import re
import sys
import time
from pathlib import Path


def rss_mo(pid: int | str = "self") -> float:
    statut = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", statut).group(1)) / 1024


def main() -> None:
    from bench.common import out
    from bench.flux import documents, setup

    lignes = []

    def etape(nom: str) -> None:
        gc.collect()
        rss = rss_mo()
        delta = rss - lignes[-1][1] if lignes else rss
        lignes.append((nom, rss))
        out(f"| {nom} | {rss:.0f} | +{delta:.0f} |")

    out("| step (cumulative, one process) | VmRSS (MB) | added (MB) |")
    out("|---|---:|---:|")
    etape("interpreter + bench imports")
    setup()
    etape("django.setup() (settings, apps, models)")
    from chorus.celery import app

    app.loader.import_default_modules()
    etape("Celery app + every task module (the worker before its first task)")
    from facturation import depot, en16931

    en16931._processeur()
    etape("SaxonC processor (PySaxonProcessor + XSLT 3.0 compiler)")
    en16931.schema(en16931.CII)
    etape("CII XSD (lxml)")
    en16931.executable(en16931.CII)
    etape("CII EN 16931 rules compiled (SaxonC XSLT)")
    en16931.schema(en16931.UBL_INVOICE)
    en16931.executable(en16931.UBL_INVOICE)
    etape("UBL Invoice XSD + rules")
    en16931.schema(en16931.UBL_CREDITNOTE)
    en16931.executable(en16931.UBL_CREDITNOTE)
    etape("UBL CreditNote XSD + rules")
    for format_ in ("CII", "UBL", "FACTURX"):
        (contenu,) = documents(format_, 1, "RSS-")
        depot.analyser(contenu)
        etape(f"one {format_} invoice read + checked")
    for format_ in ("CII", "UBL"):
        for contenu in documents(format_, 200, "RSS-"):
            depot.analyser(contenu)
        etape(f"200 more {format_} invoices")

    out("\nReading the last chunk's files out of a CII lot (tracemalloc peak of the Python allocations, MB):")
    out("| lot | files per chunk | the whole lot (before: `lire_lot`) | the chunk's own files (`parcourir_lot`) |")
    out("|---:|---:|---:|---:|")
    for n in (1_000, 10_000):
        out(lecture_d_une_tranche(n))

    out("\nA real worker at rest (`celery -A chorus worker -P solo`, after its ping, before any task):")
    from bench.flux import arreter_workers, demarrer_workers

    (worker,) = demarrer_workers(1)
    try:
        time.sleep(2)
        out(f"  VmRSS {rss_mo(worker.pid):.0f} MB")
    finally:
        arreter_workers([worker])


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
