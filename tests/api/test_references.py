"""transverses/v1/recuperer/…: the reference lists answer the values the portal itself uses (its enums, its transition
table, the flux syntaxes deposer/flux accepts, ISO 4217), with Chorus Pro's field names and JSON types; malformed
bodies are refused with a French libelle."""

import pytest

from chorus.api.kit import CODE_REQUETE_INVALIDE
from facturation import statuts
from facturation.api.flux import SYNTAXES
from facturation.enums import CADRES_FACTURE, Cadre, ModeDepot, ModePaiement, StatutFacture, TypePieceJointe
from facturation.models import Facture
from tests.api.test_factures import facture
from tests.factories import StructureFactory


def _liste(api, chemin, cle, corps=None):
    r = api.post(f"transverses/v1/recuperer/{chemin}", corps if corps is not None else {})
    assert r.status_code == 200, r.content
    donnees = r.json()
    assert donnees["codeRetour"] == 0 and isinstance(donnees["libelle"], str)
    return donnees[cle]


def test_taux_de_tva(api):
    liste = _liste(api, "tauxtva", "listeTauxTva", {"codeLangue": "FR"})
    assert [t["codeTauxTva"] for t in liste] == ["TVA20", "TVA10", "TVA8.5", "TVA5.5", "TVA2.1", "TVA0"]
    assert liste[3] == {"codeTauxTva": "TVA5.5", "libelleTauxTva": "5,5 %", "valeurTauxTva": 5.5}
    assert all(type(t["valeurTauxTva"]) in (int, float) for t in liste)


def test_un_code_de_taux_de_la_liste_est_compris_par_soumettre(api, etat):
    (taux,) = [t for t in _liste(api, "tauxtva", "listeTauxTva") if t["valeurTauxTva"] == 5.5]
    corps = facture(numero="API-TAUX")
    corps["lignePoste"] = [
        {
            "lignePosteDenomination": "Matériaux",
            "lignePosteQuantite": 2,
            "lignePosteMontantUnitaireHT": 100,
            "lignePosteTauxTva": taux["codeTauxTva"],
        },
    ]
    corps["montantTotal"] = {}
    r = api.post("factures/v1/soumettre", corps)
    assert r.status_code == 200, r.content
    ligne = Facture.objects.get(pk=r.json()["identifiantFactureCPP"]).lignes.get()
    assert str(ligne.taux_tva) in ("5.5", "5.50")


def test_modes_de_reglement_de_depot_et_formats_de_flux(api):
    assert _liste(api, "modereglements", "listeModePaiement") == [{"modePaiement": m} for m in ModePaiement.values]
    assert {"modePaiement": "VIREMENT"} in _liste(api, "modereglements", "listeModePaiement")
    assert _liste(api, "modedepot", "listeModeDepot") == [{"modeDepot": m} for m in ModeDepot.values]
    formats = _liste(api, "formatflux", "listeFormatFlux", {"cleInconnue": 1})
    assert formats == [{"formatFlux": s} for s in SYNTAXES]
    assert {"formatFlux": "IN_DP_E2_CII_FACTURX"} in formats


def test_cadres_de_facturation_et_types_de_demande_de_paiement(api):
    cadres = [c["codeCadreFacturation"] for c in _liste(api, "cadrefacturation", "listeCadreFacturation")]
    assert cadres == Cadre.values
    assert cadres[: len(CADRES_FACTURE)] == [c.value for c in CADRES_FACTURE]  # the invoices' first
    assert {"A1_FACTURE_FOURNISSEUR", "A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR", "A20_DECOMPTE_GENERAL_MOA"} <= set(
        cadres
    )
    assert _liste(api, "typedp", "listeTypeDemandePaiement") == [
        {"typeDemandePaiement": "FACTURE"},
        {"typeDemandePaiement": "FACTURE_TRAVAUX"},
    ]


def test_etats_d_un_type_de_demande_de_paiement(api):
    for corps in ({"typeDemandePaiement": "FACTURE"}, {"typeDemandePaiement": "FACTURE_TRAVAUX"}, {}):
        etats = _liste(api, "etat/typedp", "listeEtatDemandePaiement", corps)
        assert etats == [{"etatDemandePaiement": s} for s in StatutFacture.values]


def test_etats_de_traitement_suivent_la_table_de_transitions(api):
    possibles = _liste(
        api, "etats/traitement", "listeStatutsPossiblesPourTraitement", {"statutCourant": "MISE_A_DISPOSITION"}
    )
    codes = [p["statutPossiblePourTraitement"] for p in possibles]
    assert codes == statuts.cibles("MISE_A_DISPOSITION", statuts.DESTINATAIRE)
    assert {"MISE_EN_PAIEMENT", "REJETEE", "SUSPENDUE", "A_RECYCLER"} <= set(codes)
    assert "MISE_A_DISPOSITION" not in codes
    payee = _liste(
        api, "etats/traitement", "listeStatutsPossiblesPourTraitement", {"statutCourant": "MISE_EN_PAIEMENT"}
    )
    assert payee == []
    comptabilisee = _liste(
        api, "etats/traitement", "listeStatutsPossiblesPourTraitement", {"statutCourant": "COMPTABILISEE"}
    )
    assert comptabilisee == [{"statutPossiblePourTraitement": "MISE_EN_PAIEMENT"}]


