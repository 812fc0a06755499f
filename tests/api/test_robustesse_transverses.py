"""Never a 500 on bad input, for the transverses/v1 reference lists and look-ups and utilisateurs/v1: the values
and keys of ``test_robustesse`` (wrong JSON types, huge numbers, malformed dates) plus these services' own keys."""

import pytest

from tests.api.test_robustesse import CLES, VALEURS, reponse_propre

CHEMINS = [
    "transverses/v1/recuperer/tauxtva",
    "transverses/v1/recuperer/modereglements",
    "transverses/v1/recuperer/modedepot",
    "transverses/v1/recuperer/formatflux",
    "transverses/v1/recuperer/cadrefacturation",
    "transverses/v1/recuperer/typedp",
    "transverses/v1/recuperer/etat/typedp",
    "transverses/v1/recuperer/etats/traitement",
    "transverses/v1/recuperer/typespj",
    "transverses/v1/recuperer/typeidentifiant/structure",
    "transverses/v1/recuperer/coordbanc/valides",
    "transverses/v1/rechercher/destinataire",
    "transverses/v1/consulter/information/siret",
    "transverses/v1/telecharger/annuaire/destinataire",
    "transverses/v1/recuperer/pays",
    "utilisateurs/v1/monCompte/recuperer/rattachements",
]
CLES_PROPRES = [
    "codeLangue",
    "typeDemandePaiement",
    "typeObjet",
    "identifiant",
    "nomVilleCodePostal",
    "typeStructure",
    "parametresRecherche",
    "siretStructure",
]


@pytest.mark.parametrize("chemin", CHEMINS)
@pytest.mark.parametrize("valeur", VALEURS, ids=repr)
def test_jamais_de_500(api, etat, chemin, valeur):
    r = api.post(chemin, dict.fromkeys([*CLES, *CLES_PROPRES], valeur))
    donnees = reponse_propre(r, statuts=(200, 400))
    assert (donnees["codeRetour"] == 0) == (r.status_code == 200)
