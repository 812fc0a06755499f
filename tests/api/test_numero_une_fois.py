"""Issue 15, « nothing validated twice »: the form of an invoice number (``controles.erreur_numero``) is checked
once per invoice along each path of the deposit pipeline — a flux's chunk, one deposited file, ``soumettre``, a
draft sent from the portal — and a bad number is still refused with the same message. The check is counted with
a mock that wraps the real function (its behaviour unchanged) in every module that calls it."""

import hashlib
import types
from unittest import mock

import pytest

from facturation.models import Facture
from facturation.services import brouillons, controles, envoi
from tests.api.test_factures import facture as corps_soumettre
from tests.api.test_flux import deposer_un_fichier, document

pytestmark = pytest.mark.django_db


@pytest.fixture
def erreur_numero(monkeypatch):
    """``erreur_numero`` counted wherever the pipeline calls it, its answers unchanged."""
    compteur = mock.Mock(wraps=controles.erreur_numero)
    for module in (controles, envoi, brouillons):
        monkeypatch.setattr(module, "erreur_numero", compteur)
    return compteur


def _numeros(compteur) -> list[str]:
    return [appel.args[0] for appel in compteur.call_args_list]


def test_tranche_de_flux_un_controle_par_facture(api, etat, erreur_numero, monkeypatch):
    numeros = ["LOT-N01", "LOT-N02", "LOT-N03", "LOT-N04-TROP-LONG-POUR-CHORUS"]
    contenus = [document(api.compte, etat, n) for n in numeros[:3]]
    contenus.append(document(api.compte, etat, "LOT-N04").replace(b"LOT-N04", numeros[3].encode()))
    fichiers = [envoi.FichierDuLot(cle=n, nom=f"{n}.xml", contenu=c) for n, c in zip(numeros, contenus, strict=True)]
    erreur_numero.reset_mock()  # the documents were built from drafts: only the chunk counts
    sha256 = mock.Mock(wraps=hashlib.sha256)
    monkeypatch.setattr(envoi, "hashlib", types.SimpleNamespace(sha256=sha256))
    resultats = envoi.deposer_et_envoyer_lot(
        acting_user=api.compte.utilisateur, fournisseur=api.compte.structure, fichiers=fichiers
    )
    assert all(isinstance(resultats[n], Facture) for n in numeros[:3])
    assert Facture.objects.get(numero="LOT-N01").statut == "MISE_A_DISPOSITION"
    # The number too long is refused with the message of a deposit of that file alone.
    assert isinstance(resultats[numeros[3]], envoi.DepotRefuse)
    assert resultats[numeros[3]].messages == ["Le numéro de facture (BT-1) dépasse 20 caractères."]
    # Once per invoice, where the chunk used to check each number five times.
    assert sorted(_numeros(erreur_numero)) == sorted(numeros)
    # The file's digest: once per file for the pipeline (``Document.sha256``: the chunk's duplicates, step 5, the
    # files accepted so far, the draft's ``fichier_sha256``), once more by the certificate for the bytes it
    # certifies (``certifier``, the three written files); it was computed five times per written file.
    assert sha256.call_count == len(numeros) + 3


def test_depot_d_un_fichier_un_controle(api, etat, erreur_numero):
    contenu = document(api.compte, etat, "DEP-N01")
    erreur_numero.reset_mock()
    facture = deposer_un_fichier(api, contenu)
    assert facture.statut == "MISE_A_DISPOSITION"
    assert _numeros(erreur_numero) == ["DEP-N01"]  # was four: duplicates, routing, the draft, before sending

    erreur_numero.reset_mock()
    with pytest.raises(envoi.DepotRefuse) as refus:
        envoi.deposer_et_envoyer(
            canal=envoi.Canal.FLUX,
            acting_user=api.compte.utilisateur,
            fournisseur=api.compte.structure,
            contenu=contenu.replace(b"DEP-N01", b"DEP\\N02"),
            nom_fichier="g.xml",
        )
    assert "Le numéro de facture (BT-1) contient un caractère non autorisé" in refus.value.messages[0]
    assert _numeros(erreur_numero) == ["DEP\\N02"]


def test_soumettre_un_controle(api, etat, erreur_numero):
    r = api.post("factures/v1/soumettre", corps_soumettre("API-N01"))
    assert r.status_code == 200, r.content
    assert r.json()["statutFacture"] == "MISE_A_DISPOSITION"
    assert _numeros(erreur_numero) == ["API-N01"]  # was three: duplicates, the draft, before sending


def test_numero_vide_toujours_refuse_avant_envoi(api):
    """``numero_verifie`` says the duplicate check saw a non-empty number: an empty one is still refused here."""
    facture = Facture(numero="", fournisseur=api.compte.structure)
    erreurs = controles.verifier_avant_envoi(facture, lignes=1, numero_verifie=True)
    assert erreurs["numero"] == "Le numéro de facture est obligatoire."