def test_types_de_piece_jointe(api):
    types = _liste(api, "typespj", "listeTypePieceJointe", {"typeObjet": "FACTURE", "codeLangue": "FR"})
    assert [t["codeTypePieceJointe"] for t in types] == TypePieceJointe.values
    assert types[0] == {
        "idTypePieceJointe": 1,
        "codeTypePieceJointe": "FACTURE",
        "libelleTypePieceJointe": "Facture",
        "typeObjet": "FACTURE",
    }
    assert [t["idTypePieceJointe"] for t in types] == list(range(1, len(TypePieceJointe) + 1))
    assert _liste(api, "typespj", "listeTypePieceJointe") == types  # FACTURE by default
    assert _liste(api, "typespj", "listeTypePieceJointe", {"typeObjet": "SOLLICITATION"}) == []


def test_devises_iso_4217(api):
    devises = _liste(api, "devises", "listeDevises", {"codeLangue": "FR"})
    codes = [d["codeDevise"] for d in devises]
    assert codes == sorted(codes) and len(codes) == len(set(codes)) > 150
    assert {"codeDevise": "EUR", "libelleDevise": "Euro"} in devises
    assert {"codeDevise": "USD", "libelleDevise": "Dollar américain"} in devises  # named in French
    assert {"codeDevise": "CHF", "libelleDevise": "Franc suisse"} in devises
    assert {"USD", "CHF", "XPF", "GBP", "JPY"} <= set(codes)
    assert all(isinstance(d["libelleDevise"], str) and d["libelleDevise"] for d in devises)


def test_pays_iso_3166_en_francais(api):
    pays = _liste(api, "pays", "listePays", {"codeLangue": "FR"})
    codes = [p["codePays"] for p in pays]
    assert codes == sorted(codes) and len(codes) == len(set(codes)) > 240
    assert all(len(code) == 2 for code in codes)
    assert {"codePays": "FR", "libellePays": "France"} in pays
    assert {"codePays": "DE", "libellePays": "Allemagne"} in pays
    assert {"codePays": "NC", "libellePays": "Nouvelle-Calédonie"} in pays


def test_un_code_pays_de_la_liste_filtre_la_recherche_de_structures(api):
    belge = StructureFactory(publique=True, code_pays="BE", libelle_pays="Belgique", raison_sociale="Ville de Liège")
    (code,) = [p["codePays"] for p in _liste(api, "pays", "listePays") if p["libellePays"] == "Belgique"]
    r = api.post("structures/v1/rechercher", {"structure": {"adresseCodePays": code}})
    assert [s["idStructureCPP"] for s in r.json()["listeStructures"]] == [belge.pk]


@pytest.mark.parametrize(
    ("chemin", "corps", "message"),
    [
        ("etats/traitement", {}, "Le champ « statutCourant » est obligatoire."),
        ("etats/traitement", {"statutCourant": None}, "Le champ « statutCourant » est obligatoire."),
        (
            "etats/traitement",
            {"statutCourant": ["MISE_A_DISPOSITION"]},
            "Le champ « statutCourant » doit être une chaîne de caractères.",
        ),
        ("etats/traitement", {"statutCourant": "PAYEE"}, "Valeur inconnue pour « statutCourant » : PAYEE"),
        ("etat/typedp", {"typeDemandePaiement": "MEMOIRE"}, "Valeur inconnue pour « typeDemandePaiement » : MEMOIRE"),
        ("etat/typedp", {"typeDemandePaiement": {}}, "Le champ « typeDemandePaiement » doit être une chaîne"),
        ("typespj", {"typeObjet": "VOITURE"}, "Valeur inconnue pour « typeObjet » : VOITURE"),
        ("tauxtva", {"codeLangue": []}, "Le champ « codeLangue » doit être une chaîne de caractères."),
        ("pays", {"codeLangue": {}}, "Le champ « codeLangue » doit être une chaîne de caractères."),
    ],
)
def test_corps_mal_formes_refuses_en_francais(api, chemin, corps, message):
    r = api.post(f"transverses/v1/recuperer/{chemin}", corps)
    assert r.status_code == 400
    assert r.json()["codeRetour"] == CODE_REQUETE_INVALIDE
    assert message in r.json()["libelle"]


@pytest.mark.parametrize("chemin", ["tauxtva", "modereglements", "etats/traitement", "typespj", "devises", "pays"])
def test_corps_qui_n_est_pas_un_objet_json(api, chemin):
    r = api.post(f"transverses/v1/recuperer/{chemin}", brut="[1, 2]")
    assert r.status_code == 400 and r.json()["libelle"] == "Le corps de la requête doit être un objet JSON."
    r = api.post(f"transverses/v1/recuperer/{chemin}", brut="{pas du json")
    assert r.status_code == 400 and r.json()["libelle"] == "Le corps de la requête n'est pas un JSON valide."


def test_sans_compte_technique_refuse(client):
    r = client.post("/cpro/transverses/v1/recuperer/tauxtva", data="{}", content_type="application/json")
    assert r.status_code == 401 and r.json()["codeRetour"] == 401
