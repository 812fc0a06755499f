"""structures/v1/*: the public directory and the account's own structures, with strict JSON types."""

import re

import pytest

from organisation.enums import TypeStructure
from tests.api.conftest import communes_numerotees, pagination
from tests.factories import StructureFactory, siret_aleatoire
from tests.fixtures_facturation import SIRET_ETAT

JOUR_HEURE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def test_rechercher_par_siret_une_seule_ligne(api, etat):
    r = api.post(
        "structures/v1/rechercher",
        {
            "structure": {"identifiantStructure": SIRET_ETAT, "typeIdentifiantStructure": "SIRET"},
            "restreindreStructuresPrivees": False,
            "cleInconnue": 1,
        },
    )
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["codeRetour"] == 0 and isinstance(corps["libelle"], str)
    assert len(corps["listeStructures"]) == 1
    ligne = corps["listeStructures"][0]
    assert ligne == {
        "idStructureCPP": etat.pk,
        "identifiantStructure": SIRET_ETAT,
        "typeIdentifiantStructure": "SIRET",
        "designationStructure": "ETAT",
        "statut": "ACTIVE",
    }
    assert type(ligne["idStructureCPP"]) is int
    retour = corps["parametresRetour"]
    assert retour == {"nbResultatsParPage": 50, "pageCourante": 1, "pages": 1, "total": 1}


def test_rechercher_ne_montre_pas_les_structures_privees_des_autres(api, etat):
    autre = StructureFactory(identifiant=siret_aleatoire(), type_structure=TypeStructure.PRIVEE)
    r = api.post(
        "structures/v1/rechercher",
        {"structure": {"identifiantStructure": autre.identifiant}, "restreindreStructuresPrivees": False},
    )
    assert r.json()["listeStructures"] == []
    propre = api.compte.structure
    r = api.post("structures/v1/rechercher", {"structure": {"identifiantStructure": propre.identifiant}})
    assert [s["idStructureCPP"] for s in r.json()["listeStructures"]] == [propre.pk]


def test_rechercher_pagination(api, etat):
    communes_numerotees(3)
    parametres = pagination(2, "RaisonSociale")
    r = api.post(
        "structures/v1/rechercher", {"structure": {"raisonSocialeStructure": "Commune"}, "parametres": parametres}
    )
    corps = r.json()
    assert corps["parametresRetour"] == {"nbResultatsParPage": 2, "pageCourante": 2, "pages": 2, "total": 3}
    assert [s["designationStructure"] for s in corps["listeStructures"]] == ["Commune 0"]


def test_consulter_parametres_booleens(api, etat):
    for cle in ("idStructureCPP", "idStructure"):
        r = api.post("structures/v1/consulter", {cle: etat.pk, "codeLangue": "FR"})
        assert r.status_code == 200, r.content
        corps = r.json()
        p = corps["parametres"]
        assert p["codeServiceDoitEtreRenseigne"] is True
        assert p["numeroEJDoitEtreRenseigne"] is False
        assert p["gestionNumeroEJOuCodeService"] is False
        assert all(type(v) is bool for v in p.values())
        assert corps["informationGenerales"]["idStructureCPP"] == etat.pk
        assert corps["adressePostaleDuSiege"]["ville"] == "Paris"


def test_consulter_propre_structure_date_expiration_rfc3339(api):
    r = api.post("structures/v1/consulter", {"idStructureCPP": api.compte.structure_id})
    date = r.json()["informationGenerales"]["dateExpirationMotPasseCompteTech"]
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$", date)


@pytest.mark.parametrize(
    ("corps", "message"),
    [
        ({}, "Le champ « idStructureCPP » (ou « idStructure ») est obligatoire."),
        ({"idStructureCPP": "abc"}, "Le champ « idStructureCPP » doit être un entier."),
        ({"idStructureCPP": True}, "Le champ « idStructureCPP » doit être un entier."),
        ({"idStructureCPP": 99999999}, "La structure 99999999 n'existe pas ou ne vous est pas accessible."),
    ],
)
def test_consulter_refus(api, corps, message):
    r = api.post("structures/v1/consulter", corps)
    assert r.status_code == 400
    assert r.json()["libelle"] == message and type(r.json()["codeRetour"]) is int and r.json()["codeRetour"] != 0


