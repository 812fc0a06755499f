"""The PRODUCTION configuration (``chorus.settings.production``) against real PostgreSQL and Redis servers.

Everything runs in subprocesses, as in a deployment: collectstatic, migrate, ``check --deploy``, a real Celery
worker answering a task sent from another process, gunicorn serving /health; and the settings must refuse to
start when a required variable is missing or unsafe.

Servers: ``CHORUS_TEST_PRODUCTION_DATABASE_URL`` / ``CHORUS_TEST_PRODUCTION_REDIS_URL`` when set (CI points
them at the machine's own PostgreSQL and Redis), otherwise a dedicated database on the server of the test session
and another Redis database number. The database is dropped and recreated at every run.
"""

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis
from django.conf import settings

from bench.common import variables_production
from tests.conftest import (
    CONFIGURATION_DU_PORTAIL,
    _test_database_url,
    commande_gunicorn,
    commande_worker,
    free_port,
    lancer,
    stop_process,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent.parent
DATABASE_NAME = "chorus_production_check"
REDIS_DB = 6
# As in docker-compose.yml: the portal connects as a restricted role, migrations run as the owner.
APPLICATION_ROLE = "chorus_production_app"
APPLICATION_PASSWORD = "production-check-app-role"
PRODUCTION_KEYS = (
    *CONFIGURATION_DU_PORTAIL,
    "DJANGO_SETTINGS_MODULE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "CHORUS_VAR_DIR",
)


def _production_database_url() -> str:
    return os.environ.get("CHORUS_TEST_PRODUCTION_DATABASE_URL") or _test_database_url(DATABASE_NAME)


def _application_url(proprietaire_url: str) -> str:
    """The same database for the restricted application role (``chorus.roles``), which ``migrate`` creates."""
    parts = urlsplit(proprietaire_url)
    hote = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{APPLICATION_ROLE}:{APPLICATION_PASSWORD}@{hote}"))


def _production_redis_url() -> str:
    url = os.environ.get("CHORUS_TEST_PRODUCTION_REDIS_URL")
    if url:
        return url
    parts = urlsplit(settings.CELERY_BROKER_URL)
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


def _recreate_database(url: str) -> None:
    """Drop and recreate the database of ``url`` through the server's ``postgres`` database."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    assert re.fullmatch(r"[A-Za-z0-9_]+", name), f"nom de base inattendu : {name!r}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def production_env(base: dict, **overrides) -> dict:
    """``os.environ`` without any inherited configuration, plus ``base``; an override of ``None`` removes."""
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_KEYS}
    env.update(base)
    env["PYTHONUNBUFFERED"] = "1"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _assert_ok(result: subprocess.CompletedProcess, what: str) -> None:
    assert result.returncode == 0, f"{what} a échoué ({result.returncode}) :\n{result.stdout}\n{result.stderr}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str, headers: dict | None = None):
    """(status, headers, body) without following redirects; HTTP errors are answers too."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers, exc.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """Variables of a real deployment, on a freshly recreated database, with collected static files."""
    directory = tmp_path_factory.mktemp("production")
    proprietaire_url = _production_database_url()
    database_url = _application_url(proprietaire_url)
    redis_url = _production_redis_url()
    _recreate_database(proprietaire_url)
    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    base = variables_production(
        proprietaire_url=proprietaire_url,
        application_url=database_url,
        redis_url=redis_url,
        repertoire=directory,
        hotes="chorus.example.fr,127.0.0.1",
    )
    env = production_env(base)
    # As in the Docker image: the manifest of hashed static files exists before anything serves a page.
    _assert_ok(run(env, "manage.py", "collectstatic", "--noinput", "-v", "0"), "collectstatic")
    return {"base": base, "env": env, "directory": directory}


def test_production_configuration_against_real_servers(production):
    env = production["env"]
    directory = production["directory"]

    # (a) The migrations apply on an empty database.
    result = run(env, "manage.py", "migrate", "--noinput")
    _assert_ok(result, "migrate")
    assert "Applying organisation." in result.stdout
    result = run(env, "manage.py", "migrate", "--check")
    _assert_ok(result, "migrate --check")
    # The portal's processes are the application role, which cannot rewrite a history table.
    code = (
        "from django.db import connection\n"
        "c = connection.cursor(); c.execute('SELECT current_user'); print(c.fetchone()[0])\n"
        "try:\n    c.execute('TRUNCATE facturation_historiquefacture')\n"
        "except Exception as e:\n    print(e.__cause__.sqlstate)\n"
    )
    result = run(env, "manage.py", "shell", "-c", code)
    _assert_ok(result, "rôle applicatif")
    assert result.stdout.split()[-2:] == [APPLICATION_ROLE, "42501"], result.stdout

    # (b) Django's deployment checklist: not a single warning.
    result = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    _assert_ok(result, "check --deploy")
    assert "no issues" in result.stdout

    # (c) The cache is the Redis server, shared by every process: what one gunicorn worker invalidates (the
    # approbations badge), another sees.
    cle = f"production-check-{os.getpid()}"
    code = f"from django.core.cache import cache; cache.set({cle!r}, 'partagé', 60)"
    _assert_ok(run(env, "manage.py", "shell", "-c", code), "cache.set")
    code = f"from django.core.cache import cache; print('CACHE=' + cache.get({cle!r}, 'absent'))"
    result = run(env, "manage.py", "shell", "-c", code)
    _assert_ok(result, "cache.get")
    assert "CACHE=partagé" in result.stdout, result.stdout

    # (d) A round trip through a real worker started with the production settings.
    worker_log = directory / "worker.log"
    with open(worker_log, "wb") as log:
        worker = lancer(commande_worker("production-check"), env=env, sortie=log)
    web = None
    try:
        result = run(
            env,
            "manage.py",
            "shell",
            "-c",
            "from chorus.tasks import ping; print('ANSWER=' + ping.delay('x').get(timeout=30))",
            timeout=90,
        )
        logs = worker_log.read_text(errors="replace")
        _assert_ok(result, f"l'aller-retour Celery (journal du worker :\n{logs})")
        answers = re.findall(r"^ANSWER=(.*)$", result.stdout, re.MULTILINE)
        assert answers, result.stdout
        assert answers[-1].startswith("pong:x:"), answers
        assert worker.poll() is None, logs
        assert "chorus.tasks.ping" in logs and "succeeded" in logs, logs

        # (e) gunicorn serves /health (exempt from the HTTPS redirect for the orchestrator's probes).
        port = free_port()
        web_log = directory / "gunicorn.log"
        with open(web_log, "wb") as log:
            web = lancer(commande_gunicorn(port, "--access-logfile", "-"), env=env, sortie=log)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert web.poll() is None, web_log.read_text(errors="replace")
            try:
                status, headers, body = _get(url + "/health")
            except OSError:
                status = None
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert status == 200, f"/health : {status}\n{web_log.read_text(errors='replace')}"
        assert headers["Content-Type"] == "application/json"
        report = json.loads(body)
        assert report["status"] == "ok"
        assert report["database"]["ok"] and report["redis"]["ok"] and report["worker"]["ok"], report

        # Anything else over plain HTTP is redirected to HTTPS...
        status, headers, _ = _get(url + "/")
        assert status == 301
        assert headers["Location"] == f"https://127.0.0.1:{port}/"
        # ... and behind the TLS proxy the page is served with the security headers and hashed static files.
        status, headers, body = _get(url + "/", {"X-Forwarded-Proto": "https"})
        assert status == 200, body
        assert "Bienvenue sur Chorus Pro" in body
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', body)
        assert css, "aucune feuille de style au nom haché dans la page"
        status, headers, _ = _get(url + css.group(1), {"X-Forwarded-Proto": "https"})
        assert status == 200
        assert "immutable" in headers["Cache-Control"]
        # A host outside ALLOWED_HOSTS is refused.
        status, _, _ = _get(url + "/health", {"Host": "attaquant.example"})
        assert status == 400
    finally:
        if web is not None:
            stop_process(web)
        stop_process(worker)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DATABASE_URL": None}, "DATABASE_URL est obligatoire"),
        ({"DATABASE_URL": "sqlite:///chorus.sqlite3"}, "DATABASE_URL doit désigner un serveur PostgreSQL."),
        ({"REDIS_URL": None}, "REDIS_URL est obligatoire"),
        ({"DEBUG": "true"}, "DEBUG doit être désactivé en production."),
        ({"SECRET_KEY": "trop-courte"}, "SECRET_KEY doit être fournie (au moins 50 caractères aléatoires)."),
        ({"SECRET_KEY": None}, "SECRET_KEY doit être fournie (au moins 50 caractères aléatoires)."),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS doit lister les noms d'hôte du portail"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS doit lister les noms d'hôte du portail"),
        ({"EMAIL_URL": None}, "EMAIL_URL est obligatoire"),
        ({"CHORUS_BAC_A_SABLE": "true"}, "CHORUS_BAC_A_SABLE est réservé au bac à sable"),
    ],
    ids=[
        "sans-DATABASE_URL",
        "DATABASE_URL-sqlite",
        "sans-REDIS_URL",
        "DEBUG",
        "SECRET_KEY-courte",
        "sans-SECRET_KEY",
        "ALLOWED_HOSTS-etoile",
        "sans-ALLOWED_HOSTS",
        "sans-EMAIL_URL",
        "bac-a-sable",
    ],
)
def test_production_settings_refuse_unsafe_configuration(overrides, message):
    base = {
        "DJANGO_SETTINGS_MODULE": "chorus.settings.production",
        "DATABASE_URL": "postgresql://chorus@127.0.0.1:5432/chorus",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "chorus.example.fr",
        "EMAIL_URL": "console://",
    }
    result = run(production_env(base, **overrides), "manage.py", "check", timeout=60)
    assert result.returncode != 0, result.stdout
    assert "Configuration de production refusée" in result.stderr
    assert message in result.stderr
    # Nothing else is reported: each variable is checked on its own.
    assert result.stderr.count("\n- ") == 1, result.stderr
