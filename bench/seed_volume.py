"""Fill the ``chorus_bench`` database with a realistic volume of « Factures émises », through PostgreSQL COPY.

    .venv/bin/python -m bench.seed_volume --factures 1000000 [--reset]

Shape (deterministic for a given ``--seed``):

* ``--fournisseurs`` private supplier structures (5 000) and ``--destinataires`` public recipients (2 000), three
  services each; one user per structure (its gestionnaire principal) attached ACTIF with the default profiles
  (every application in modification, plus Organisation), extra users on the 20 biggest suppliers, a detached
  (INACTIF) rattachement here and there, and users attached to two suppliers;
* invoices spread over suppliers by a Zipf law (s = 1): the biggest supplier has ~110 000 invoices at 1 M, the
  median one a few dozen; recipients follow the same long tail; statuses as in a mature stock (60 % « Mise en
  paiement », ~6 % needing the supplier's action); 1 to 4 lines (2.5 on average), one VAT recap row per rate,
  one or two history rows with their real SHA-256 chain;
* « Factures à valider »: the invoices drawn « À valider », « Validée » or « Refusée » by the valideur, and 2 % of
  those past that stage, are A9 (sous-traitant) invoices whose valideur is another supplier (Zipf, s = 1);
* ``--travaux`` and ``--sollicitations`` add works dossiers (``bench.seed_travaux``) and sollicitations
  (``bench.seed_sollicitations``) after the invoices.

Python worker processes format COPY text chunks while the main process streams them to the server. The
secondary indexes and foreign keys of the four invoice tables are dropped before the load and recreated after it
(the fast way to seed a big table), then ANALYZE. Amounts satisfy the ``montant_ttc = montant_ht + montant_tva``
check; numbers are unique per supplier; the history table's append-only trigger only forbids UPDATE/DELETE.
"""

import argparse
import bisect
import hashlib
import json
import multiprocessing
import random
import time
from datetime import UTC, datetime

from bench.common import DATABASE, afficher, defauts_pour_copy, drop_database, dsn, out, recaler_sequences, setup_django

T0 = int(datetime(2023, 1, 1, tzinfo=UTC).timestamp())
SPAN = 3 * 365 * 86400  # invoices deposited over three years
NOW = T0 + SPAN + 86400

STATUTS = [  # (statut, weight ‰): a mature stock
    ("BROUILLON", 20),
    ("DEPOSEE", 10),
    ("A_VALIDER_1", 5),
    ("VALIDEE_1", 2),
    ("REFUSEE_1", 3),
    ("MISE_A_DISPOSITION", 60),
    ("PRISE_EN_COMPTE_DESTINATAIRE", 40),
    ("A_RECYCLER", 10),
    ("SUSPENDUE", 20),
    ("COMPLETEE", 5),
    ("REJETEE", 30),
    ("SERVICE_FAIT", 60),
    ("MANDATEE", 50),
    ("MISE_A_DISPOSITION_COMPTABLE", 30),
    ("COMPTABILISEE", 50),
    ("MISE_EN_PAIEMENT", 600),
    ("ABANDONNEE", 5),
]
TAUX = [(2000, 85), (1000, 10), (550, 5)]  # VAT rate in basis points, weight %
# « Factures à valider »: the invoices waiting for, accepted or refused by a valideur are A9 (sous-traitant)
# invoices, and so is a share of those past validation; their valideur (the titulaire) is another supplier.
STATUTS_VALIDATION = {"A_VALIDER_1", "VALIDEE_1", "REFUSEE_1"}
PART_A9_APRES_VALIDATION = 0.02
LIBELLES = [f"Prestation lot {k} – maintenance et support" for k in range(50)]
VILLES = ["Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Rennes", "Bordeaux", "Dijon", "Metz"]

