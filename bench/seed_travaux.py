"""Add « Factures de travaux » to the ``chorus_bench`` database: works dossiers, their pieces and histories, and the
invoices of the payable pieces, through PostgreSQL COPY.

    .venv/bin/python -m bench.seed_travaux --dossiers 100000      # on a database filled by bench.seed_volume
    .venv/bin/python -m bench.seed_volume --factures 1000000 --travaux 100000 --reset   # both in one go

Shape (deterministic for a given ``--seed``): each dossier is one monthly payment of a works contract, the chain
of seeds 000 and 001: the fournisseur's A4 (projet de décompte mensuel) to the MOE, the MOE's A15 (état
d'acompte) to the MOA, the MOA's A19 (état d'acompte validé) to the service financier, which continues as an
invoice (``facturation_facture``, cadre A19) in its « Factures reçues ». Fournisseurs are the seed's private
structures (Zipf, s = 1), MOEs a pool of 400 private structures (Zipf: engineering firms), MOAs the public
structures (Zipf), the service financier the MOA itself or, for one dossier in five, another public structure.
Stages as in a mature stock: 80 % of the dossiers reached the invoice (its status drawn like seed_volume's,
mostly « Mise en paiement »), 8 % wait at the MOA, 12 % at the MOE (or are drafts, suspended, refused for a
routing error). Every piece has its real SHA-256 history chain (deposit, routing, current status).
"""

import bisect
import hashlib
import json
import random
import time
from datetime import UTC, datetime

from bench.common import defauts_pour_copy, recaler_sequences, seed_en_ligne_de_commande
from bench.seed_volume import (
    FACTURE_COLS,
    HISTO_COLS,
    RECAP_COLS,
    SPAN,
    STATUTS,
    T0,
    copy_text,
    cumulative,
    iso,
    zipf_cum,
)

DOSSIER_COLS = (
    "id, numero, numero_marche, delai_paiement_jours, demande_paiement_recue_le, mise_en_paiement_le, created_at, "
    "created_by_id, destinataire_id, fournisseur_id, moa_id, moe_id, service_destinataire_id, validateur_id"
)
PIECE_COLS = (
    "id, type_depot, cadre, statut, statut_le, role_deposant, role_recevant, regle_acheminement, numero, date_piece, "
    "numero_marche, numero_engagement, devise, type_tva, montant_ht, montant_tva, montant_ttc, montant_a_payer, "
    "detail_tva, commentaire, fichier, nom_fichier, fichier_sha256, format_depot, signatures, instructeur, "
    "telechargee_le, created_at, updated_at, created_by_id, deposant_id, dossier_id, facture_id, "
    "piece_precedente_id, pour_le_compte_de_id, recevant_id, service_deposant_id"
)
TABLES = {  # in an order the foreign keys accept table by table (``seed_volume`` loads in autocommit)
    "travaux_dossierfacturation": DOSSIER_COLS,
    "facturation_facture": FACTURE_COLS,
    "facturation_recapitulatiftva": RECAP_COLS,
    "facturation_historiquefacture": HISTO_COLS,
    "travaux_piecetravaux": PIECE_COLS,
    "travaux_historiquepiece": HISTO_COLS,
}

# Where the dossier stands (weight ‰): the last piece deposited and its status.
ETAPES = [
    (("A4", "BROUILLON"), 20),
    (("A4", "ABANDONNEE"), 5),
    (("A4", "MISE_A_DISPOSITION_MOE"), 40),
    (("A4", "PRISE_EN_COMPTE_MOE"), 30),
    (("A4", "SUSPENDUE"), 15),
    (("A4", "ERREUR_FOURNISSEUR_SUR_MOE"), 10),
    (("A15", "MISE_A_DISPOSITION_MOA"), 40),
    (("A15", "PRISE_EN_COMPTE_MOA"), 30),
    (("A15", "SUSPENDUE"), 5),
    (("A15", "ERREUR_MOE_SUR_MOA"), 5),
    (("A19", "MISE_A_DISPOSITION"), 800),
]
# The A19's invoice, once at the service financier (weight ‰): seed_volume's mature stock from « Mise à
# disposition du destinataire » on, without the abandoned ones (drafts and validation steps come before it).
STATUTS_FACTURE = [
    (statut, poids)
    for statut, poids in STATUTS[[s for s, _ in STATUTS].index("MISE_A_DISPOSITION") :]
    if statut != "ABANDONNEE"
]
CADRES = {
    "A4": ("A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR", "FOURNISSEUR", "MOE", "MISE_A_DISPOSITION_MOE"),
    "A15": ("A15_ETAT_ACOMPTE_MOE", "MOE", "MOA", "MISE_A_DISPOSITION_MOA"),
    "A19": ("A19_ETAT_ACOMPTE_VALIDE_MOA", "MOA", "DESTINATAIRE", "MISE_A_DISPOSITION"),
}
MOTIFS = {
    "SUSPENDUE": "Pièce justificative manquante",
    "ERREUR_FOURNISSEUR_SUR_MOE": "Erreur de MOE",
    "ERREUR_MOE_SUR_MOA": "Erreur de MOA",
}
INSTRUCTEURS = ["", "", "", "M. Martin", "Mme Bernard", "M. Petit"]
DAY = 86400
NUL = "\\N"  # COPY's NULL (a name: Python 3.11 allows no backslash inside an f-string's braces)


