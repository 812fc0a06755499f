"""What the Tableaux de bord's counters cost the writers, on a seeded database (``bench.seed_volume``): a bulk
insert of 20,000 invoices and single-invoice status changes with and without the counting triggers, the fold of
what those writes appended (``facturation.compteurs.compacter``, the beat's minute job) and the full recount of
``verifier_compteurs``. Inserts are rolled back; the status changes are undone, then everything appended is folded.

    CHORUS_BENCH_DB=bench_compteurs .venv/bin/python -m bench.compteurs
"""

import argparse
import statistics
import time

from bench.common import dsn, out, setup_django

TRIGGERS = ("facturation_compteurs_insert", "facturation_compteurs_update", "facturation_compteurs_delete")


def _triggers(cur, *, actifs: bool) -> None:
    verbe = "ENABLE" if actifs else "DISABLE"
    for nom in TRIGGERS:
        cur.execute(f"ALTER TABLE facturation_facture {verbe} TRIGGER {nom}")


def insertion_en_masse(conn, lignes: int, essais: int) -> dict[bool, float]:
    """Median ms of an INSERT … SELECT of ``lignes`` invoices (copies of existing ones as drafts), rolled back."""
    res = {}
    for actifs in (False, True):
        temps = []
        for _ in range(essais):
            with conn.transaction(force_rollback=True), conn.cursor() as cur:
                _triggers(cur, actifs=actifs)
                cur.execute(
                    "CREATE TEMP TABLE copie ON COMMIT DROP AS SELECT * FROM facturation_facture "
                    "ORDER BY id DESC LIMIT %s",
                    [lignes],
                )
                cur.execute(
                    "UPDATE copie SET id = nextval(pg_get_serial_sequence('facturation_facture', 'id')), "
                    "statut = 'BROUILLON'"
                )
                t = time.perf_counter()
                cur.execute("INSERT INTO facturation_facture SELECT * FROM copie")
                temps.append((time.perf_counter() - t) * 1000)
        res[actifs] = statistics.median(temps)
    return res


def changements_de_statut(conn, n: int) -> dict[bool, float]:
    """Median ms of a one-invoice status change (its own transaction), with and without the triggers; each
    invoice is set back afterwards."""
    with conn.cursor() as cur:
        ids = [
            r[0]
            for r in cur.execute(
                "SELECT id FROM facturation_facture WHERE statut = 'MISE_A_DISPOSITION' ORDER BY id LIMIT %s", [n]
            ).fetchall()
        ]
    res = {}
    for actifs in (False, True):
        with conn.cursor() as cur:
            _triggers(cur, actifs=actifs)
        conn.commit()
        temps = []
        for pk in ids:
            with conn.cursor() as cur:
                t = time.perf_counter()
                cur.execute("UPDATE facturation_facture SET statut = 'SERVICE_FAIT' WHERE id = %s", [pk])
                conn.commit()
                temps.append((time.perf_counter() - t) * 1000)
        with conn.cursor() as cur:
            cur.execute("UPDATE facturation_facture SET statut = 'MISE_A_DISPOSITION' WHERE id = ANY(%s)", [ids])
        conn.commit()
        res[actifs] = statistics.median(temps)
    with conn.cursor() as cur:
        _triggers(cur, actifs=True)
    conn.commit()
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lignes", type=int, default=20_000)
    ap.add_argument("--essais", type=int, default=5)
    ap.add_argument("--changements", type=int, default=1000)
    args = ap.parse_args()
    setup_django()
    import psycopg

    from facturation import compteurs

    conn = psycopg.connect(dsn())
    with conn.cursor() as cur:
        factures, lignes_compteurs = cur.execute(
            "SELECT (SELECT count(*) FROM facturation_facture), (SELECT count(*) FROM facturation_compteurfactures)"
        ).fetchone()
    conn.commit()
    out(f"{factures:,} factures, {lignes_compteurs:,} lignes de compteurs")
    masse = insertion_en_masse(conn, args.lignes, args.essais)
    out(
        f"INSERT … SELECT de {args.lignes:,} factures (médiane de {args.essais}) : sans déclencheurs "
        f"{masse[False]:.0f} ms, avec {masse[True]:.0f} ms (+{masse[True] - masse[False]:.0f} ms)"
    )
    unitaires = changements_de_statut(conn, args.changements)
    out(
        f"changement de statut d'une facture (médiane de {args.changements}, une transaction chacun) : sans "
        f"déclencheurs {unitaires[False]:.2f} ms, avec {unitaires[True]:.2f} ms"
    )
    conn.close()
    t = time.perf_counter()
    cles, restantes = compteurs.compacter()
    duree = (time.perf_counter() - t) * 1000
    out(f"compacter après ces écritures : {cles:,} clés → {restantes:,} lignes en {duree:.0f} ms")
    t = time.perf_counter()
    ecarts = compteurs.ecarts()
    out(f"verifier_compteurs (recompte complet) : {len(ecarts)} écart(s) en {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