FACTURE_COLS = (
    "id, type_demande_paiement, numero, type_facture, cadre, statut, mode_depot, date_facture, date_echeance, "
    "date_depot, devise, type_tva, motif_exoneration, numero_marche, numero_engagement, numero_facture_origine, "
    "mode_paiement, commentaire, montant_ht, montant_tva, montant_ttc_avant_remise, remise_globale_ttc, "
    "motif_remise_globale, montant_ttc, montant_a_payer, fichier, fichier_sha256, empreinte_certificat, "
    "rejet_traite, relance_brouillon_le, created_at, updated_at, coordonnees_bancaires_id, created_by_id, "
    "destinataire_id, fournisseur_id, service_destinataire_id, service_fournisseur_id, valideur_id, analyse_depot"
)
LIGNE_COLS = (
    "facture_id, ordre, reference, denomination, quantite, unite, prix_unitaire_ht, remise_ht, taux_tva, "
    "montant_ht, montant_ttc"
)
RECAP_COLS = "facture_id, taux, base_ht, remise_globale_ht, montant_tva"
HISTO_COLS = (
    "objet_id, created_at, acting_user_id, role, statut_precedent, statut, motif, commentaire, "
    "empreinte_precedente, empreinte"
)
ORGANISATION_COLS = {
    "organisation_utilisateur": "id, password, last_login, is_superuser, email, nom, prenom, telephone, is_active, "
    "is_staff, date_joined, echecs_connexion, verrouille_jusqu_au",
    "organisation_structure": "id, type_identifiant, identifiant, raison_sociale, type_structure, statut, adresse, "
    "complement_adresse, code_postal, ville, code_pays, libelle_pays, telephone, courriel, code_service_obligatoire, "
    "engagement_obligatoire, service_ou_engagement_obligatoire, mise_en_paiement_non_remontee, option_moa, "
    "emetteur_edi, recepteur_edi, created_at, updated_at, gestionnaire_principal_id",
    "organisation_service": "id, code, libelle, engagement_obligatoire, actif, adresse, code_postal, ville, "
    "created_at, updated_at, structure_id",
    "organisation_rattachement": "statut, commentaire, created_at, updated_at, utilisateur_id, service_id, "
    "structure_id",
    "organisation_structureuserobjectpermission": "content_object_id, permission_id, user_id",
}
TABLES = [
    ("facturation_facture", FACTURE_COLS),
    ("facturation_ligneposte", LIGNE_COLS),
    ("facturation_recapitulatiftva", RECAP_COLS),
    ("facturation_historiquefacture", HISTO_COLS),
]

# Set in the parent before the pool forks: the workers inherit them.
PLAN: dict = {}


def cumulative(weights):
    total, cum = 0, []
    for w in weights:
        total += w
        cum.append(total)
    return cum


def zipf_cum(n, s=1.0):
    return cumulative(1.0 / k**s for k in range(1, n + 1))


def exposant_pour_part(n: int, part: float) -> float:
    """The Zipf exponent over ``n`` ranks for which rank 1 gets ``part`` of the total (bisection: the share
    grows with the exponent). The issue's shape — 5,000 recipients, the largest receiving 500,000 of 10 M — is a
    longer tail than s = 1 (which would give it 11 %)."""
    bas, haut = 0.0, 3.0
    for _ in range(60):
        s = (bas + haut) / 2
        if 1.0 / sum(1.0 / k**s for k in range(1, n + 1)) < part:
            bas = s
        else:
            haut = s
    return (bas + haut) / 2


def cents(c: int) -> str:
    return f"{c // 100}.{c % 100:02d}"


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()  # what Django reads back, for the history chain


def empreinte(objet_id, created_at, acting_user_id, role, precedent, statut, precedente) -> str:
    contenu = json.dumps(
        [objet_id, created_at, acting_user_id, role, precedent, statut, "", "", precedente], ensure_ascii=False
    )
    return hashlib.sha256(contenu.encode()).hexdigest()