class Chaine:
    """The rows of one object's history with their SHA-256 chain (``chorus.history.HistoriqueBase``)."""

    def __init__(self, objet_id, lignes):
        self.objet_id, self.lignes, self.precedente = objet_id, lignes, ""

    def ajouter(self, ts, user, role, precedent, statut, motif=""):
        created = iso(ts)
        contenu = json.dumps(
            [self.objet_id, created, user, role, precedent, statut, motif, "", self.precedente], ensure_ascii=False
        )
        empreinte = hashlib.sha256(contenu.encode()).hexdigest()
        u = "\\N" if user is None else user
        self.lignes.append(
            f"{self.objet_id}\t{created}\t{u}\t{role}\t{precedent}\t{statut}\t{motif}\t\t"
            f"{self.precedente}\t{empreinte}\n"
        )
        self.precedente = empreinte


def cents(c: int) -> str:
    return f"{c // 100}.{c % 100:02d}"


def lire_organisation(cur):
    """The structures, services and gestionnaires principaux written by ``seed_volume``."""
    rows = cur.execute(
        "SELECT id, type_structure, gestionnaire_principal_id FROM organisation_structure ORDER BY id"
    ).fetchall()
    services: dict[int, list[int]] = {}
    for sid, structure in cur.execute("SELECT id, structure_id FROM organisation_service ORDER BY id"):
        services.setdefault(structure, []).append(sid)
    privees = [r[0] for r in rows if r[1] == "PRIVEE"]
    publiques = [r[0] for r in rows if r[1] == "PUBLIQUE"]
    return privees, publiques, services, {r[0]: r[2] for r in rows}


