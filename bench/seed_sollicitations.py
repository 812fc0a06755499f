"""Add Sollicitations to a database filled by ``bench.seed_volume``: requests, their exchanges and their history,
through PostgreSQL COPY.

    .venv/bin/python -m bench.seed_sollicitations --sollicitations 500000   # on a database seeded by seed_volume
    .venv/bin/python -m bench.seed_volume ... --sollicitations 500000        # both in one go

Shape (deterministic for a given ``--seed``): senders are the private structures (Zipf, s = 1: a few suppliers
ask most of the questions), each request deposited by the structure's gestionnaire principal; 60 % go to a public
structure's business service (a « service métier » sous-catégorie; recipients Zipf, s = 1, a service named one time
in two), 40 % to the support desk. Statuses as in a mature stock: most closed, about one in five waiting for the
receiving side (« À traiter », « En cours ») and one in six for the sender (« Demande d'information »,
« Résolue »). Each request's history is the chain the services write (deposit by the sender, taken in charge,
then its current status) with its real SHA-256 chain (``chorus.history.HistoriqueBase``); a business service's
answer or request for information is one message of its gestionnaire principal (the support desk's agents are not
seeded: its steps are the system's, without a message).
"""

import bisect
import random
import time
from datetime import UTC, datetime

from bench.common import defauts_pour_copy, recaler_sequences, seed_en_ligne_de_commande
from bench.seed_travaux import Chaine, lire_organisation
from bench.seed_volume import SPAN, T0, copy_text, cumulative, iso, zipf_cum

SOLLICITATION_COLS = (
    "id, numero, date_depot, statut, courriel_contact, telephone_contact, au_support, objet, message, "
    "numero_facture, siret_concerne, date_cloture, updated_at, assignee_a_id, categorie_id, emetteur_id, "
    "service_destinataire_id, service_emetteur_id, structure_destinataire_id, structure_emettrice_id, "
    "sous_categorie_id"
)
MESSAGE_COLS = "sollicitation_id, role, texte, brouillon, created_at, updated_at, auteur_id"
HISTO_COLS = (
    "objet_id, created_at, acting_user_id, role, statut_precedent, statut, motif, commentaire, "
    "empreinte_precedente, empreinte"
)
TABLES = {
    "sollicitations_sollicitation": SOLLICITATION_COLS,
    "sollicitations_message": MESSAGE_COLS,
    "sollicitations_historiquesollicitation": HISTO_COLS,
}
# The current status (weight ‰) and the statuses the request went through to reach it.
STATUTS = [
    ("A_TRAITER", 110, ["A_TRAITER"]),
    ("EN_COURS", 90, ["A_TRAITER", "EN_COURS"]),
    ("DEMANDE_INFORMATION", 70, ["A_TRAITER", "EN_COURS", "DEMANDE_INFORMATION"]),
    ("RESOLUE", 90, ["A_TRAITER", "EN_COURS", "RESOLUE"]),
    ("CLOTUREE", 640, ["A_TRAITER", "EN_COURS", "RESOLUE", "CLOTUREE"]),
]
PART_SERVICE_METIER = 0.6
OBJETS = ["Facture non payée", "Question sur un rejet", "Délai de paiement", "Accès au compte", "Dépôt en erreur"]
DAY = 86400
NUL = "\\N"


def lire_sous_categories(cur) -> dict[str, list[tuple[int, int]]]:
    """{acheminement: [(catégorie, sous-catégorie)]} of the active sous-catégories (migration 0002's reference)."""
    res: dict[str, list[tuple[int, int]]] = {}
    for sc, cat, acheminement in cur.execute(
        "SELECT id, categorie_id, acheminement FROM sollicitations_souscategorie WHERE actif ORDER BY id"
    ):
        res.setdefault(acheminement, []).append((cat, sc))
    return res


