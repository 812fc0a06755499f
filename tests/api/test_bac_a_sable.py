"""The sandbox: ``manage.py bac_a_sable`` prepares a supplier with its API client and technical account and a public
recipient, prints the values to paste into a connector (they work, as a connector uses them), renews them on each
run; with ``CHORUS_BAC_A_SABLE`` only, ``/cpro/bacasable/v1/forcerStatut`` forces any status on the integrator's own
invoices, through a transition with its history row."""

import io
import json
import re

import pytest
from django.core.management import call_command

from facturation.models import Facture, HistoriqueFacture
from organisation.management.commands import bac_a_sable
from organisation.models import ClientApiStructure, CompteTechnique, Structure
from tests.api.conftest import ClientApi
from tests.facturation.factories import FactureFactory

pytestmark = pytest.mark.django_db


def _lancer() -> dict:
    sortie = io.StringIO()
    call_command("bac_a_sable", stdout=sortie)
    texte = sortie.getvalue()

    def valeur(libelle):
        return re.search(rf"^{re.escape(libelle)}\s+(\S+)", texte, re.MULTILINE).group(1)

    return {
        "texte": texte,
        "client_id": valeur("client_id"),
        "client_secret": valeur("client_secret"),
        "login": valeur("login du compte technique"),
        "mot_de_passe": valeur("mot de passe"),
        "cpro_account": valeur("en-tête cpro-account"),
    }


def _demander_un_jeton(http, valeurs):
    """A connector's token request with the printed ``client_id`` and ``client_secret``."""
    return http.post(
        "/api/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": valeurs["client_id"],
            "client_secret": valeurs["client_secret"],
            "scope": "openid",
        },
    )


def _connecteur(http, valeurs) -> ClientApi:
    """What a connector does with the printed values: a token, then service calls with the cpro-account header."""
    r = _demander_un_jeton(http, valeurs)
    assert r.status_code == 200, r.content
    compte = CompteTechnique.objects.get(login=valeurs["login"])
    return ClientApi(http, r.json()["access_token"], compte, mot_de_passe=valeurs["mot_de_passe"])


def test_commande_prepare_et_affiche_des_valeurs_qui_marchent(client):
    valeurs = _lancer()
    assert "http://127.0.0.1:8000/api/oauth/token" in valeurs["texte"]
    assert f"SIRET {bac_a_sable.SIRET_DESTINATAIRE}, code service {bac_a_sable.CODE_SERVICE}" in valeurs["texte"]
    fournisseur = Structure.objects.get(identifiant=bac_a_sable.SIRET_FOURNISSEUR)
    destinataire = Structure.objects.get(identifiant=bac_a_sable.SIRET_DESTINATAIRE)
    assert destinataire.est_publique and destinataire.est_active and fournisseur.est_active
    assert destinataire.services.filter(code=bac_a_sable.CODE_SERVICE, actif=True).exists()
    api = _connecteur(client, valeurs)
    assert api.entetes()["HTTP_CPRO_ACCOUNT"] == valeurs["cpro_account"]
    r = api.post("structures/v1/rechercher", {"structure": {"identifiantStructure": bac_a_sable.SIRET_DESTINATAIRE}})
    assert r.status_code == 200 and r.json()["codeRetour"] == 0, r.content

    # Again: nothing duplicated, the secrets renewed (the client's previous secret no longer gets a token).
    encore = _lancer()
    assert Structure.objects.filter(identifiant=bac_a_sable.SIRET_FOURNISSEUR).count() == 1
    assert ClientApiStructure.objects.filter(structure=fournisseur).count() == 1
    assert CompteTechnique.objects.filter(structure=fournisseur).count() == 1
    assert encore["client_id"] == valeurs["client_id"] and encore["client_secret"] != valeurs["client_secret"]
    assert _demander_un_jeton(client, valeurs).status_code == 401
    _connecteur(client, encore)


def _facture_du_bac_a_sable(client, numero="BAS-1"):
    valeurs = _lancer()
    api = _connecteur(client, valeurs)
    fournisseur = api.compte.structure
    destinataire = Structure.objects.get(identifiant=bac_a_sable.SIRET_DESTINATAIRE)
    facture = FactureFactory(
        fournisseur_gp=(api.compte.utilisateur, fournisseur), destinataire=destinataire, numero=numero, envoyer=True
    )
    return api, facture


