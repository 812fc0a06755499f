"""cProfile of N requests of one page, in-process through the whole Django stack, as ``bench.mesurer`` times them.

    .venv/bin/python -m bench.profiler /factures-travaux/ --structure 1142 [--n 50] [--tri tottime] [--lignes 40]

Run on a database filled by ``bench.seed_volume`` (``CHORUS_BENCH_DB``). The user is the gestionnaire principal of
``--structure`` (as ``bench.mesurer`` picks them). Prints the mean time per request without the profiler and
the process's CPU time in it (the Python work, steadier than the wall clock on a loaded machine), the SQL
queries of one request and their share, then the profile's top functions: where a page's time goes once its SQL is
cheap (BENCHMARKS.md, « Factures de travaux »).
"""

import argparse
import cProfile
import pstats
import time

from bench.common import out, setup_django


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("url")
    ap.add_argument("--structure", type=int, required=True, help="the structure whose gestionnaire principal asks")
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--tri", default="cumulative", help="pstats sort key (cumulative, tottime…)")
    ap.add_argument("--lignes", type=int, default=40)
    args = ap.parse_args()

    setup_django(conn_max_age=600)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from organisation.models import Structure, Utilisateur

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    structure = Structure.objects.get(pk=args.structure)
    client = Client()
    client.force_login(Utilisateur.objects.get(pk=structure.gestionnaire_principal_id))
    for _ in range(10):  # warm-up
        assert client.get(args.url).status_code == 200, args.url
    t, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.n):
        client.get(args.url)
    moyenne = (time.perf_counter() - t) / args.n * 1e3
    # This process's CPU time: the Python work of a request, without its waits on PostgreSQL — on a loaded machine
    # far steadier than the wall clock.
    cpu_ms = (time.process_time() - cpu) / args.n * 1e3
    with CaptureQueriesContext(connection) as ctx:
        client.get(args.url)
    sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1e3
    out(f"{args.url}: {moyenne:.1f} ms per request without the profiler, {cpu_ms:.1f} ms of Python CPU (n = {args.n})")
    out(f"{len(ctx.captured_queries)} SQL queries, {sql_ms:.1f} ms of SQL in one request:")
    for q in ctx.captured_queries:
        out(f"  {float(q['time']) * 1e3:7.1f} ms  {q['sql'][:150]}")
    profil = cProfile.Profile()
    profil.enable()
    for _ in range(args.n):
        client.get(args.url)
    profil.disable()
    pstats.Stats(profil).sort_stats(args.tri).print_stats(args.lignes)


if __name__ == "__main__":
    main()