def generer(n_dossiers, seed, organisation, premiere_facture):
    """COPY text of ``n_dossiers`` dossiers and of their pieces, histories and invoices."""
    privees, publiques, services, gp = organisation
    rng = random.Random(seed * 7919 + 11)
    rnd, randint, choice = rng.random, rng.randint, rng.choice
    bl = bisect.bisect_left
    # rank k (Zipf weight 1/k) -> a random structure, so an actor's size is unrelated to its id
    fournisseurs, moes, moas = privees[:], rng.sample(privees, min(400, len(privees))), publiques[:]
    rng.shuffle(fournisseurs)
    rng.shuffle(moas)
    f_cum, e_cum, a_cum = zipf_cum(len(fournisseurs)), zipf_cum(len(moes)), zipf_cum(len(moas))
    etape_cum = cumulative(w for _, w in ETAPES)
    fact_cum = cumulative(w for _, w in STATUTS_FACTURE)
    t = {name: [] for name in TABLES}
    piece_id, facture_id = 0, premiere_facture - 1
    for did in range(1, n_dossiers + 1):
        fournisseur = fournisseurs[bl(f_cum, rnd() * f_cum[-1])]
        moe = moes[bl(e_cum, rnd() * e_cum[-1])]
        moa = moas[bl(a_cum, rnd() * a_cum[-1])]
        destinataire = moa if rnd() < 0.8 else choice(publiques)
        service = choice(services[destinataire]) if destinataire in services else None
        acteurs = {"FOURNISSEUR": fournisseur, "MOE": moe, "MOA": moa, "DESTINATAIRE": destinataire}
        dernier, statut_final = ETAPES[bl(etape_cum, rnd() * etape_cum[-1])][0]
        # opened early enough that its whole chain (at most ~80 days) ends before NOW: history rows stay in order
        created = T0 + int((SPAN - 90 * DAY) * (did - 1) / n_dossiers) + randint(0, 3600)
        annee = datetime.fromtimestamp(created, UTC).year
        marche = f"MT{annee}-{moa:05d}-{did % 97:02d}"
        engagement = f"EJ{rng.randrange(10**9):010d}"
        ht = randint(500_000, 50_000_000)
        tva = (ht * 2000 + 5000) // 10000
        ttc = ht + tva
        montants = f"{cents(ht)}\t{cents(tva)}\t{cents(ttc)}\t{cents(ttc)}"
        detail = json.dumps([{"taux": "20.00", "base_ht": cents(ht), "montant_tva": cents(tva)}])
        chaine = ["A4", "A15", "A19"][: ["A4", "A15", "A19"].index(dernier) + 1]
        ts, precedente, demande_recue, mise_en_paiement = created, None, None, None
        for code in chaine:
            cadre, role_dep, role_rec, a_dispo = CADRES[code]
            piece_id += 1
            deposant, recevant = acteurs[role_dep], acteurs[role_rec]
            auteur = gp[deposant]
            statut = statut_final if code == dernier else "ASSOCIEE"
            histo = Chaine(piece_id, t["travaux_historiquepiece"])
            # the next piece is deposited when its predecessor becomes « Associée »
            depose = ts + randint(600, 2 * DAY) if precedente is None else ts
            if statut in ("BROUILLON", "ABANDONNEE"):
                histo.ajouter(ts, auteur, role_dep, "", "BROUILLON")
                fin = ts
                if statut == "ABANDONNEE":
                    fin = ts + randint(DAY, 20 * DAY)
                    histo.ajouter(fin, auteur, role_dep, "BROUILLON", "ABANDONNEE")
                recevant_col, role_rec_col = "\\N", ""  # a draft is routed to no one yet
            else:
                histo.ajouter(depose, auteur, role_dep, "", "DEPOSEE")
                histo.ajouter(depose + 1, None, "SYSTEME", "DEPOSEE", a_dispo)
                if code == "A4":
                    demande_recue = depose + 1  # the payment clock starts when the demande reaches the MOE
                fin = depose + 1
                if statut != a_dispo:
                    fin = depose + randint(DAY, 12 * DAY)
                    # the actor the piece waits for takes it on, suspends it, refuses it or, depositing the next
                    # piece, makes it « Associée »
                    histo.ajouter(fin, gp[recevant], role_rec, a_dispo, statut, MOTIFS.get(statut, ""))
                recevant_col, role_rec_col = recevant, role_rec
            numero = f"{code}-{annee}-{did:07d}"
            facture = "\\N"
            if code == "A19":
                facture_id += 1
                facture = facture_id
                f_statut = STATUTS_FACTURE[bl(fact_cum, rnd() * fact_cum[-1])][0]
                f_maj = depose + 1 if f_statut == "MISE_A_DISPOSITION" else depose + randint(DAY, 40 * DAY)
                if f_statut == "MISE_EN_PAIEMENT":
                    mise_en_paiement = f_maj
                d_iso = iso(depose)
                jour = datetime.fromtimestamp(depose, UTC).date()
                echeance = datetime.fromtimestamp(depose + 30 * DAY, UTC).date()
                sv = "\\N" if service is None else service
                t["facturation_facture"].append(
                    f"{facture_id}\tFACTURE\t{numero}\tFACTURE\t{cadre}\t{f_statut}\tDEPOT_PDF\t{jour}\t{echeance}\t"
                    f"{d_iso}\tEUR\tTVA_SUR_DEBIT\t\t{marche}\t{engagement}\t\tVIREMENT\t\t{cents(ht)}\t{cents(tva)}\t"
                    f"{cents(ttc)}\t0\t\t{cents(ttc)}\t{cents(ttc)}\t\t\t\t"
                    f"{'t' if f_statut == 'REJETEE' else 'f'}\t\\N\t{d_iso}\t{iso(f_maj)}\t\\N\t{auteur}\t"
                    f"{destinataire}\t{fournisseur}\t{sv}\t\\N\t\\N\t"
                    '{"format": "PDF", "signatures": [], "avec_lignes": false}\n'
                )
                t["facturation_recapitulatiftva"].append(f"{facture_id}\t20.00\t{cents(ht)}\t0\t{cents(tva)}\n")
                fh = Chaine(facture_id, t["facturation_historiquefacture"])
                fh.ajouter(depose, auteur, role_dep, "", "DEPOSEE")
                fh.ajouter(depose + 1, None, "SYSTEME", "DEPOSEE", "MISE_A_DISPOSITION")
                if f_statut != "MISE_A_DISPOSITION":
                    fh.ajouter(f_maj, gp[destinataire], "DESTINATAIRE", "MISE_A_DISPOSITION", f_statut)
            sha = hashlib.sha256(numero.encode()).hexdigest()
            telechargee = iso(fin + 3600) if statut != "BROUILLON" and rnd() < 0.3 else "\\N"
            t["travaux_piecetravaux"].append(
                f"{piece_id}\t{'INITIAL' if code == 'A4' else 'SUITE'}\t{cadre}\t{statut}\t{iso(fin)}\t{role_dep}\t"
                f"{role_rec_col}\t\t{numero}\t{datetime.fromtimestamp(ts, UTC).date()}\t{marche}\t{engagement}\tEUR\t"
                f"TVA_SUR_DEBIT\t{montants}\t{detail}\t\ttravaux/bench/{sha[:16]}.pdf\t{numero}.pdf\t{sha}\tPDF\t[]\t"
                f"{choice(INSTRUCTEURS)}\t{telechargee}\t{iso(ts)}\t{iso(fin)}\t{auteur}\t{deposant}\t{did}\t"
                f"{facture}\t{precedente or NUL}\t\\N\t{recevant_col}\t\\N\n"
            )
            precedente, ts = piece_id, fin
        t["travaux_dossierfacturation"].append(
            f"{did}\t{annee}{did:08d}\t{marche}\t30\t{iso(demande_recue) if demande_recue else NUL}\t"
            f"{iso(mise_en_paiement) if mise_en_paiement else NUL}\t{iso(created)}\t{gp[fournisseur]}\t"
            f"{destinataire}\t{fournisseur}\t{moa}\t{moe}\t{NUL if service is None else service}\t\\N\n"
        )
    return t