def generer(premier: int, nombre: int, total: int, seed: int, organisation, sous_categories) -> dict[str, list[str]]:
    """COPY text of the sollicitations ``premier`` .. ``premier + nombre - 1`` (of ``total``), their messages and
    history rows."""
    privees, publiques, services, gp = organisation
    ordre = random.Random(seed * 4099 + 3)  # the actors' ranks: the same for every chunk
    emetteurs, recepteurs = privees[:], publiques[:]
    ordre.shuffle(emetteurs)
    ordre.shuffle(recepteurs)
    e_cum, r_cum = zipf_cum(len(emetteurs)), zipf_cum(len(recepteurs))
    st_cum = cumulative(w for _, w, _ in STATUTS)
    rng = random.Random(seed * 1_000_037 + premier)
    rnd, randint, choice = rng.random, rng.randint, rng.choice
    bl = bisect.bisect_left
    t = {name: [] for name in TABLES}
    for sid in range(premier, premier + nombre):
        emettrice = emetteurs[bl(e_cum, rnd() * e_cum[-1])]
        emetteur = gp[emettrice]
        statut, _, parcours = STATUTS[bl(st_cum, rnd() * st_cum[-1])]
        depot = T0 + int((SPAN - 60 * DAY) * (sid - 1) / total) + randint(0, 3600)
        if rnd() < PART_SERVICE_METIER:
            au_support, role_recevant = "f", "DESTINATAIRE"
            destinataire = recepteurs[bl(r_cum, rnd() * r_cum[-1])]
            service = choice(services[destinataire]) if destinataire in services and rnd() < 0.5 else NUL
            categorie, sous_categorie = choice(sous_categories["SERVICE_METIER"])
            agent = gp[destinataire]
        else:
            au_support, role_recevant, destinataire, service = "t", "SUPPORT", NUL, NUL
            categorie, sous_categorie = choice(sous_categories["SUPPORT"])
            agent = None  # the support desk's agents are not seeded: the system acts for them
        histo = Chaine(sid, t["sollicitations_historiquesollicitation"])
        ts, precedent = depot, ""
        for etape in parcours:
            if etape == "A_TRAITER":
                histo.ajouter(ts, emetteur, "EMETTEUR", "", "A_TRAITER")
            elif etape == "CLOTUREE":
                ts += randint(DAY, 10 * DAY)
                histo.ajouter(ts, emetteur, "EMETTEUR", precedent, etape)
            else:
                ts += randint(3600, 5 * DAY)
                histo.ajouter(ts, agent, role_recevant, precedent, etape)
                if etape in ("DEMANDE_INFORMATION", "RESOLUE") and agent is not None:
                    t["sollicitations_message"].append(
                        f"{sid}\t{role_recevant}\tRéponse à la demande {sid}.\tf\t{iso(ts)}\t{iso(ts)}\t{agent}\n"
                    )
            precedent = etape
        annee = datetime.fromtimestamp(depot, UTC).year
        cloture = iso(ts) if statut == "CLOTUREE" else NUL
        t["sollicitations_sollicitation"].append(
            f"{sid}\tSOL-{annee}-{sid:06d}\t{iso(depot)}\t{statut}\tu{emetteur}@bench.example\t\t{au_support}\t"
            f"{choice(OBJETS)}\tDescription de la demande {sid}.\t\t\t{cloture}\t{iso(ts)}\t{NUL}\t{categorie}\t"
            f"{emetteur}\t{service}\t{NUL}\t{destinataire}\t{emettrice}\t{sous_categorie}\n"
        )
    return t


def seed(conn, nombre: int, seed_value: int = 42, chunk: int = 100_000) -> dict[str, tuple[int, float]]:
    """Write the sollicitations on ``conn`` (a psycopg connection to a database seeded by ``seed_volume``); return
    {table: (rows, COPY seconds)} plus the generation time."""
    with conn.cursor() as cur:
        if cur.execute("SELECT EXISTS (SELECT 1 FROM sollicitations_sollicitation)").fetchone()[0]:
            raise SystemExit("Des sollicitations existent déjà : relancer seed_volume avec --reset.")
        organisation = lire_organisation(cur)
        sous_categories = lire_sous_categories(cur)
    conn.commit()
    sans_defauts = defauts_pour_copy(conn, TABLES)
    res = {"generation (Python)": (0, 0.0), **{table: (0, 0.0) for table in TABLES}}
    with conn.cursor() as cur:
        for premier in range(1, nombre + 1, chunk):
            t = time.perf_counter()
            blobs = generer(
                premier, min(chunk, nombre - premier + 1), nombre, seed_value, organisation, sous_categories
            )
            res["generation (Python)"] = (0, res["generation (Python)"][1] + time.perf_counter() - t)
            for table, cols in TABLES.items():  # in an order the foreign keys accept
                t = time.perf_counter()
                copy_text(cur, table, cols, "".join(blobs[table]).encode())
                lignes, secondes = res[table]
                res[table] = (lignes + len(blobs[table]), secondes + time.perf_counter() - t)
            conn.commit()
        recaler_sequences(cur, TABLES)
        # The numbers handed out by the portal (``services.saisie._numero``) continue after the seeded ones.
        cur.execute("SELECT setval('sollicitations_numero_seq', %s)", [max(nombre, 1)])
        for sql in sans_defauts:
            cur.execute(sql)
    conn.commit()
    return res


def main():
    seed_en_ligne_de_commande(__doc__.split("\n\n")[0], seed, "sollicitations", 500_000, list(TABLES))


if __name__ == "__main__":
    main()
