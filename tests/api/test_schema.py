"""The OpenAPI document generated from the views (drf-spectacular): valid OpenAPI 3, every /cpro/ service in it
with its request fields and JSON types; the documentation page; a property-based pass (hypothesis) that posts
bodies built from the document — well-typed or not — to every service and never gets a 500; the exception
handler's envelope for an unexpected error; the throttling per OAuth client."""

import json
import logging

import pytest
from django.core.cache import cache
from django.urls import get_resolver
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chorus.api.protocole import LimiteParClient
from organisation.api import structures


def _document(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    return r.json()


def _chemins_cpro():
    chemins = set()

    def parcourir(motifs, prefixe=""):
        for motif in motifs:
            if hasattr(motif, "url_patterns"):
                parcourir(motif.url_patterns, prefixe + str(motif.pattern))
            elif (prefixe + str(motif.pattern)).startswith("cpro/"):
                chemins.add("/" + prefixe + str(motif.pattern))

    parcourir(get_resolver().url_patterns)
    return chemins


def test_le_document_est_un_openapi_valide_qui_decrit_chaque_service(client):
    document = _document(client)
    validate_schema(document)  # OpenAPI 3.0 meta-schema
    cpro = _chemins_cpro()
    assert len(cpro) >= 13 and cpro <= set(document["paths"])
    assert "/api/oauth/token" in document["paths"]
    for chemin in cpro - {"/cpro/transverses/v1/health-check"}:
        operation = document["paths"][chemin]["post"]
        assert operation["security"] == [{"oauth2": [], "cproAccount": []}], chemin
        assert "application/json" in operation["requestBody"]["content"], chemin
        assert {"200", "400", "401", "403"} <= set(operation["responses"]), chemin
    assert "get" in document["paths"]["/cpro/transverses/v1/health-check"]
    assert document["components"]["securitySchemes"]["cproAccount"]["name"] == "cpro-account"


def test_les_champs_ont_les_noms_et_les_types_de_chorus(client):
    schemas = _document(client)["components"]["schemas"]
    consulter = schemas["IdStructureRequest"]["properties"]
    assert consulter["idStructureCPP"]["type"] == "integer" and consulter["idStructure"]["type"] == "integer"
    soumettre = schemas["SoumettreRequeteRequest"]
    assert {"numeroFactureSaisi", "dateFacture", "destinataire"} <= set(soumettre["required"])
    assert soumettre["properties"]["lignePoste"]["type"] == "array"
    ligne = schemas["LignePosteRequest"]["properties"]
    assert ligne["lignePosteQuantite"]["type"] == "number" and ligne["lignePosteDenomination"]["type"] == "string"
    assert schemas["RechercherFournisseurRequeteRequest"]["properties"]["rejetTraite"]["type"] == "boolean"


def test_page_de_documentation(client):
    r = client.get("/api/documentation")
    assert r.status_code == 200
    page = r.content.decode()
    assert "Documentation de l'API" in page and "/cpro/factures/v1/soumettre" in page
    assert "numeroFactureSaisi" in page and "<caption>" in page


# --- Property-based pass over the document --------------------------------------------------------------------

JSON_QUELCONQUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda enfants: st.lists(enfants, max_size=3) | st.dictionaries(st.text(max_size=8), enfants, max_size=3),
    max_leaves=6,
)


