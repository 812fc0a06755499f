"""factures/v1/*: soumettre through the domain's saisie path, then search, consult and history, scoped to the
technical account's structure."""

import re
from datetime import date, timedelta

import pytest

from chorus.api import services as api_services
from facturation.models import Facture
from organisation.api import comptes
from tests.api.conftest import ClientApi
from tests.factories import UtilisateurFactory, structure_privee
from tests.fixtures_facturation import SIRET_ETAT

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
JOUR = re.compile(r"^\d{4}-\d{2}-\d{2}$")
JOUR_HEURE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def facture(numero="API-001", **extra):
    corps = {
        "modeDepot": "SAISIE_API",
        "numeroFactureSaisi": numero,
        "dateFacture": (date.today() - timedelta(days=1)).isoformat(),
        "destinataire": {"codeDestinataire": SIRET_ETAT, "codeServiceExecutant": "DRFIP_IDF"},
        "cadreDeFacturation": {"codeCadreFacturation": "A1_FACTURE_FOURNISSEUR"},
        "references": {
            "deviseFacture": "EUR",
            "typeFacture": "FACTURE",
            "typeTva": "TVA_SUR_DEBIT",
            "modePaiement": "VIREMENT",
            "numeroBonCommande": "EJ-0042",
        },
        "lignePoste": [
            {
                "lignePosteNumero": 1,
                "lignePosteReference": "MO",
                "lignePosteDenomination": "Main d'œuvre",
                "lignePosteQuantite": 10,
                "lignePosteUnite": "HUR",
                "lignePosteMontantUnitaireHT": 12.5,
                "lignePosteTauxTva": "TVA20",
            },
            {
                "lignePosteNumero": 2,
                "lignePosteDenomination": "Matériaux",
                "lignePosteQuantite": 2,
                "lignePosteMontantUnitaireHT": 100,
                "lignePosteTauxTvaManuel": 5.5,
            },
        ],
        "montantTotal": {"montantHtTotal": 325, "montantTVA": 36, "montantTtcTotal": 361, "montantAPayer": 361},
        "champInconnu": {"ignoré": True},
    }
    corps.update(extra)
    return corps


@pytest.fixture
def soumise(api, etat):
    r = api.post("factures/v1/soumettre", facture())
    assert r.status_code == 200, r.content
    return r.json()


def test_soumettre(soumise, api):
    assert soumise["codeRetour"] == 0
    assert type(soumise["identifiantFactureCPP"]) is int
    assert soumise["numeroFacture"] == "API-001"
    assert soumise["statutFacture"] == "MISE_A_DISPOSITION"
    assert JOUR.match(soumise["dateDepot"])
    assert isinstance(soumise["empreinteCertificatDepot"], str) and len(soumise["empreinteCertificatDepot"]) == 44
    assert soumise["identifiantStructure"] == api.compte.structure.identifiant
    f = Facture.objects.get(pk=soumise["identifiantFactureCPP"])
    assert f.mode_depot == "SAISIE_API" and f.created_by == api.compte.utilisateur
    assert str(f.montant_ttc) == "361.00" and f.fichier


def test_soumettre_doublon_de_numero(soumise, api):
    r = api.post("factures/v1/soumettre", facture())
    assert r.status_code == 400 and "numéro de facture est déjà utilisé" in r.json()["libelle"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"numeroFactureSaisi": None}, "Le champ « numeroFactureSaisi » est obligatoire."),
        ({"numeroFactureSaisi": ["x"]}, "Le champ « numeroFactureSaisi » doit être une chaîne de caractères."),
        ({"dateFacture": "31/12/2025"}, "doit être une date"),
        ({"dateFacture": "2025-13-45"}, "doit être une date"),
        ({"lignePoste": []}, "au moins une ligne"),
        (
            {
                "lignePoste": [
                    {
                        "lignePosteDenomination": "x",
                        "lignePosteQuantite": "beaucoup",
                        "lignePosteMontantUnitaireHT": 1,
                        "lignePosteTauxTva": "TVA20",
                    }
                ]
            },
            "Le champ « lignePoste[0].lignePosteQuantite » doit être un nombre.",
        ),
        ({"destinataire": "ETAT"}, "Le champ « destinataire » doit être un objet."),
        ({"destinataire": {"codeDestinataire": SIRET_ETAT}}, "Le code service est obligatoire"),
        ({"references": {"numeroBonCommande": ""}}, "numéro d'engagement est obligatoire"),
        ({"montantTotal": {"montantTtcTotal": 999}}, "ne correspond pas au montant calculé"),
        ({"references": {"typeFacture": "NOTE"}}, "Valeur inconnue pour « typeFacture »"),
    ],
)
def test_soumettre_refus(api, etat, extra, message):
    r = api.post("factures/v1/soumettre", facture(**extra))
    assert r.status_code == 400, r.content
    assert message in r.json()["libelle"] and r.json()["codeRetour"] != 0
    assert not Facture.objects.exclude(statut="BROUILLON").exists()


