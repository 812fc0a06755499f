"""Never a 500 on bad input: every endpoint, fed wrong JSON types, huge numbers, NaN and malformed dates, answers
HTTP 200 or 400 with a French libelle."""

import pytest

CHEMINS = [
    "transverses/v1/recuperer/devises",
    "structures/v1/rechercher",
    "structures/v1/consulter",
    "structures/v1/rechercher/services",
    "structures/v1/consulter/service",
    "factures/v1/soumettre",
    "factures/v1/rechercher/fournisseur",
    "factures/v1/consulter/fournisseur",
    "factures/v1/consulter/historique",
    "factures/v1/deposer/flux",
    "transverses/v1/consulterCRDetaille",
    "transverses/v1/consulterCR",
]
CLES = [
    "idStructureCPP",
    "idStructure",
    "idService",
    "identifiantFactureCPP",
    "idFacture",
    "structure",
    "parametres",
    "parametresRechercherServicesStructure",
    "rechercheFactureParFournisseur",
    "numeroFactureSaisi",
    "dateFacture",
    "destinataire",
    "lignePoste",
    "montantTotal",
    "references",
    "fournisseur",
    "statutCourant",
    "periodeDateFactureDu",
    "montantTTCMin",
    "fichierFlux",
    "syntaxeFlux",
    "nomFichier",
    "numeroFluxDepot",
    "listeDestinataire",
    "rejetTraite",
]
VALEURS = [
    "texte",
    10**30,
    -(10**30),
    1.5,
    True,
    [],
    {},
    [1, "a"],
    {"nbResultatsParPage": "x"},
    {"pageResultatDemandee": 10**12},
    "2025-02-30",
    "9999-99-99T99:99",
    "1e999999",
]


def reponse_propre(r, statuts=(200, 400, 403)) -> dict:
    """What bad input gets: one of ``statuts`` (never a 500), an integer ``codeRetour`` (not 0 on a refusal) and a
    libelle; the answer's JSON."""
    assert r.status_code in statuts, r.content
    donnees = r.json()
    assert type(donnees["codeRetour"]) is int and isinstance(donnees["libelle"], str) and donnees["libelle"]
    if r.status_code != 200:
        assert donnees["codeRetour"] != 0
    return donnees


@pytest.mark.parametrize("chemin", CHEMINS)
@pytest.mark.parametrize("valeur", VALEURS, ids=repr)
def test_jamais_de_500(api, etat, chemin, valeur):
    reponse_propre(api.post(chemin, dict.fromkeys(CLES, valeur)))


@pytest.mark.parametrize("chemin", CHEMINS)
def test_nan_et_infini(api, chemin):
    r = api.post(chemin, brut='{"idStructureCPP": NaN, "idFacture": Infinity, "identifiantFactureCPP": -Infinity}')
    assert r.status_code in (200, 400), r.content
    assert r.json()["libelle"]
