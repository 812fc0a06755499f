"""Volume benchmarks of « Factures émises »: ``seed_volume`` (COPY seeding) and ``mesurer`` (page latency).

Run from the repository root as modules: ``.venv/bin/python -m bench.seed_volume`` then
``.venv/bin/python -m bench.mesurer``. See ``BENCHMARKS.md``."""