def test_soumettre_date_rfc3339(api, etat):
    hier = date.today() - timedelta(days=1)
    r = api.post("factures/v1/soumettre", facture(dateFacture=f"{hier.isoformat()}T10:00:00+01:00"))
    assert r.status_code == 200, r.content
    assert Facture.objects.get().date_facture == hier


def test_soumettre_pour_une_autre_structure(api, etat, autre_compte):
    r = api.post("factures/v1/soumettre", facture(fournisseur={"idFournisseur": autre_compte.structure_id}))
    assert r.status_code == 403 and "ne peut pas émettre" in r.json()["libelle"]


@pytest.fixture
def autre_compte(db, etat):

    gp = UtilisateurFactory()
    structure = structure_privee(gp, "Autre SARL")
    compte, _ = comptes.creer_compte_technique(structure=structure, login="TECH_2@cpro.fr", mot_de_passe="m")
    return compte


def test_rechercher_fournisseur(soumise, api):
    r = api.post(
        "factures/v1/rechercher/fournisseur",
        {
            "numeroFacture": "API-001",
            "periodeDateDepotDu": date.today().isoformat(),
            "rechercheFactureParFournisseur": {
                "nbResultatsParPage": 10,
                "triColonne": "DateDepot",
                "triSens": "Descendant",
            },
        },
    )
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["parametresRetour"] == {"nbResultatsParPage": 10, "pageCourante": 1, "pages": 1, "total": 1}
    ligne = corps["listeFactures"][0]
    assert ligne["identifiantFactureCPP"] == soumise["identifiantFactureCPP"]
    assert type(ligne["montantTTC"]) is float and ligne["montantTTC"] == 361.0
    assert type(ligne["montantHT"]) in (int, float) and type(ligne["idDestinataire"]) is int
    assert ligne["rejetTraite"] is False and "taille" not in ligne
    assert JOUR.match(ligne["dateFacture"]) and JOUR.match(ligne["dateDepot"])
    assert RFC3339.match(ligne["dateHeureEtatCourant"])
    assert ligne["statut"] == "MISE_A_DISPOSITION" and ligne["codeServiceExecutant"] == "DRFIP_IDF"
    r = api.post("factures/v1/rechercher/fournisseur", {"statutCourant": ["REJETEE"]})
    assert r.json()["listeFactures"] == []
    r = api.post("factures/v1/rechercher/fournisseur", {"montantTTCMin": "abc"})
    assert r.status_code == 400 and "montantTTCMin" in r.json()["libelle"]


def test_consulter_fournisseur(soumise, api):
    r = api.post("factures/v1/consulter/fournisseur", {"identifiantFactureCPP": soumise["identifiantFactureCPP"]})
    assert r.status_code == 200, r.content
    f = r.json()["facture"]
    assert f["identifiantFactureCPP"] == soumise["identifiantFactureCPP"]
    assert f["montantTotal"]["montantTtcTotal"] == 361.0 and type(f["montantTotal"]["montantHtTotal"]) is float
    assert [lg["lignePosteNumero"] for lg in f["lignesDePoste"]["lignePoste"]] == [1, 2]
    assert f["lignesDePoste"]["lignePoste"][0]["lignePosteQuantite"] == 10.0
    assert JOUR.match(f["references"]["dateFacture"]) and JOUR_HEURE.match(f["references"]["dateCreationFacture"])
    assert type(f["destinataire"]["idDestinataire"]) is int


def test_consulter_historique(soumise, api):
    id_facture = soumise["identifiantFactureCPP"]
    r = api.post("factures/v1/consulter/historique", {"idFacture": id_facture, "idEspace": 0})
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["idFacture"] == id_facture and type(corps["idFacture"]) is int
    assert corps["statutCourantCode"] == "MISE_A_DISPOSITION"
    statuts = corps["historiquesDesStatuts"]["histoStatut"]
    assert [s["histoStatutCode"] for s in statuts] == ["MISE_A_DISPOSITION", "DEPOSEE"]
    assert all(JOUR_HEURE.match(s["histoStatutDatePassage"]) for s in statuts)
    assert corps["historiquesDesStatuts"]["totalHistoStatut"] == 2
    r = api.post("factures/v1/consulter/historique", {"idFacture": str(id_facture)})
    assert r.status_code == 200
    r = api.post("factures/v1/consulter/historique", {"idFacture": 1.5})
    assert r.status_code == 400 and r.json()["libelle"] == "Le champ « idFacture » doit être un entier."


def test_tenancy_lecture(soumise, client, client_oauth, autre_compte):
    autre = ClientApi(client, api_services.emettre_jeton(client_oauth), autre_compte, mot_de_passe="m")
    id_facture = soumise["identifiantFactureCPP"]
    r = autre.post("factures/v1/consulter/fournisseur", {"identifiantFactureCPP": id_facture})
    assert r.status_code == 400 and "accessible" in r.json()["libelle"]
    r = autre.post("factures/v1/consulter/historique", {"idFacture": id_facture})
    assert r.status_code == 400
    r = autre.post("factures/v1/rechercher/fournisseur", {})
    assert r.json()["listeFactures"] == [] and r.json()["parametresRetour"]["total"] == 0