def test_forcer_un_statut_dans_le_bac_a_sable(client, settings):
    settings.CHORUS_BAC_A_SABLE = True
    api, facture = _facture_du_bac_a_sable(client)
    precedent = facture.statut
    r = api.post("bacasable/v1/forcerStatut", {"identifiantFactureCPP": facture.pk, "statut": "MISE_EN_PAIEMENT"})
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["codeRetour"] == 0 and corps["statutFacture"] == "MISE_EN_PAIEMENT"
    assert corps["statutPrecedent"] == precedent and isinstance(corps["identifiantFactureCPP"], int)
    facture.refresh_from_db()
    assert facture.statut == "MISE_EN_PAIEMENT"
    ligne = HistoriqueFacture.objects.filter(objet=facture).order_by("-id").first()
    assert (ligne.role, ligne.statut_precedent, ligne.statut) == ("BAC_A_SABLE", precedent, "MISE_EN_PAIEMENT")
    assert ligne.motif == "Statut forcé dans le bac à sable."
    # The connector reads it as any status change.
    r = api.post("factures/v1/consulter/fournisseur", {"identifiantFactureCPP": facture.pk})
    assert r.json()["facture"]["statutFacture"] == "MISE_EN_PAIEMENT"
    # Any status, backwards too.
    r = api.post(
        "bacasable/v1/forcerStatut",
        {"identifiantFactureCPP": facture.pk, "statut": "REJETEE", "motif": "Test de rejet"},
    )
    assert r.status_code == 200 and r.json()["statutFacture"] == "REJETEE"


def test_forcer_un_statut_refus(client, settings, fournisseur_gp, etat):
    settings.CHORUS_BAC_A_SABLE = True
    api, facture = _facture_du_bac_a_sable(client)
    autre = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="AUTRE-1", envoyer=True)
    statut_autre = autre.statut
    r = api.post("bacasable/v1/forcerStatut", {"identifiantFactureCPP": autre.pk, "statut": "MISE_EN_PAIEMENT"})
    assert r.status_code == 400 and r.json()["codeRetour"] == 20002 and "accessible" in r.json()["libelle"]
    autre.refresh_from_db()
    assert autre.statut == statut_autre
    r = api.post("bacasable/v1/forcerStatut", {"identifiantFactureCPP": facture.pk, "statut": "PAYEE_PEUT_ETRE"})
    assert r.status_code == 400 and r.json()["codeRetour"] == 20001 and "Statut inconnu" in r.json()["libelle"]
    r = api.post("bacasable/v1/forcerStatut", {"identifiantFactureCPP": facture.pk, "statut": "BROUILLON"})
    assert r.status_code == 400 and "non forçable" in r.json()["libelle"]
    r = api.post("bacasable/v1/forcerStatut", {"identifiantFactureCPP": facture.pk, "statut": facture.statut})
    assert r.status_code == 400 and r.json()["codeRetour"] == 20003 and "déjà au statut" in r.json()["libelle"]
    r = api.post("bacasable/v1/forcerStatut", {"statut": "MISE_EN_PAIEMENT"})
    assert r.status_code == 400 and r.json()["codeRetour"] == 20001
    r = api.post("bacasable/v1/forcerStatut", brut="{pas du json")
    assert r.status_code == 400 and r.json()["codeRetour"] == 20001


def test_hors_bac_a_sable_le_service_n_existe_pas(client, settings):
    settings.CHORUS_BAC_A_SABLE = False
    api, facture = _facture_du_bac_a_sable(client)
    statut = facture.statut
    r = api.post("bacasable/v1/forcerStatut", {"identifiantFactureCPP": facture.pk, "statut": "MISE_EN_PAIEMENT"})
    assert r.status_code == 400 and json.loads(r.content)["codeRetour"] == 20002
    assert "n'existe que dans le bac à sable" in r.json()["libelle"]
    assert Facture.objects.get(pk=facture.pk).statut == statut
