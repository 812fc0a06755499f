"""Typed readers of environment variables and the EMAIL_URL parser."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from chorus.env import env_bool, env_int, env_list, env_str, parse_email_url

VAR = "CHORUS_TEST_VARIABLE"


@pytest.fixture(autouse=True)
def variable_absente(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)


# --- env_str -------------------------------------------------------------------------------------------------


def test_env_str_renvoie_la_valeur_ou_le_defaut(monkeypatch):
    assert env_str(VAR) is None
    assert env_str(VAR, "défaut") == "défaut"
    monkeypatch.setenv(VAR, "valeur")
    assert env_str(VAR, "défaut") == "valeur"


def test_env_str_garde_une_chaine_vide_definie(monkeypatch):
    monkeypatch.setenv(VAR, "")
    assert env_str(VAR, "défaut") == ""


# --- env_bool ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("valeur", ["1", "true", "True", "TRUE", "yes", "on", "oui", "OUI", "  true  "])
def test_env_bool_reconnait_les_valeurs_vraies(monkeypatch, valeur):
    monkeypatch.setenv(VAR, valeur)
    assert env_bool(VAR, default=False) is True


@pytest.mark.parametrize("valeur", ["0", "false", "False", "no", "off", "non", "NON", "", "   "])
def test_env_bool_reconnait_les_valeurs_fausses(monkeypatch, valeur):
    monkeypatch.setenv(VAR, valeur)
    assert env_bool(VAR, default=True) is False


@pytest.mark.parametrize("defaut", [True, False])
def test_env_bool_absente_renvoie_le_defaut(defaut):
    assert env_bool(VAR, default=defaut) is defaut


@pytest.mark.parametrize("valeur", ["peut-être", "2", "vrai", "y"])
def test_env_bool_invalide_leve_improperly_configured_en_francais(monkeypatch, valeur):
    monkeypatch.setenv(VAR, valeur)
    with pytest.raises(ImproperlyConfigured) as exc_info:
        env_bool(VAR, default=False)
    assert str(exc_info.value) == f"{VAR} doit valoir true ou false (reçu : {valeur!r})."


# --- env_int -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("valeur", "attendu"), [("42", 42), ("-3", -3), (" 7 ", 7), ("0", 0)])
def test_env_int_lit_un_entier(monkeypatch, valeur, attendu):
    monkeypatch.setenv(VAR, valeur)
    assert env_int(VAR, 99) == attendu


@pytest.mark.parametrize("valeur", [None, "", "   "])
def test_env_int_absente_ou_vide_renvoie_le_defaut(monkeypatch, valeur):
    if valeur is not None:
        monkeypatch.setenv(VAR, valeur)
    assert env_int(VAR, 99) == 99


@pytest.mark.parametrize("valeur", ["douze", "1.5", "12abc", "0x10"])
def test_env_int_invalide_leve_improperly_configured_en_francais(monkeypatch, valeur):
    monkeypatch.setenv(VAR, valeur)
    with pytest.raises(ImproperlyConfigured) as exc_info:
        env_int(VAR, 1)
    assert str(exc_info.value) == f"{VAR} doit être un entier (reçu : {valeur!r})."


# --- env_list ------------------------------------------------------------------------------------------------


def test_env_list_decoupe_sur_les_virgules_et_nettoie(monkeypatch):
    monkeypatch.setenv(VAR, " a.exemple.fr, b.exemple.fr ,,c ,  ")
    assert env_list(VAR) == ["a.exemple.fr", "b.exemple.fr", "c"]


def test_env_list_vide_donne_une_liste_vide_et_pas_le_defaut(monkeypatch):
    monkeypatch.setenv(VAR, "")
    assert env_list(VAR, ["défaut"]) == []


def test_env_list_absente_renvoie_une_copie_du_defaut():
    defaut = ["localhost"]
    resultat = env_list(VAR, defaut)
    assert resultat == ["localhost"]
    resultat.append("autre")
    assert defaut == ["localhost"]
    assert env_list(VAR) == []


# --- parse_email_url -----------------------------------------------------------------------------------------

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_parse_email_url_smtp_complet():
    assert parse_email_url("smtp://utilisateur:secret@smtp.exemple.fr:2525") == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "smtp.exemple.fr",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "utilisateur",
        "EMAIL_HOST_PASSWORD": "secret",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
    }


@pytest.mark.parametrize(
    ("url", "port", "tls", "ssl"),
    [
        ("smtp://smtp.exemple.fr", 25, False, False),
        ("smtp+tls://smtp.exemple.fr", 587, True, False),
        ("smtps://smtp.exemple.fr", 465, False, True),
        ("SMTP+TLS://smtp.exemple.fr", 587, True, False),
    ],
)
def test_parse_email_url_ports_par_defaut_et_chiffrement(url, port, tls, ssl):
    settings = parse_email_url(url)
    assert settings["EMAIL_BACKEND"] == SMTP
    assert settings["EMAIL_PORT"] == port
    assert settings["EMAIL_USE_TLS"] is tls
    assert settings["EMAIL_USE_SSL"] is ssl
    assert not (settings["EMAIL_USE_TLS"] and settings["EMAIL_USE_SSL"])


def test_parse_email_url_decode_identifiants_encodes():
    settings = parse_email_url("smtp+tls://agent%40exemple.fr:p%40ss%3Aw%2Frd@smtp.exemple.fr")
    assert settings["EMAIL_HOST_USER"] == "agent@exemple.fr"
    assert settings["EMAIL_HOST_PASSWORD"] == "p@ss:w/rd"


def test_parse_email_url_sans_identifiants_ni_hote():
    settings = parse_email_url("smtp://")
    assert settings["EMAIL_HOST"] == "localhost"
    assert settings["EMAIL_HOST_USER"] == ""
    assert settings["EMAIL_HOST_PASSWORD"] == ""
    assert "EMAIL_TIMEOUT" not in settings


def test_parse_email_url_lit_le_timeout():
    assert parse_email_url("smtps://smtp.exemple.fr?timeout=10")["EMAIL_TIMEOUT"] == 10


def test_parse_email_url_timeout_invalide_leve_improperly_configured():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL : timeout doit être un entier"):
        parse_email_url("smtp://smtp.exemple.fr?timeout=dix")


@pytest.mark.parametrize("url", ["smtp://smtp.exemple.fr:abc", "smtp://smtp.exemple.fr:99999"])
def test_parse_email_url_port_invalide_leve_improperly_configured(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL : le port doit être un entier"):
        parse_email_url(url)


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("console://", "django.core.mail.backends.console.EmailBackend"),
        ("dev://", "chorus.mail.DevEmailBackend"),
        ("locmem://", "django.core.mail.backends.locmem.EmailBackend"),
    ],
)
def test_parse_email_url_backends_sans_parametre(url, backend):
    assert parse_email_url(url) == {"EMAIL_BACKEND": backend}


def test_parse_email_url_file_donne_le_dossier():
    assert parse_email_url("file:///var/lib/chorus/mails%20sortants") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/var/lib/chorus/mails sortants",
    }


def test_le_backend_dev_existe():
    from django.utils.module_loading import import_string

    backend = import_string(parse_email_url("dev://")["EMAIL_BACKEND"])
    assert backend.__name__ == "DevEmailBackend"


@pytest.mark.parametrize(("url", "schema"), [("imap://serveur", "imap"), ("serveur.exemple.fr", ""), ("", "")])
def test_parse_email_url_schema_inconnu_leve_improperly_configured_en_francais(url, schema):
    with pytest.raises(ImproperlyConfigured) as exc_info:
        parse_email_url(url)
    assert str(exc_info.value) == (
        f"EMAIL_URL : schéma {schema!r} inconnu (smtp, smtp+tls, smtps, console, file, dev, locmem)."
    )
