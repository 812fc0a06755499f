"""``bench.seed_travaux`` writes COPY text: check the rows it formats (no database: the columns, the A4 → A15 → A19
chains, the payable pieces' invoices, the amounts and the SHA-256 history chains)."""

from decimal import Decimal

from bench import seed_travaux
from tests.historique import empreinte_copiee

PRIVEES, PUBLIQUES = list(range(1, 41)), list(range(41, 61))
ORGANISATION = (PRIVEES, PUBLIQUES, {s: [s * 10, s * 10 + 1] for s in PUBLIQUES}, {s: 1000 + s for s in range(1, 61)})


def _lignes(table, blobs):
    colonnes = [c.strip() for c in seed_travaux.TABLES[table].split(",")]
    lignes = [dict(zip(colonnes, ligne.rstrip("\n").split("\t"), strict=True)) for ligne in blobs[table]]
    return lignes


def test_chaines_a4_a15_a19_et_factures():
    blobs = seed_travaux.generer(300, 42, ORGANISATION, premiere_facture=5001)
    dossiers = {d["id"]: d for d in _lignes("travaux_dossierfacturation", blobs)}
    pieces = _lignes("travaux_piecetravaux", blobs)
    factures = {f["id"]: f for f in _lignes("facturation_facture", blobs)}
    assert len(dossiers) == 300
    par_dossier = {}
    for p in pieces:
        par_dossier.setdefault(p["dossier_id"], []).append(p)
        assert Decimal(p["montant_ttc"]) == Decimal(p["montant_ht"]) + Decimal(p["montant_tva"])
    for did, chaine in par_dossier.items():
        dossier = dossiers[did]
        codes = [p["cadre"].split("_")[0] for p in chaine]
        assert codes == ["A4", "A15", "A19"][: len(codes)]
        assert chaine[0]["piece_precedente_id"] == "\\N"
        for avant, apres in zip(chaine, chaine[1:], strict=False):
            assert apres["piece_precedente_id"] == avant["id"] and avant["statut"] == "ASSOCIEE"
        assert chaine[0]["deposant_id"] == dossier["fournisseur_id"]
        if len(chaine) == 3:  # the payable piece continues as an invoice of the dossier's service financier
            facture = factures[chaine[2]["facture_id"]]
            assert facture["cadre"] == "A19_ETAT_ACOMPTE_VALIDE_MOA"
            assert facture["destinataire_id"] == dossier["destinataire_id"]
            assert facture["fournisseur_id"] == dossier["fournisseur_id"]
            assert (dossier["mise_en_paiement_le"] != "\\N") == (facture["statut"] == "MISE_EN_PAIEMENT")
        else:
            assert all(p["facture_id"] == "\\N" for p in chaine)
    assert len(factures) == sum(len(c) == 3 for c in par_dossier.values()) > 200
    assert sorted(int(i) for i in factures) == list(range(5001, 5001 + len(factures)))


def test_historiques_chaines_comme_historique_base():
    blobs = seed_travaux.generer(400, 7, ORGANISATION, premiere_facture=1)
    for table in ("travaux_historiquepiece", "facturation_historiquefacture"):
        precedente, dates = {}, {}
        lignes = _lignes(table, blobs)
        assert lignes, table  # the loop below checks each row: an empty table would check nothing
        for h in lignes:
            assert h["empreinte_precedente"] == precedente.get(h["objet_id"], "")
            # HistoriqueBase.chaine_intacte reads the rows by date: each must come after the previous one
            assert h["created_at"] > dates.get(h["objet_id"], "")
            dates[h["objet_id"]] = h["created_at"]
            assert h["empreinte"] == empreinte_copiee(h)
            precedente[h["objet_id"]] = h["empreinte"]
