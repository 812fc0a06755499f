"""The token endpoint and what every service call checks (token, cpro-account, body)."""

from datetime import timedelta

from django.utils import timezone

from chorus.api import services
from chorus.api.models import JetonAcces
from tests.api.conftest import CLIENT_ID, CLIENT_SECRET, cpro_account


def test_jeton_formulaire(client, client_oauth):
    r = client.post(
        "/api/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": "openid",
        },
    )
    assert r.status_code == 200
    corps = r.json()
    assert corps["token_type"] == "Bearer"
    assert corps["expires_in"] == 3600 and type(corps["expires_in"]) is int
    assert corps["scope"] == "openid"
    assert isinstance(corps["access_token"], str) and len(corps["access_token"]) > 20
    # Stored hashed only.
    assert not JetonAcces.objects.filter(empreinte=corps["access_token"]).exists()
    assert services.jeton_valide(corps["access_token"]) is not None


def test_jeton_corps_brut_sans_scope(client, client_oauth):
    """One client sends the body as a raw, not URL-encoded string, and no scope."""
    brut = f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
    r = client.post("/api/oauth/token", data=brut, content_type="text/plain")
    assert r.status_code == 200
    assert r.json()["scope"] == "openid"


def test_jeton_refus_oauth2(client, client_oauth):
    r = client.post(
        "/api/oauth/token", data={"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "faux"}
    )
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client" and r.json()["error_description"]
    r = client.post("/api/oauth/token", data={"grant_type": "password"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = client.post("/api/oauth/token", data={"grant_type": "client_credentials"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_secret_genere_sans_caractere_a_encoder(db):
    _, secret = services.creer_client(client_id="x")
    assert all(c.isalnum() or c in "_-" for c in secret)


def test_sans_jeton(api):
    r = api.post("transverses/v1/recuperer/devises", {}, HTTP_AUTHORIZATION="")
    assert r.status_code == 401
    assert r.json()["codeRetour"] != 0 and "Jeton" in r.json()["libelle"]


def test_jeton_expire(api):
    JetonAcces.objects.update(expire_le=timezone.now() - timedelta(seconds=1))
    r = api.post("transverses/v1/recuperer/devises", {})
    assert r.status_code == 401 and "expiré" in r.json()["libelle"]


def test_cpro_account_absent_ou_faux(api):
    r = api.post("transverses/v1/recuperer/devises", {}, HTTP_CPRO_ACCOUNT="")
    assert r.status_code == 401 and "cpro-account" in r.json()["libelle"]
    r = api.post("transverses/v1/recuperer/devises", {}, HTTP_CPRO_ACCOUNT=cpro_account(api.compte.login, "faux"))
    assert r.status_code == 401 and "Compte technique" in r.json()["libelle"]
    r = api.post("transverses/v1/recuperer/devises", {}, HTTP_CPRO_ACCOUNT="pas du base64!")
    assert r.status_code == 401 and r.json()["libelle"]


def test_mot_de_passe_expire_ou_compte_inactif(api):
    api.compte.expiration_mot_de_passe = timezone.now() - timedelta(days=1)
    api.compte.save()
    r = api.post("transverses/v1/recuperer/devises", {})
    assert r.status_code == 403 and "expiré" in r.json()["libelle"]
    api.compte.expiration_mot_de_passe = timezone.now() + timedelta(days=1)
    api.compte.actif = False
    api.compte.save()
    r = api.post("transverses/v1/recuperer/devises", {})
    assert r.status_code == 403 and "désactivé" in r.json()["libelle"]


def test_content_types_json(api):
    for ct in ("application/json", "application/json;charset=utf-8", "Application/JSON ; Charset=UTF-8"):
        r = api.post("transverses/v1/recuperer/devises", {"codeLangue": "fr", "inconnu": [1]}, content_type=ct)
        assert r.status_code == 200, ct
        assert r.json()["codeRetour"] == 0 and type(r.json()["codeRetour"]) is int
        assert {"codeDevise": "EUR", "libelleDevise": "Euro"} in r.json()["listeDevises"]


def test_corps_invalide(api):
    r = api.post("transverses/v1/recuperer/devises", brut="{pas du json")
    assert r.status_code == 400 and r.json()["libelle"] == "Le corps de la requête n'est pas un JSON valide."
    r = api.post("transverses/v1/recuperer/devises", brut="[1, 2]")
    assert r.status_code == 400 and "objet JSON" in r.json()["libelle"]
    r = api.post("transverses/v1/recuperer/devises", brut="a=b", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400 and "JSON" in r.json()["libelle"]


def test_health_check_ignore_le_corps(client):
    for donnees, ct in (("null", "application/json"), ("", "application/json;charset=utf-8"), ("", "")):
        r = client.generic("GET", "/cpro/transverses/v1/health-check", donnees, content_type=ct)
        assert r.status_code == 200
        assert r.json()["statusCode"] == "OK" and r.json()["statusCodeValue"] == 200
        assert isinstance(r.json()["body"], str)


def test_methode(api):
    r = api.http.get("/cpro/transverses/v1/recuperer/devises", **api.entetes())
    assert r.status_code == 405 and r.json()["libelle"].startswith("Méthode GET")


def test_schema_openapi(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200 and "/cpro/factures/v1/soumettre" in r.json()["paths"]


def test_nouveau_mot_de_passe_invalide_l_ancien(api):
    from django.contrib.auth.hashers import make_password

    assert api.post("transverses/v1/recuperer/devises", {}).status_code == 200  # remembered
    api.compte.mot_de_passe_hache = make_password("nouveau")
    api.compte.save()
    assert api.post("transverses/v1/recuperer/devises", {}).status_code == 401
    api.mot_de_passe = "nouveau"
    assert api.post("transverses/v1/recuperer/devises", {}).status_code == 200


def test_purge_des_jetons_expires(api):
    from chorus.api.tasks import purger_jetons_expires

    assert purger_jetons_expires() == 0
    JetonAcces.objects.update(expire_le=timezone.now() - timedelta(seconds=1))
    assert purger_jetons_expires() == 1 and not JetonAcces.objects.exists()


def test_admin(admin_client, api):
    for modele in ("api/clientoauth", "organisation/comptetechnique", "facturation/fluxdepot"):
        assert admin_client.get(f"/administration/{modele}/").status_code == 200
    assert admin_client.get(f"/administration/organisation/comptetechnique/{api.compte.pk}/change/").status_code == 200