def test_consulter_structure_privee_d_un_autre(api):
    autre = StructureFactory(type_structure=TypeStructure.PRIVEE)
    r = api.post("structures/v1/consulter", {"idStructureCPP": autre.pk})
    assert r.status_code == 400 and "accessible" in r.json()["libelle"]
    r = api.post("structures/v1/rechercher/services", {"idStructure": autre.pk})
    assert r.status_code == 400


def test_services_et_service(api, etat):
    r = api.post("structures/v1/rechercher/services", {"idStructure": etat.pk})
    corps = r.json()
    assert corps["parametresRetour"]["total"] == 3
    services = {s["codeService"]: s for s in corps["listeServices"]}
    assert services["ANCIEN"]["estActif"] is False and services["ANCIEN"]["statutService"] == "INACTIF"
    assert services["DRFIP_IDF"]["estActif"] is True and type(services["DRFIP_IDF"]["idService"]) is int
    assert JOUR_HEURE.match(services["DRFIP_IDF"]["dateDbtService"])
    r = api.post(
        "structures/v1/consulter/service", {"idService": services["DRFIP_IDF"]["idService"], "idStructure": etat.pk}
    )
    assert r.status_code == 200
    corps = r.json()
    assert corps["informationsGenerales"]["codeService"] == "DRFIP_IDF"
    assert corps["parametres"]["numeroEngagement"] is True
    assert JOUR_HEURE.match(corps["parametres"]["dateCreation"])
    r = api.post("structures/v1/consulter/service", {"idService": 0})
    assert r.status_code == 400
    r = api.post("structures/v1/consulter/service", {})
    assert r.status_code == 400 and r.json()["libelle"] == "Le champ « idService » est obligatoire."


def test_replay_odoo(client, client_oauth, compte, etat):
    """The Odoo connector: token (expires_in an int, refreshed 240 s early), structure by SIRET (exactly one
    row), its parametres, then all services in one page of 10 000, skipping FACTURES_PUBLIQUES."""
    import base64

    from tests.api.conftest import CLIENT_ID, CLIENT_SECRET, MOT_DE_PASSE

    r = client.post(
        "/api/oauth/token",
        data=f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}&scope=openid",
        content_type="application/x-www-form-urlencoded",
    )
    jeton = r.json()
    assert int(jeton["expires_in"]) - 240 > 0 and jeton["token_type"] == "Bearer"
    entetes = {
        "HTTP_AUTHORIZATION": f"Bearer {jeton['access_token']}",
        "HTTP_CPRO_ACCOUNT": base64.b64encode(f"{compte.login}:{MOT_DE_PASSE}".encode()).decode(),
        "HTTP_ACCEPT": "application/json;charset=utf-8",
    }

    def post(chemin, corps):
        import json

        r = client.post(
            f"/cpro/{chemin}", data=json.dumps(corps), content_type="application/json;charset=utf-8", **entetes
        )
        assert r.status_code == 200, r.content
        assert r.json()["codeRetour"] == 0
        return r.json()

    trouve = post(
        "structures/v1/rechercher",
        {"structure": {"identifiantStructure": SIRET_ETAT, "typeIdentifiantStructure": "SIRET"}},
    )
    assert len(trouve["listeStructures"]) == 1
    id_structure = trouve["listeStructures"][0]["idStructureCPP"]
    parametres = post("structures/v1/consulter", {"idStructureCPP": id_structure, "codeLangue": "fr"})["parametres"]
    assert parametres["codeServiceDoitEtreRenseigne"] is True
    services = post(
        "structures/v1/rechercher/services",
        {
            "idStructure": id_structure,
            "parametresRechercherServicesStructure": {"nbResultatsParPage": 10000},
        },
    )
    assert services["parametresRetour"]["pages"] == 1
    codes = [s["codeService"] for s in services["listeServices"] if s["codeService"] != "FACTURES_PUBLIQUES"]
    assert sorted(codes) == ["ANCIEN", "DRFIP_IDF"]
