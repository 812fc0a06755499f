"""The invoice history at volume, before and after its partitioning by month (issue 15, ``chorus.partitions``).

    CHORUS_BENCH_DB=bench_partition .venv/bin/python -m bench.historique [--n 200] [--ecritures 500]

Run after ``bench.seed_volume``. For the biggest supplier's gestionnaire principal: the page of one of its invoices
(« Factures émises » → suivi, which lists the invoice's history) for its newest and its oldest invoice, through
Django's test ``Client`` in this process (as ``bench.mesurer``); then, with a raw psycopg connection, the history
queries the portal runs — an invoice's history (newest and oldest invoice), the chain's tail that
``HistoriqueBase.ajouter`` reads, and a 50-invoice list page with the latest-history correlated subquery (as the
API's recipiendaire search and « Factures à valider » use) — each with its planning time (``EXPLAIN ANALYZE``:
partitions cost planning, not only execution); and ``--ecritures`` history writes through
``HistoriqueFacture.ajouter``, one transaction each (committed: the scratch database keeps them).
"""

import argparse
import os
import platform
import re
import time
from datetime import UTC, datetime

from bench.common import dsn, out, setup_django
from bench.mesurer import mesurer_page, mesurer_sql, pct


def planification(conn, sql: str, n: int = 20) -> tuple[float, float]:
    """Median planning and execution times (ms) from ``EXPLAIN (ANALYZE)``."""
    plans, execs = [], []
    for _ in range(n):
        texte = "\n".join(r[0] for r in conn.execute("EXPLAIN (ANALYZE) " + sql).fetchall())
        plans.append(float(re.search(r"Planning Time: ([\d.]+)", texte).group(1)))
        execs.append(float(re.search(r"Execution Time: ([\d.]+)", texte).group(1)))
    return sorted(plans)[n // 2], sorted(execs)[n // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--ecritures", type=int, default=500)
    args = ap.parse_args()

    setup_django(conn_max_age=600)
    import psycopg
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client

    from facturation.models import Facture, HistoriqueFacture
    from organisation.models import Structure, Utilisateur

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT version(), (SELECT count(*) FROM facturation_historiquefacture), "
            "(SELECT count(*) FROM pg_inherits WHERE inhparent = 'facturation_historiquefacture'::regclass)"
        )
        version, lignes, parts = cur.fetchone()
        cur.execute("SELECT fournisseur_id FROM facturation_facture GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        (sid,) = cur.fetchone()
    out(
        f"# bench.historique {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {platform.node()} {os.cpu_count()} CPU, "
        f"{version.split(',')[0]}; {lignes:,} history rows, {parts} partitions; load {os.getloadavg()[0]:.1f}"
    )
    factures = Facture.objects.filter(fournisseur_id=sid).exclude(date_depot=None)
    recente = factures.order_by("-date_depot", "-id").first()
    ancienne = factures.order_by("date_depot", "id").first()
    user = Utilisateur.objects.get(pk=Structure.objects.get(pk=sid).gestionnaire_principal_id)
    client = Client()
    client.force_login(user)
    raw = psycopg.connect(dsn(), autocommit=True)

    out("\n| mesure | p50 ms | p95 ms | planning ms | exécution ms |")
    out("|---|---:|---:|---:|---:|")
    for nom, facture in (("la plus récente", recente), ("la plus ancienne", ancienne)):
        (p50, p95), _, nq = mesurer_page(client, f"/factures-emises/{facture.pk}/", args.n, sql=True)
        out(f"| page suivi, facture {nom} du plus gros fournisseur ({nq} requêtes) | {p50:.1f} | {p95:.1f} | | |")
    colonnes = "id, created_at, acting_user_id, role, statut_precedent, statut, motif, commentaire, empreinte"
    # The 50 invoices are given by id: what is measured is the history subquery, not the list's own order.
    recentes = list(factures.order_by("-date_depot", "-id").values_list("pk", flat=True)[:50])
    anciennes = list(factures.order_by("date_depot", "id").values_list("pk", flat=True)[:50])
    sous_requete = (
        "SELECT f.id, (SELECT h.statut FROM facturation_historiquefacture h WHERE h.objet_id = f.id "
        "ORDER BY h.created_at DESC, h.id DESC LIMIT 1) FROM facturation_facture f "
    )
    requetes = [
        (
            f"historique d'une facture (la plus récente, #{recente.pk})",
            f"SELECT {colonnes} FROM facturation_historiquefacture WHERE objet_id = {recente.pk} "
            "ORDER BY created_at DESC, id DESC",
        ),
        (
            f"historique d'une facture (la plus ancienne, #{ancienne.pk})",
            f"SELECT {colonnes} FROM facturation_historiquefacture WHERE objet_id = {ancienne.pk} "
            "ORDER BY created_at DESC, id DESC",
        ),
        (
            "bout de chaîne lu par ajouter (facture la plus ancienne)",
            f"SELECT empreinte FROM facturation_historiquefacture WHERE objet_id = {ancienne.pk} "
            "ORDER BY created_at DESC, id DESC LIMIT 1",
        ),
        (
            "50 factures récentes du plus gros fournisseur + dernier statut de l'historique (sous-requête corrélée)",
            sous_requete + f"WHERE f.id IN ({', '.join(map(str, recentes))})",
        ),
        (
            "même page, 50 factures les plus anciennes",
            sous_requete + f"WHERE f.id IN ({', '.join(map(str, anciennes))})",
        ),
    ]
    for nom, sql in requetes:
        b50, b95 = mesurer_sql(raw, sql, args.n)
        plan, execution = planification(raw, sql)
        out(f"| {nom} | {b50:.2f} | {b95:.2f} | {plan:.2f} | {execution:.2f} |")

    cibles = list(factures.order_by("?").values_list("pk", flat=True)[: args.ecritures])
    ts = []
    for pk in cibles:
        t = time.perf_counter()
        with transaction.atomic():
            facture = Facture.objects.select_for_update().get(pk=pk)
            HistoriqueFacture.ajouter(
                objet=facture, acting_user=None, statut_precedent=facture.statut, statut=facture.statut, role="BENCH"
            )
        ts.append(time.perf_counter() - t)
    p50, p95 = pct(ts)
    out(f"| écriture : verrou de la facture + ajouter + commit ({len(ts)} écritures) | {p50:.2f} | {p95:.2f} | | |")


if __name__ == "__main__":
    main()
