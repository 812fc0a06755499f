"""« Exporter » at volume: peak memory and rows/s of the CSV and XLSX writers, 50,000 and 500,000 rows.

    .venv/bin/python -m bench.exports [--lignes 50000 500000]

The rows are invoice-shaped (the 17 columns of « Factures émises »' export: texts, dates, amounts) and generated in
memory, so the figure is the writer's own cost; in the portal the rows come from a server-side cursor
(``QuerySet.iterator``), which keeps the database side flat too. Peak memory is measured with tracemalloc (Python
allocations) and the process's RSS growth; « rows/s bare » is the same generator consumed without writing, in the
same run: the writer's cost is read as a ratio to it."""

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime
from decimal import Decimal

import django


def _lignes(nombre: int):
    for i in range(nombre):
        yield (
            f"F-2026-{i:07d}",
            "Facture",
            "A1 – Dépôt par un fournisseur d'une facture",
            "Mise à disposition du destinataire",
            date(2026, 1 + i % 12, 1 + i % 28),
            datetime(2026, 1 + i % 12, 1 + i % 28, 10, 30, tzinfo=UTC),
            "Commune de Saint-Martin",
            "21740056300011",
            "SERVICE_FINANCIER",
            "Bâtiments Martin SAS",
            "44306184100047",
            Decimal("1250.00") + i % 1000,
            Decimal("250.00"),
            Decimal("1500.00") + i % 1000,
            "EUR",
            f"EJ-{i % 5000}",
            f"MARCHE-{i % 300}",
        )


ENTETES = [f"Colonne {i}" for i in range(17)]


def _mesurer(nom, fabrique, nombre):
    """Speed without tracing, then peak Python memory in a second pass under tracemalloc (which slows it)."""
    gc.collect()
    rss_avant = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    debut = time.perf_counter()
    octets = sum(len(morceau) for morceau in fabrique(_lignes(nombre)))
    duree = time.perf_counter() - debut
    rss_apres = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    gc.collect()
    tracemalloc.start()
    for _ in fabrique(_lignes(nombre)):
        pass
    pic = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "nom": nom,
        "lignes": nombre,
        "lignes_s": nombre / duree,
        "pic_mo": pic / 1e6,
        "rss_mo": max(0, rss_apres - rss_avant) / 1e3,
        "taille_mo": octets / 1e6,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lignes", type=int, nargs="+", default=[50_000, 500_000])
    args = parser.parse_args()
    django.setup()
    from chorus import exports

    def nu(lignes):  # the same rows, consumed without writing anything: the floor of this run
        for _ in lignes:
            yield b""

    def csv(lignes):
        return exports.reponse_csv("x.csv", ENTETES, lignes).streaming_content

    def xlsx(lignes):
        return exports.reponse_xlsx("x.xlsx", "Factures", ENTETES, lignes).streaming_content

    sys.stdout.write(
        "| export | rows | rows/s | ratio to bare rows/s | peak Python memory | RSS growth | file size |\n"
    )
    sys.stdout.write("|---|---:|---:|---:|---:|---:|---:|\n")
    for nombre in args.lignes:
        plancher = _mesurer("bare", nu, nombre)
        for nom, fabrique in (("CSV", csv), ("XLSX", xlsx)):
            r = _mesurer(nom, fabrique, nombre)
            sys.stdout.write(
                f"| {nom} | {nombre:,} | {r['lignes_s']:,.0f} | {r['lignes_s'] / plancher['lignes_s']:.2f} "
                f"| {r['pic_mo']:.1f} MB | {r['rss_mo']:.1f} MB | {r['taille_mo']:.1f} MB |\n"
            )


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus.settings.dev")
    main()
