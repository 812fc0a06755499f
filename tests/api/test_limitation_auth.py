"""Issue 13, item 9: ``/api/oauth/token`` and the ``cpro-account`` check are limited per client address and per
client id / login, refuse beyond the limits before running the password hasher, and answer the same for an
unknown client or login. Item 13: token issue, credential use and refusals reach the security log."""

from unittest import mock

from tests.api.conftest import CLIENT_ID, CLIENT_SECRET, cpro_account
from tests.securite import journal  # noqa: F401

URL = "/api/oauth/token"
DEVISES = "transverses/v1/recuperer/devises"


def _jeton(client, client_id=CLIENT_ID, secret=CLIENT_SECRET, ip="203.0.113.20"):
    return client.post(
        URL,
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        REMOTE_ADDR=ip,
    )


def test_jeton_limite_par_client_id_connu_ou_non(client, client_oauth, settings):
    settings.CHORUS_LIMITES = {"oauth_client": (3, 15 * 60)}
    for client_id in (CLIENT_ID, "client-inconnu"):
        for i in range(3):
            assert _jeton(client, client_id, "faux", ip=f"198.51.100.{i}").status_code == 401
        with mock.patch("chorus.api.services.check_password") as verification:
            r = _jeton(client, client_id, CLIENT_SECRET, ip="198.51.100.99")
        assert r.status_code == 429
        assert r.json() == {
            "error": "temporarily_unavailable",
            "error_description": "Trop de tentatives en échec : réessayez dans 15 minutes.",
        }
        assert r["Retry-After"] == "900"
        verification.assert_not_called()
    # Another client is not affected.
    from chorus.api import services

    services.creer_client(client_id="autre", secret="secret_autre_0123")
    assert _jeton(client, "autre", "secret_autre_0123", ip="198.51.100.99").status_code == 200


def test_jeton_limite_par_adresse_ip(client, client_oauth, settings):
    settings.CHORUS_LIMITES = {"oauth_ip": (2, 15 * 60)}
    _jeton(client, "a", "faux")
    _jeton(client, "b", "faux")
    assert _jeton(client).status_code == 429
    assert _jeton(client, ip="198.51.100.7").status_code == 200


def test_cpro_account_limite_par_login_avant_le_hachage(api, settings):
    settings.CHORUS_LIMITES = {"cpro_account_login": (3, 15 * 60)}
    for i in range(3):
        r = api.post(DEVISES, {}, HTTP_CPRO_ACCOUNT=cpro_account(api.compte.login, "faux"), REMOTE_ADDR=f"10.9.0.{i}")
        assert r.status_code == 401
    with mock.patch("organisation.api.authentification.check_password") as verification:
        r = api.post(DEVISES, {}, REMOTE_ADDR="10.9.0.99")
    assert r.status_code == 429
    assert r.json()["codeRetour"] == 429
    assert r.json()["libelle"].startswith("Trop de tentatives d'authentification en échec")
    assert r["Retry-After"] == "900"
    verification.assert_not_called()
    # An unknown login is counted and refused alike (nothing tells which logins exist).
    for _ in range(3):
        assert api.post(DEVISES, {}, HTTP_CPRO_ACCOUNT=cpro_account("inconnu@cpro.fr", "x")).status_code == 401
    r = api.post(DEVISES, {}, HTTP_CPRO_ACCOUNT=cpro_account("inconnu@cpro.fr", "x"))
    assert r.status_code == 429 and r.json()["libelle"].startswith("Trop de tentatives d'authentification")


def test_cpro_account_limite_par_adresse_ip(api, settings):
    settings.CHORUS_LIMITES = {"cpro_account_ip": (2, 15 * 60)}
    for login in ("a@cpro.fr", "b@cpro.fr"):
        api.post(DEVISES, {}, HTTP_CPRO_ACCOUNT=cpro_account(login, "x"), REMOTE_ADDR="203.0.113.30")
    assert api.post(DEVISES, {}, REMOTE_ADDR="203.0.113.30").status_code == 429
    assert api.post(DEVISES, {}, REMOTE_ADDR="203.0.113.31").status_code == 200


def test_cpro_account_bon_mot_de_passe_ne_compte_pas(api, settings):
    settings.CHORUS_LIMITES = {"cpro_account_login": (2, 15 * 60), "cpro_account_ip": (2, 15 * 60)}
    for _ in range(5):
        assert api.post(DEVISES, {}).status_code == 200


def test_journal_de_securite_api(client, api, journal):  # noqa: F811
    _jeton(client, CLIENT_ID, "Secret-faux-123")
    _jeton(client)
    api.post(DEVISES, {}, REMOTE_ADDR="203.0.113.40")
    api.post(DEVISES, {}, HTTP_CPRO_ACCOUNT=cpro_account(api.compte.login, "Faux-mdp-456"), REMOTE_ADDR="203.0.113.41")
    evenements = journal()
    assert ("api.jeton.refuse", {"client": CLIENT_ID, "ip": "203.0.113.20"}) in evenements
    assert ("api.jeton.emis", {"client": CLIENT_ID, "ip": "203.0.113.20"}) in evenements
    assert (
        "api.compte.utilise",
        {"login": api.compte.login, "ip": "203.0.113.40", "client": CLIENT_ID, "chemin": f"/cpro/{DEVISES}"},
    ) in evenements
    refus = next(champs for nom, champs in evenements if nom == "api.compte.refuse")
    assert refus["login"] == api.compte.login and refus["ip"] == "203.0.113.41" and refus["http"] == 401
    texte = repr(evenements)
    assert "Secret-faux-123" not in texte and "Faux-mdp-456" not in texte and CLIENT_SECRET not in texte
    assert api.jeton not in texte