def _strategie(schema: dict, composants: dict, profondeur: int = 0):
    """Values for ``schema`` — mostly of its type, sometimes anything (wrong types must be refused, not crash)."""
    if "$ref" in schema:
        schema = composants[schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema:
        schema = composants[schema["allOf"][0]["$ref"].rsplit("/", 1)[-1]]
    type_json = schema.get("type", "object")
    if type_json == "object" and profondeur < 3:
        proprietes = {
            nom: _strategie(propriete, composants, profondeur + 1)
            for nom, propriete in schema.get("properties", {}).items()
        }
        bien_type = st.fixed_dictionaries({}, optional=proprietes)
    elif type_json == "array":
        bien_type = st.lists(_strategie(schema.get("items", {}), composants, profondeur + 1), max_size=2)
    elif type_json == "integer":
        bien_type = st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
    elif type_json == "number":
        bien_type = st.decimals(allow_nan=False, allow_infinity=False, places=2).map(float)
    elif type_json == "boolean":
        bien_type = st.booleans()
    elif type_json == "string":
        bien_type = st.text(max_size=30) | st.dates().map(str)
    else:
        bien_type = JSON_QUELCONQUE
    return st.one_of(bien_type, bien_type, bien_type, JSON_QUELCONQUE)


def test_aucune_reponse_500_sur_des_corps_tires_du_document(client, api, etat):
    document = _document(client)
    composants = document["components"]["schemas"]
    operations = []
    for chemin, methodes in sorted(document["paths"].items()):
        if chemin.startswith("/cpro/") and "post" in methodes:
            contenu = methodes["post"]["requestBody"]["content"]["application/json"]["schema"]
            operations.append((chemin.removeprefix("/cpro/"), _strategie(contenu, composants)))
    assert len(operations) >= 12
    vus = set()

    # Enough examples that every service is drawn (hypothesis favours the first ones of sampled_from): ~20 each.
    exemples = max(400, 20 * len(operations))

    @settings(max_examples=exemples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.sampled_from(operations).flatmap(lambda op: st.tuples(st.just(op[0]), op[1])))
    def appeler(appel):
        chemin, corps = appel
        vus.add(chemin)
        r = api.post(chemin, brut=json.dumps(corps, allow_nan=True))
        assert r.status_code in (200, 400, 403), (chemin, corps, r.content)
        donnees = r.json()
        assert type(donnees["codeRetour"]) is int and isinstance(donnees["libelle"], str) and donnees["libelle"]
        assert (donnees["codeRetour"] == 0) == (r.status_code == 200), (chemin, corps, donnees)

    appeler()
    assert len(vus) == len(operations)  # every service was called


# --- The exception handler and the throttling -----------------------------------------------------------------


def test_une_erreur_inattendue_repond_l_enveloppe_en_francais_et_est_journalisee(api, monkeypatch, caplog):
    def panne(compte, id_structure):
        raise RuntimeError("panne simulée")

    # Inside the service's work (the view holds ``consulter`` itself, so the fault is one step down).
    monkeypatch.setattr(structures, "_structure", panne)
    with caplog.at_level(logging.ERROR, logger="chorus.api.protocole"):
        r = api.post("structures/v1/consulter", {"idStructureCPP": 1})
    assert r.status_code == 500 and r["Content-Type"].startswith("application/json")
    assert r.json() == {
        "codeRetour": 500,
        "libelle": "Erreur technique du portail : la requête n'a pas pu être traitée, réessayez plus tard.",
    }
    assert "panne simulée" in caplog.text


@pytest.fixture
def limite(monkeypatch):
    cache.clear()
    monkeypatch.setattr(LimiteParClient, "THROTTLE_RATES", {"client_cpro": "3/min"})
    yield
    cache.clear()


def test_limite_par_client(api, limite, client, compte):
    from chorus.api import services
    from tests.api.conftest import ClientApi

    for _ in range(3):
        assert api.post("transverses/v1/recuperer/devises", {}).status_code == 200
    r = api.post("transverses/v1/recuperer/devises", {})
    assert r.status_code == 429 and type(r.json()["codeRetour"]) is int and "Trop de requêtes" in r.json()["libelle"]
    assert int(r["Retry-After"]) > 0
    autre_client, _ = services.creer_client(client_id="autre-erp", secret="s")
    autre = ClientApi(client, services.emettre_jeton(autre_client), compte)
    assert autre.post("transverses/v1/recuperer/devises", {}).status_code == 200  # counted per OAuth client