def generer(bornes):
    """COPY text of the invoices ``start`` .. ``start + count - 1`` and of their lines, recaps and history."""
    start, count = bornes
    p = PLAN
    rng = random.Random(p["seed"] * 1_000_003 + start)
    rnd, randint, choice = rng.random, rng.randint, rng.choice
    f_cum, f_tot, f_ids = p["f_cum"], p["f_cum"][-1], p["f_ids"]
    d_cum, d_tot, d_ids = p["d_cum"], p["d_cum"][-1], p["d_ids"]
    s_cum, s_tot = p["s_cum"], p["s_cum"][-1]
    services, gp, n_total = p["services"], p["gp"], p["n"]
    v_cum, v_tot, v_ids = p["v_cum"], p["v_cum"][-1], p["v_ids"]
    # A stream of its own for the valideurs, so that every other draw is the one seeds without them made.
    rng_v = random.Random(p["seed"] * 1_000_033 + start)
    bl = bisect.bisect_left
    factures, lignes, recaps, histos = [], [], [], []
    for fid in range(start, start + count):
        fournisseur = f_ids[bl(f_cum, rnd() * f_tot)]
        destinataire = d_ids[bl(d_cum, rnd() * d_tot)]
        service_dest = choice(services[destinataire]) if rnd() < 0.6 else "\\N"
        statut = STATUTS[bl(s_cum, rnd() * s_tot)][0]
        auteur = gp[fournisseur]
        created = T0 + int(SPAN * (fid - 1) / n_total) + randint(0, 600)
        brouillon = statut == "BROUILLON"
        depot = None if brouillon else created + randint(60, 86400)
        updated = min(NOW, (depot or created) + randint(0, 45 * 86400)) if statut != "DEPOSEE" else depot
        numero = "" if brouillon and rnd() < 0.5 else f"FA{datetime.fromtimestamp(created, UTC).year}-{fid:07d}"
        date_facture = datetime.fromtimestamp(created, UTC).date()
        cadre, valideur = "A1_FACTURE_FOURNISSEUR", "\\N"
        tirage_v = rng_v.random()
        if statut in STATUTS_VALIDATION or (not brouillon and tirage_v < PART_A9_APRES_VALIDATION):
            cadre = "A9_FACTURE_SOUSTRAITANT"
            valideur = v_ids[bl(v_cum, rng_v.random() * v_tot)]
            if valideur == fournisseur:  # a titulaire never validates its own invoice
                valideur = v_ids[(v_ids.index(valideur) + 1) % len(v_ids)]
        # lines and VAT recap
        par_taux: dict[int, list[int]] = {}
        ht = 0
        for ordre in range(1, randint(1, 4) + 1):
            qte = randint(1, 20)
            pu = randint(500, 250_000)
            r = rnd() * 100
            taux = TAUX[0][0] if r < 85 else TAUX[1][0] if r < 95 else TAUX[2][0]
            mht = qte * pu
            mtva = (mht * taux + 5000) // 10000
            ht += mht
            par_taux.setdefault(taux, []).append(mht)
            lignes.append(
                f"{fid}\t{ordre}\tREF-{ordre:03d}\t{choice(LIBELLES)}\t{qte}\tC62\t{cents(pu)}\t0\t{cents(taux)}\t"
                f"{cents(mht)}\t{cents(mht + mtva)}\n"
            )
        tva = 0
        for taux, montants in par_taux.items():
            base = sum(montants)
            mtva = (base * taux + 5000) // 10000
            tva += mtva
            recaps.append(f"{fid}\t{cents(taux)}\t{cents(base)}\t0\t{cents(mtva)}\n")
        ttc = cents(ht + tva)
        rejet_traite = "t" if statut == "REJETEE" and rnd() < 0.8 else "f"
        c_iso, u_iso = iso(created), iso(updated or created)
        d_iso = iso(depot) if depot else "\\N"
        echeance = datetime.fromtimestamp(created + 30 * 86400, UTC).date()
        factures.append(
            f"{fid}\tFACTURE\t{numero}\tFACTURE\t{cadre}\t{statut}\tSAISIE\t{date_facture}\t"
            f"{echeance}\t{d_iso}\tEUR\tTVA_SUR_DEBIT\t\tMAR-{fournisseur % 997:04d}\t"
            f"EJ{rng.randrange(10**9):010d}\t\tVIREMENT\t\t{cents(ht)}\t{cents(tva)}\t{ttc}\t0\t\t{ttc}\t{ttc}\t\t\t\t"
            f"{rejet_traite}\t\\N\t{c_iso}\t{u_iso}\t\\N\t{auteur}\t{destinataire}\t{fournisseur}\t"
            f"{service_dest}\t\\N\t{valideur}\t{{}}\n"
        )
        # history: creation or deposit, then the current status
        if brouillon:
            e1 = empreinte(fid, c_iso, auteur, "FOURNISSEUR", "", "BROUILLON", "")
            histos.append(f"{fid}\t{c_iso}\t{auteur}\tFOURNISSEUR\t\tBROUILLON\t\t\t\t{e1}\n")
        else:
            e1 = empreinte(fid, d_iso, auteur, "FOURNISSEUR", "", "DEPOSEE", "")
            histos.append(f"{fid}\t{d_iso}\t{auteur}\tFOURNISSEUR\t\tDEPOSEE\t\t\t\t{e1}\n")
            if statut != "DEPOSEE":
                e2 = empreinte(fid, u_iso, None, "SYSTEME", "DEPOSEE", statut, e1)
                histos.append(f"{fid}\t{u_iso}\t\\N\tSYSTEME\tDEPOSEE\t{statut}\t\t\t{e1}\t{e2}\n")
    return count, [
        "".join(factures).encode(),
        "".join(lignes).encode(),
        "".join(recaps).encode(),
        "".join(histos).encode(),
    ]


