"""``bench.seed_sollicitations`` and the « Factures à valider » invoices of ``bench.seed_volume`` write COPY text:
check the rows they format (no database: the columns, the routing, the statuses' paths, the SHA-256 history chains,
the valideurs)."""

import random

from bench import seed_sollicitations, seed_volume
from tests.historique import empreinte_copiee

PRIVEES, PUBLIQUES = list(range(1, 41)), list(range(41, 61))
ORGANISATION = (PRIVEES, PUBLIQUES, {s: [s * 10, s * 10 + 1] for s in PUBLIQUES}, {s: 1000 + s for s in range(1, 61)})
SOUS_CATEGORIES = {"SERVICE_METIER": [(1, 1), (1, 2)], "SUPPORT": [(2, 6), (3, 12)]}


def _lignes(colonnes, lignes):
    noms = [c.strip() for c in colonnes.split(",")]
    return [dict(zip(noms, ligne.rstrip("\n").split("\t"), strict=True)) for ligne in lignes]


def _generer(premier=1, nombre=600, total=600, seed=42):
    blobs = seed_sollicitations.generer(premier, nombre, total, seed, ORGANISATION, SOUS_CATEGORIES)
    return {table: _lignes(cols, blobs[table]) for table, cols in seed_sollicitations.TABLES.items()}


def test_sollicitations_acheminees_et_statuts():
    t = _generer()
    sollicitations = t["sollicitations_sollicitation"]
    assert [int(s["id"]) for s in sollicitations] == list(range(1, 601))
    assert len({s["numero"] for s in sollicitations}) == 600
    par_acheminement = {"t": 0, "f": 0}
    for s in sollicitations:
        assert int(s["structure_emettrice_id"]) in PRIVEES
        assert s["emetteur_id"] == str(1000 + int(s["structure_emettrice_id"]))  # its gestionnaire principal
        par_acheminement[s["au_support"]] += 1
        if s["au_support"] == "t":
            assert s["structure_destinataire_id"] == "\\N" and s["service_destinataire_id"] == "\\N"
            assert (int(s["categorie_id"]), int(s["sous_categorie_id"])) in SOUS_CATEGORIES["SUPPORT"]
        else:
            destinataire = int(s["structure_destinataire_id"])
            assert destinataire in PUBLIQUES
            assert s["service_destinataire_id"] in ("\\N", *(str(sv) for sv in ORGANISATION[2][destinataire]))
            assert (int(s["categorie_id"]), int(s["sous_categorie_id"])) in SOUS_CATEGORIES["SERVICE_METIER"]
        assert (s["date_cloture"] != "\\N") == (s["statut"] == "CLOTUREE")
    assert par_acheminement["t"] > 150 and par_acheminement["f"] > 250
    assert {s["statut"] for s in sollicitations} == {statut for statut, _, _ in seed_sollicitations.STATUTS}
    # A business service's answer is a message of its gestionnaire principal.
    par_id = {s["id"]: s for s in sollicitations}
    assert t["sollicitations_message"]
    for m in t["sollicitations_message"]:
        s = par_id[m["sollicitation_id"]]
        assert s["au_support"] == "f" and s["statut"] in ("DEMANDE_INFORMATION", "RESOLUE", "CLOTUREE")
        assert m["auteur_id"] == str(1000 + int(s["structure_destinataire_id"]))


def test_historique_chaine_comme_historique_base_jusqu_au_statut_courant():
    t = _generer(seed=7)
    statut_courant = {s["id"]: s["statut"] for s in t["sollicitations_sollicitation"]}
    precedente, dates, dernier = {}, {}, {}
    lignes = t["sollicitations_historiquesollicitation"]
    assert lignes
    for h in lignes:
        assert h["empreinte_precedente"] == precedente.get(h["objet_id"], "")
        assert h["statut_precedent"] == dernier.get(h["objet_id"], "")
        assert h["created_at"] > dates.get(h["objet_id"], "")  # chaine_intacte reads the rows by date
        assert h["empreinte"] == empreinte_copiee(h)
        precedente[h["objet_id"]], dates[h["objet_id"]], dernier[h["objet_id"]] = (
            h["empreinte"],
            h["created_at"],
            h["statut"],
        )
    assert dernier == statut_courant


def test_morceaux_gardent_les_memes_rangs():
    """The seed writes in chunks, each from its own random stream: the actors' Zipf ranks must be the same in every
    chunk (the largest sender stays the largest), and the ids and numbers follow on."""
    from collections import Counter

    premier = _generer(1, 3000, 6000)["sollicitations_sollicitation"]
    second = _generer(3001, 3000, 6000)["sollicitations_sollicitation"]
    assert [int(s["id"]) for s in premier + second] == list(range(1, 6001))
    plus_gros = [
        Counter(s["structure_emettrice_id"] for s in morceau).most_common(1)[0][0] for morceau in (premier, second)
    ]
    assert plus_gros[0] == plus_gros[1]
    assert _generer(1, 3000, 6000)["sollicitations_sollicitation"] == premier  # deterministic


def test_factures_a_valider_ont_un_valideur_autre_que_le_fournisseur():
    fournisseurs, destinataires = list(range(1, 201)), list(range(201, 231))
    v_rangs = fournisseurs[:]
    random.Random(1).shuffle(v_rangs)
    seed_volume.PLAN.update(
        seed=42,
        n=20_000,
        f_ids=fournisseurs,
        f_cum=seed_volume.zipf_cum(len(fournisseurs)),
        d_ids=destinataires,
        d_cum=seed_volume.zipf_cum(len(destinataires)),
        v_ids=v_rangs,
        v_cum=seed_volume.zipf_cum(len(v_rangs)),
        services={d: [d * 10] for d in destinataires},
        gp={s: s for s in fournisseurs + destinataires},
        s_cum=seed_volume.cumulative(w for _, w in seed_volume.STATUTS),
    )
    _, blobs = seed_volume.generer((1, 20_000))
    factures = _lignes(seed_volume.FACTURE_COLS, blobs[0].decode().splitlines(keepends=True))
    a9 = [f for f in factures if f["cadre"] == "A9_FACTURE_SOUSTRAITANT"]
    for f in factures:
        if f["statut"] in seed_volume.STATUTS_VALIDATION:
            assert f["cadre"] == "A9_FACTURE_SOUSTRAITANT"
        if f["cadre"] == "A9_FACTURE_SOUSTRAITANT":
            assert f["valideur_id"] != "\\N" and f["valideur_id"] != f["fournisseur_id"]
            assert f["statut"] != "BROUILLON"
        else:
            assert f["cadre"] == "A1_FACTURE_FOURNISSEUR" and f["valideur_id"] == "\\N"
    # those waiting for their valideur, and a share of the stock past validation
    assert sum(f["statut"] == "A_VALIDER_1" for f in a9) > 50
    assert sum(f["statut"] not in seed_volume.STATUTS_VALIDATION for f in a9) > 200