def seed(conn, n_dossiers: int, seed_value: int = 42) -> dict[str, tuple[int, float]]:
    """Write the works data on ``conn`` (a psycopg connection to a database seeded by ``seed_volume``); return
    {table: (rows, COPY seconds)} plus the generation time."""
    with conn.cursor() as cur:
        if cur.execute("SELECT EXISTS (SELECT 1 FROM travaux_dossierfacturation)").fetchone()[0]:
            raise SystemExit("Des dossiers de travaux existent déjà : relancer seed_volume avec --reset.")
        organisation = lire_organisation(cur)
        premiere = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM facturation_facture").fetchone()[0]
    conn.commit()
    sans_defauts = defauts_pour_copy(conn, TABLES)
    t = time.perf_counter()
    blobs = generer(n_dossiers, seed_value, organisation, premiere)
    res = {"generation (Python)": (0, time.perf_counter() - t)}
    with conn.cursor() as cur:
        for table in TABLES:
            lignes = blobs[table]
            t = time.perf_counter()
            copy_text(cur, table, TABLES[table], "".join(lignes).encode())
            res[table] = (len(lignes), time.perf_counter() - t)
        recaler_sequences(cur, ("travaux_dossierfacturation", "travaux_piecetravaux", "facturation_facture"))
        # The deferred foreign keys and triggers of the COPYs fire at commit; PostgreSQL refuses to alter a table
        # with such events pending (« pending trigger events »), so commit before removing the defaults.
        conn.commit()
        for sql in sans_defauts:
            cur.execute(sql)
    conn.commit()
    return res


def main():
    tables = ["travaux_dossierfacturation", "travaux_piecetravaux", "travaux_historiquepiece"]
    tables += ["facturation_facture", "facturation_recapitulatiftva", "facturation_historiquefacture"]
    seed_en_ligne_de_commande(__doc__.split("\n\n")[0], seed, "dossiers", 100_000, tables)


if __name__ == "__main__":
    main()