def copy_text(cur, table, cols, data: bytes):
    with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
        cp.write(data)


def seed_organisation(conn, args, rng, perms):
    """Structures, services, users, rattachements and profiles; returns the plan for the invoice workers."""
    ns, nd = args.fournisseurs, args.destinataires
    now = iso(NOW)
    structures, services, users, ratts, profils = [], [], [], [], []
    f_ids = list(range(1, ns + 1))
    d_ids = list(range(ns + 1, ns + nd + 1))
    for sid in f_ids + d_ids:
        publique = sid > ns
        nom = f"{'Commune' if publique else 'Société'} {sid:05d} {rng.choice(VILLES)}"
        structures.append(
            f"{sid}\tSIRET\t{sid:014d}\t{nom}\t{'PUBLIQUE' if publique else 'PRIVEE'}\tACTIVE\t{sid} rue de la Paix\t\t"
            f"75001\tParis\tFR\tFrance\t\t\tf\tf\tf\tf\tSANS_MOA\tf\tf\t{now}\t{now}\t{sid}\n"
        )
    sv_par_dest = {}
    sv_id = 0
    for sid in d_ids:
        sv_par_dest[sid] = []
        for k in range(1, 4):
            sv_id += 1
            sv_par_dest[sid].append(sv_id)
            services.append(f"{sv_id}\tSERV{k:02d}\tService {k}\tf\tt\t\t\t\t{now}\t{now}\t{sid}\n")
    # user id == structure id for the gestionnaires principaux; extra users after
    uid = ns + nd
    gp = {}

    def user(u):
        users.append(f"{u}\t!\t\\N\tf\tu{u}@bench.example\tNom{u}\tPrénom{u}\t\tt\tf\t{now}\t0\t\\N\n")

    def rattacher(u, s, *, statut="ACTIF", gestionnaire=False):
        ratts.append(f"{statut}\t\t{now}\t{now}\t{u}\t\\N\t{s}\n")
        if statut == "ACTIF":
            for pid in perms["defaut"] + (perms["gp"] if gestionnaire else []):
                profils.append(f"{s}\t{pid}\t{u}\n")

    for sid in f_ids + d_ids:
        user(sid)
        gp[sid] = sid
        rattacher(sid, sid, gestionnaire=True)
    rangs = f_ids[:]
    rng.shuffle(rangs)  # rang k (Zipf weight 1/k) -> a random supplier id, so size is unrelated to the id
    for s in rangs[:20]:  # the big suppliers have teams
        for _ in range(10):
            uid += 1
            user(uid)
            rattacher(uid, s)
    for s in rng.sample(f_ids, 200):  # former employees: detached, no profile
        uid += 1
        user(uid)
        rattacher(uid, s, statut="INACTIF")
    for _ in range(300):  # accountants working for two suppliers
        uid += 1
        user(uid)
        for s in rng.sample(f_ids, 2):
            rattacher(uid, s)
    with conn.cursor() as cur:
        for table, blob in (
            ("organisation_utilisateur", users),
            ("organisation_structure", structures),
            ("organisation_service", services),
            ("organisation_rattachement", ratts),
            ("organisation_structureuserobjectpermission", profils),
        ):
            copy_text(cur, table, ORGANISATION_COLS[table], "".join(blob).encode())
        recaler_sequences(cur, ("organisation_utilisateur", "organisation_structure", "organisation_service"))
    conn.commit()
    d_rangs = d_ids[:]
    rng.shuffle(d_rangs)
    # The titulaires (valideurs of the A9 invoices): the suppliers again, in another order, from a stream of
    # their own so that the suppliers' and recipients' ranks stay those of seeds made without them.
    v_rangs = f_ids[:]
    random.Random(args.seed * 31 + 7).shuffle(v_rangs)
    return {
        "f_ids": rangs,
        "f_cum": zipf_cum(ns),
        "d_ids": d_rangs,
        "d_cum": zipf_cum(nd, args.exposant_destinataires),
        "v_ids": v_rangs,
        "v_cum": zipf_cum(ns),
        "services": sv_par_dest,
        "gp": gp,
        "s_cum": cumulative(w for _, w in STATUTS),
        "counts": {
            "structures": len(structures),
            "services": len(services),
            "utilisateurs": len(users),
            "rattachements": len(ratts),
            "habilitations": len(profils),
        },
    }


