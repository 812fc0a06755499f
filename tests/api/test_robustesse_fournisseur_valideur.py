"""Never a 500 on bad input for the supplier's actions, the files sent ahead and the valideur's services: wrong
JSON types, huge numbers, NaN and malformed dates answer HTTP 200 or 400 with a French libelle, and change
nothing."""

import pytest

from facturation.models import HistoriqueFacture, PieceJointe, PieceJointeTeleversee
from tests.api.test_robustesse import VALEURS, reponse_propre

CHEMINS = [
    "factures/v1/deposer/pdf",
    "factures/v1/completer",
    "factures/v1/recycler",
    "factures/v1/traiterRejet",
    "factures/v1/corriger/valideur/facture",
    "transverses/v1/ajouter/fichier",
    "factures/v1/rechercher/valideur",
    "factures/v1/consulter/valideur",
    "factures/v1/traiter/factureAValider",
    "transverses/v1/recuperer/motifs/refus/Facture/AValider",
    "factures/v1/recuperer/statutsFactureVisibles/valideur",
]
CLES = [
    "identifiantFactureCPP",
    "idFacture",
    "idStructure",
    "identifiantStructure",
    "commentaire",
    "pieceJointeComplementaire",
    "destinataire",
    "reference",
    "listeDemandePaiement",
    "motifRejet",
    "cpltInfos",
    "pieceJointeFichier",
    "pieceJointeNom",
    "pieceJointeExtension",
    "fichierFacture",
    "nomFichier",
    "formatDepot",
    "action",
    "motifRefus",
    "complementInfo",
    "statutCourant",
    "pagination",
    "montantTTCMin",
    "periodeDateDepotDu",
    "cadreFacturation",
    "idFournisseur",
    "codeCadreFacturationAValider",
    "idUtilisateurCourant",
]


@pytest.mark.parametrize("chemin", CHEMINS)
@pytest.mark.parametrize("valeur", VALEURS, ids=repr)
def test_jamais_de_500(api, etat, chemin, valeur):
    reponse_propre(api.post(chemin, dict.fromkeys(CLES, valeur)))
    assert not PieceJointeTeleversee.objects.exists() and not PieceJointe.objects.exists()
    assert not HistoriqueFacture.objects.exists()


@pytest.mark.parametrize("chemin", CHEMINS)
def test_nan_et_infini(api, chemin):
    r = api.post(chemin, brut='{"idFacture": NaN, "identifiantFactureCPP": Infinity, "idStructure": -Infinity}')
    assert r.status_code in (200, 400), r.content
    assert r.json()["libelle"]
