"""Planning time of the main SQL of each measured page, read from an ``--explain`` file of ``bench.mesurer``.

    .venv/bin/python -m bench.planification /tmp/explain.txt [--n 30]

The bare query of ``bench.mesurer`` runs on psycopg, which prepares a statement after five executions and then
skips planning; Django does not prepare, so every page request plans its SQL again. This prints, per page, the
planning time (``EXPLAIN (SUMMARY)``, p50 / p95 over N runs) that the page pays and the bare query does not."""

import argparse

import psycopg

from bench.common import dsn, out, setup_django


def requetes(chemin):
    """(title, SQL) pairs of an ``--explain`` file: a « -- » title line, then the SQL on one line."""
    with open(chemin) as f:
        lignes = f.read().splitlines()
    return [(ligne[3:], lignes[i + 1]) for i, ligne in enumerate(lignes) if ligne.startswith("-- ")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("explain")
    ap.add_argument("--n", type=int, default=30)
    args = ap.parse_args()
    setup_django()
    out("| page | planning p50 / p95 (ms) | execution p50 (ms) |\n|---|---:|---:|")
    with psycopg.connect(dsn(), autocommit=True, prepare_threshold=None) as conn:
        for titre, sql in requetes(args.explain):
            plans, execs = [], []
            for _ in range(args.n):
                lignes = [r[0] for r in conn.execute("EXPLAIN (ANALYZE, SUMMARY) " + sql).fetchall()]
                plans.append(next(float(x.split()[2]) for x in lignes if x.startswith("Planning Time")))
                execs.append(next(float(x.split()[2]) for x in lignes if x.startswith("Execution Time")))
            plans.sort()
            execs.sort()
            p95 = plans[min(len(plans) - 1, int(len(plans) * 0.95))]
            out(f"| {titre} | {plans[len(plans) // 2]:.1f} / {p95:.1f} | {execs[len(execs) // 2]:.1f} |")


if __name__ == "__main__":
    main()