def drop_secondary(conn):
    """Drop the secondary indexes and foreign keys of the invoice tables; return the SQL that recreates them."""
    tables = [t for t, _ in TABLES]
    with conn.cursor() as cur:
        fks = cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        ).fetchall()
        idx = cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [tables],
        ).fetchall()
        for table, name, _ in fks:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in idx:
            cur.execute(f'DROP INDEX "{name}"')
    conn.commit()
    # A partitioned table's index is defined « ON ONLY » the parent; recreated « ON » it, it spans the partitions.
    return [d.replace(" ON ONLY ", " ON ") for _, d in idx], [
        f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in fks
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--factures", type=int, default=1_000_000)
    ap.add_argument("--fournisseurs", type=int, default=5000)
    ap.add_argument("--destinataires", type=int, default=2000)
    ap.add_argument(
        "--plus-gros-destinataire",
        type=int,
        help="invoices the largest recipient receives (the recipients' Zipf exponent is set to match; default s = 1)",
    )
    ap.add_argument("--chunk", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--travaux", type=int, default=0, help="works dossiers to add (bench.seed_travaux)")
    ap.add_argument("--sollicitations", type=int, default=0, help="sollicitations to add (bench.seed_sollicitations)")
    ap.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    args = ap.parse_args()
    args.exposant_destinataires = 1.0
    if args.plus_gros_destinataire:
        args.exposant_destinataires = exposant_pour_part(
            args.destinataires, args.plus_gros_destinataire / args.factures
        )
        out(f"recipients: Zipf exponent {args.exposant_destinataires:.3f}")

    t_start = time.perf_counter()
    if args.reset:
        drop_database()
    setup_django()
    import psycopg
    from django.contrib.auth.models import Permission
    from django.core.management import call_command

    from organisation.enums import Application, Niveau, codename
    from organisation.services import profils_par_defaut

    call_command("migrate", verbosity=0)
    t_migrate = time.perf_counter() - t_start
    # The partitioned tables (chorus.partitions) get the seed's months, or its rows would all pile up in the
    # catch-all partition below the month the migration started at.
    from django.db import connection as django_connection

    from chorus import partitions

    with django_connection.cursor() as cur:
        for table in partitions.tables_partitionnees(cur):
            debut, fin = (datetime.fromtimestamp(t, UTC).date() for t in (T0, NOW))
            partitions.creer_partitions(table, debut, fin, cursor=cur)
    perms_by_code = dict(
        Permission.objects.filter(content_type__app_label="organisation").values_list("codename", "id")
    )
    perms = {
        "defaut": [perms_by_code[codename(app, niveau)] for app, niveau in profils_par_defaut().items()],
        "gp": [perms_by_code[codename(Application.ORGANISATION, Niveau.MODIFICATION)]],
    }
    from django.db import connection

    connection.close()

    conn = psycopg.connect(dsn())
    with conn.cursor() as cur:
        if cur.execute("SELECT EXISTS (SELECT 1 FROM organisation_structure)").fetchone()[0]:
            raise SystemExit(f"La base {DATABASE} contient déjà des données : relancer avec --reset.")
    # The columns added to the models since these COPY lists were written take their Django default.
    sans_defauts = defauts_pour_copy(conn, {**ORGANISATION_COLS, **dict(TABLES)})
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET maintenance_work_mem = '1GB'")
    conn.commit()
    timings = {}
    t = time.perf_counter()
    rng = random.Random(args.seed)
    PLAN.update(seed_organisation(conn, args, rng, perms))
    PLAN.update(seed=args.seed, n=args.factures)
    timings["organisation (structures, services, utilisateurs, rattachements, habilitations)"] = time.perf_counter() - t
    out(f"organisation: {PLAN['counts']} in {timings[next(iter(timings))]:.1f} s")

    t = time.perf_counter()
    index_sql, fk_sql = drop_secondary(conn)
    timings["drop indexes + FKs"] = time.perf_counter() - t

    t_load = time.perf_counter()
    per_table = dict.fromkeys((tbl for tbl, _ in TABLES), 0.0)
    rows = dict.fromkeys(per_table, 0)
    bornes = [(s, min(args.chunk, args.factures - s + 1)) for s in range(1, args.factures + 1, args.chunk)]
    done = 0
    with multiprocessing.get_context("fork").Pool(args.workers) as pool, conn.cursor() as cur:
        for count, blobs in pool.imap(generer, bornes):
            for (table, cols), blob in zip(TABLES, blobs, strict=True):
                t1 = time.perf_counter()
                copy_text(cur, table, cols, blob)
                per_table[table] += time.perf_counter() - t1
                rows[table] += blob.count(b"\n")
            conn.commit()
            done += count
            if done % 200_000 < args.chunk:
                el = time.perf_counter() - t_load
                out(f"  {done:>9} factures  {el:6.1f} s  {done / el:7.0f} factures/s")
    timings["COPY invoice tables (wall, generation overlapped)"] = time.perf_counter() - t_load

    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT setval(pg_get_serial_sequence('facturation_facture', 'id'), %s)", [args.factures])
        t = time.perf_counter()
        for sql in index_sql:
            t1 = time.perf_counter()
            cur.execute(sql)
            out(f"  {time.perf_counter() - t1:6.1f} s  {sql[:110]}")
        timings["recreate indexes"] = time.perf_counter() - t
        t = time.perf_counter()
        for sql in fk_sql:
            cur.execute(sql)
        timings["re-add + validate FKs"] = time.perf_counter() - t
        if args.travaux:
            from bench import seed_travaux

            t = time.perf_counter()
            travaux = seed_travaux.seed(conn, args.travaux, args.seed)
            timings[f"works dossiers (bench.seed_travaux, {args.travaux:,} dossiers)"] = time.perf_counter() - t
        if args.sollicitations:
            from bench import seed_sollicitations

            t = time.perf_counter()
            sollicitations = seed_sollicitations.seed(conn, args.sollicitations, args.seed)
            timings[f"sollicitations (bench.seed_sollicitations, {args.sollicitations:,})"] = time.perf_counter() - t
        for sql in sans_defauts:
            cur.execute(sql)
        # The dashboards' counters (invoices, works pieces, sollicitations) were appended by the triggers, one row
        # per key and COPY chunk: fold them as the beat would (``chorus.compteurs``).
        from chorus import compteurs

        for compteur in compteurs.inscrits():
            t = time.perf_counter()
            cles, lignes = cur.execute(compteur.sql_compacter).fetchone()
            timings[f"fold {compteur.table} ({cles:,} keys → {lignes:,} rows)"] = time.perf_counter() - t
        t = time.perf_counter()
        cur.execute("VACUUM (ANALYZE)")
        timings["VACUUM ANALYZE"] = time.perf_counter() - t
        size = cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    conn.close()
    total = time.perf_counter() - t_start

    out("\n| étape | lignes | secondes |")
    out("|---|---:|---:|")
    out(f"| migrate (empty schema) | | {t_migrate:.1f} |")
    for name, sec in timings.items():
        if name.startswith("COPY"):
            for table, s in per_table.items():
                out(f"| COPY {table} (server side) | {rows[table]:,} | {s:.1f} |")
        out(f"| {name} | | {sec:.1f} |")
    out(f"| **total** ({args.factures:,} factures, {size}) | | **{total:.1f}** |")
    if args.travaux:
        afficher(travaux)
    if args.sollicitations:
        afficher(sollicitations)
    out(
        f"\n{args.factures / timings['COPY invoice tables (wall, generation overlapped)']:.0f} factures/s during COPY; "
        f"{args.factures / total:.0f} factures/s end to end"
    )


if __name__ == "__main__":
    main()
