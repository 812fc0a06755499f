"""factures/v1 of the valideur (« Factures à valider », A9/A12): rechercher/valideur, consulter/valideur and
traiter/factureAValider, through ``queries.factures_a_valider`` and the portal's services; the technical account
needs the « Factures à valider » profile on the valideur structure."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chorus.api import services as api_services
from facturation.enums import Cadre, MotifRefusValidation, StatutFacture
from facturation.models import Facture
from organisation import services as org_services
from organisation.api import comptes
from tests.api.conftest import ClientApi
from tests.factories import UtilisateurFactory, structure_privee
from tests.facturation.factories import FactureFactory

pytestmark = pytest.mark.django_db
S = StatutFacture
JOUR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _compte_valideur(client, client_oauth, login, niveau):
    """A titulaire structure and the API client of its technical account, « Factures à valider » at ``niveau``."""
    gp = UtilisateurFactory()
    structure = structure_privee(gp, f"Titulaire {login}")
    compte, _ = comptes.creer_compte_technique(structure=structure, login=login, mot_de_passe="m")
    org_services.definir_profils(
        utilisateur=compte.utilisateur, structure=structure, profils={"FACTURES_A_VALIDER": niveau}
    )
    return structure, ClientApi(client, api_services.emettre_jeton(client_oauth), compte, mot_de_passe="m")


@pytest.fixture
def titulaire(client, client_oauth, etat):
    return _compte_valideur(client, client_oauth, "TECH_VAL@cpro.fr", "modification")


@pytest.fixture
def a_valider(fournisseur_gp, etat, titulaire):
    structure, _ = titulaire
    return FactureFactory(
        fournisseur_gp=fournisseur_gp, destinataire=etat, valideur=structure, a_valider=True, numero="ST-001"
    )


def test_rechercher_valideur(titulaire, a_valider, fournisseur_gp, etat):
    _, api = titulaire
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, recue=True)  # A1: not for a valideur
    r = api.post(
        "factures/v1/rechercher/valideur",
        {"statutCourant": ["A_VALIDER_1"], "pagination": {"nbResultatsParPage": 10, "triColonne": "DateDepot"}},
    )
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["parametresRetour"] == {"nbResultatsParPage": 10, "pageCourante": 1, "pages": 1, "total": 1}
    ligne = corps["listeFactures"][0]
    assert (
        ligne["idFacture"] == a_valider.pk and ligne["numeroFacture"] == "ST-001" and ligne["statut"] == "A_VALIDER_1"
    )
    assert type(ligne["montantTTC"]) is float and type(ligne["montantHT"]) is float
    assert type(ligne["idFournisseur"]) is int and type(ligne["idValideur"]) is int
    assert type(ligne["idDestinataire"]) is int and ligne["identifiantDestinataire"] == etat.identifiant
    assert JOUR.match(ligne["dateFacture"]) and JOUR.match(ligne["dateDepot"])
    assert ligne["identifiantFournisseur"] == fournisseur_gp[1].identifiant
    r = api.post("factures/v1/rechercher/valideur", {"statutCourant": ["VALIDEE_1"]})
    assert r.json()["listeFactures"] == [] and r.json()["parametresRetour"]["total"] == 0
    r = api.post("factures/v1/rechercher/valideur", {"numeroFacture": "ST-0", "idFournisseur": fournisseur_gp[1].pk})
    assert [f["idFacture"] for f in r.json()["listeFactures"]] == [a_valider.pk]


@pytest.mark.parametrize(
    ("corps", "message"),
    [
        ({"montantTTCMin": "abc"}, "Le champ « montantTTCMin » doit être un nombre."),
        ({"statutCourant": 3}, "statutCourant"),
        ({"pagination": []}, "Le champ « pagination » doit être un objet."),
        ({"idFournisseur": 1.5}, "Le champ « idFournisseur » doit être un entier."),
    ],
)
def test_rechercher_valideur_corps_invalide(titulaire, corps, message):
    _, api = titulaire
    r = api.post("factures/v1/rechercher/valideur", corps)
    assert r.status_code == 400 and message in r.json()["libelle"], r.content


def test_consulter_valideur(titulaire, a_valider):
    _, api = titulaire
    r = api.post("factures/v1/consulter/valideur", {"identifiantFactureCPP": a_valider.pk})
    assert r.status_code == 200, r.content
    f = r.json()["facture"]
    assert f["identifiantFactureCPP"] == a_valider.pk and f["statutFacture"] == "A_VALIDER_1"
    assert f["cadreDeFacturation"]["codeCadreFacturation"] == Cadre.A9
    assert f["cadreDeFacturation"]["idValideur1"] == titulaire[0].pk
    assert type(f["montantTotal"]["montantTtcTotal"]) is float
    r = api.post("factures/v1/consulter/valideur", {"identifiantFactureCPP": "x"})
    assert r.status_code == 400 and r.json()["libelle"] == "Le champ « identifiantFactureCPP » doit être un entier."


def test_les_autres_structures_ne_voient_ni_ne_traitent(client, client_oauth, api, titulaire, a_valider):
    """The supplier's own account (no « Factures à valider » profile) and another titulaire's are refused."""
    _, autre = _compte_valideur(client, client_oauth, "TECH_AUTRE@cpro.fr", "modification")
    for appelant in (api, autre):
        r = appelant.post("factures/v1/rechercher/valideur", {})
        assert r.status_code == 200 and r.json()["listeFactures"] == []
        r = appelant.post("factures/v1/consulter/valideur", {"identifiantFactureCPP": a_valider.pk})
        assert r.status_code == 400 and "ne vous est pas accessible" in r.json()["libelle"]
        r = appelant.post("factures/v1/traiter/factureAValider", {"idFacture": a_valider.pk, "action": "VALIDATION"})
        assert r.status_code == 400 and "ne vous est pas accessible" in r.json()["libelle"]
    assert Facture.objects.get(pk=a_valider.pk).statut == S.A_VALIDER_1


def test_valider(moment, titulaire, a_valider):
    _, api = titulaire
    r = api.post(
        "factures/v1/traiter/factureAValider",
        {"idFacture": a_valider.pk, "action": "VALIDATION", "complementInfo": "Travaux conformes"},
    )
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["idFacture"] == a_valider.pk and corps["numeroFacture"] == "ST-001"
    assert corps["statutFacture"] == "MISE_A_DISPOSITION" and corps["dateTraitement"] == "2026-03-10"
    validation = a_valider.historique.get(statut=S.VALIDEE_1)
    assert validation.acting_user == api.compte.utilisateur and validation.commentaire == "Travaux conformes"
    r = api.post("factures/v1/traiter/factureAValider", {"idFacture": a_valider.pk, "action": "VALIDATION"})
    assert r.status_code == 400 and "n'est plus à valider" in r.json()["libelle"]


def test_refuser(titulaire, a_valider):
    _, api = titulaire
    r = api.post(
        "factures/v1/traiter/factureAValider",
        {"idFacture": a_valider.pk, "action": "REFUS", "motifRefus": "PRESTATION_NON_REALISEE"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["statutFacture"] == "REFUSEE_1"
    assert a_valider.historique.get(statut=S.REFUSEE_1).motif == "Prestation non réalisée"


def test_refus_pour_erreur_de_valideur(titulaire, a_valider):
    _, api = titulaire
    r = api.post(
        "factures/v1/traiter/factureAValider",
        {"idFacture": a_valider.pk, "action": "refus", "motifRefus": "ERREUR_VALIDEUR"},
    )
    assert r.status_code == 200 and r.json()["statutFacture"] == "ERREUR_FOURNISSEUR_SUR_VALIDEUR"


@pytest.mark.parametrize(
    ("corps", "message"),
    [
        ({"action": "VALIDATION"}, "Le champ « idFacture » est obligatoire."),
        ({"idFacture": 0}, "Le champ « action » est obligatoire."),
        ({"idFacture": 0, "action": "MISE_EN_PAIEMENT"}, "Action inconnue pour une facture à valider"),
        ({"idFacture": 0, "action": "REFUS"}, "« motifRefus »"),
        ({"idFacture": 0, "action": "REFUS", "motifRefus": "PAS_CONTENT"}, "« motifRefus »"),
        ({"idFacture": 0, "action": ["VALIDATION"]}, "Le champ « action » doit être une chaîne de caractères."),
    ],
)
def test_traiter_corps_invalide(titulaire, a_valider, corps, message):
    _, api = titulaire
    corps = {**corps, "idFacture": a_valider.pk} if corps.get("idFacture") == 0 else corps
    r = api.post("factures/v1/traiter/factureAValider", corps)
    assert r.status_code == 400 and message in r.json()["libelle"], r.content
    assert Facture.objects.get(pk=a_valider.pk).statut == S.A_VALIDER_1


def test_consultation_seule_ne_decide_pas(client, client_oauth, fournisseur_gp, etat):
    structure, lecteur = _compte_valideur(client, client_oauth, "TECH_LECTEUR@cpro.fr", "consultation")
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, valideur=structure, a_valider=True)
    r = lecteur.post("factures/v1/consulter/valideur", {"identifiantFactureCPP": facture.pk})
    assert r.status_code == 200
    r = lecteur.post("factures/v1/traiter/factureAValider", {"idFacture": facture.pk, "action": "VALIDATION"})
    assert r.status_code == 403 and "Factures à valider" in r.json()["libelle"]
    assert type(r.json()["codeRetour"]) is int
    assert Facture.objects.get(pk=facture.pk).statut == S.A_VALIDER_1


def test_recherche_en_requetes_bornees(titulaire, fournisseur_gp, etat, django_assert_max_num_queries):
    """The search costs the same number of queries for one invoice or five (no query per row)."""
    structure, api = titulaire

    def compter() -> int:
        with CaptureQueriesContext(connection) as requetes:
            r = api.post("factures/v1/rechercher/valideur", {})
        assert r.status_code == 200
        return len(requetes)

    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, valideur=structure, a_valider=True)
    une = compter()
    for _ in range(4):
        FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, valideur=structure, a_valider=True)
    assert compter() == une
    with django_assert_max_num_queries(12):
        api.post("factures/v1/rechercher/valideur", {})


def test_motifs_de_refus(api):
    chemin = "transverses/v1/recuperer/motifs/refus/Facture/AValider"
    for corps in (
        {},
        {"codeCadreFacturationAValider": "A9_FACTURE_SOUSTRAITANT"},
        {"codeCadreFacturationAValider": "A12"},
    ):
        r = api.post(chemin, corps)
        assert r.status_code == 200, r.content
        motifs = r.json()["listeMotifRefusFactureAValider"]
        assert [m["codeMotif"] for m in motifs] == list(MotifRefusValidation.values)
        assert motifs[0] == {"idMotif": 1, "codeMotif": "ERREUR_MONTANT", "libelleMotif": "Erreur de montant"}
        assert all(type(m["idMotif"]) is int for m in motifs)
    r = api.post(chemin, {"codeCadreFacturationAValider": "A1_FACTURE_FOURNISSEUR"})
    assert r.status_code == 400 and "n'a pas de valideur" in r.json()["libelle"]
    r = api.post(chemin, {"codeCadreFacturationAValider": ["A9"]})
    assert r.status_code == 400
    assert r.json()["libelle"] == "Le champ « codeCadreFacturationAValider » doit être une chaîne de caractères."


def test_statuts_visibles_du_valideur(api):
    chemin = "factures/v1/recuperer/statutsFactureVisibles/valideur"
    r = api.post(chemin, {"idUtilisateurCourant": 0})
    assert r.status_code == 200, r.content
    codes = [s["codeStatutFacture"] for s in r.json()["listeStatutFacture"]]
    assert {"A_VALIDER_1", "VALIDEE_1", "REFUSEE_1", "ERREUR_FOURNISSEUR_SUR_VALIDEUR"} <= set(codes)
    assert {"ABSENCE_VALIDATION_1_HORS_DELAI", "MISE_A_DISPOSITION", "MISE_EN_PAIEMENT"} <= set(codes)
    assert "BROUILLON" not in codes and "ABANDONNEE" not in codes and len(codes) == len(set(codes))
    assert all(type(c) is str for c in codes)
    r = api.post(chemin, {"idUtilisateurCourant": "x"})
    assert r.status_code == 400 and r.json()["libelle"] == "Le champ « idUtilisateurCourant » doit être un entier."
