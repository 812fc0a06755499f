import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import UtilisateurFactory
from tests.fixtures_facturation import communes, etat, fournisseur_gp  # noqa: F401  (shared fixtures)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used synchronously there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def cache_vide():
    """Each test starts with an empty cache (badge counts, rate limits, sessions' copies)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def utilisateur(db):
    return UtilisateurFactory()


# --- A real Celery worker ------------------------------------------------------------------------------------


def _test_database_url(database: str | None = None) -> str:
    """A URL to the test database, or to ``database`` on the same PostgreSQL server (often the embedded one,
    reached through a Unix socket directory given as a percent-encoded host)."""
    from urllib.parse import quote

    from django.db import connection

    params = connection.settings_dict
    host = params["HOST"] or params.get("OPTIONS", {}).get("host", "")
    auth = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        auth += ":" + quote(params["PASSWORD"], safe="")
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgresql://{auth}@{quote(host, safe='')}{port}/{database or params['NAME']}"


# The portal's configuration read from the environment: a process a test starts in a configuration of its own
# (production, ``make run``) must not inherit it from the developer's shell or from this session.
CONFIGURATION_DU_PORTAIL = (
    "DATABASE_URL",
    "DATABASE_PROPRIETAIRE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "EMAIL_URL",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    # Set above for Playwright; a deployment never does (check --deploy reports async.E001).
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def lancer(commande: list, *, env: dict, sortie) -> subprocess.Popen:
    """``commande`` run from the repository's root in a session of its own (``stop_process`` stops it and all it
    started), its output and errors written to ``sortie``."""
    return subprocess.Popen(
        commande, cwd=ROOT, env=env, stdout=sortie, stderr=subprocess.STDOUT, start_new_session=True
    )


def environnement_de_test() -> dict:
    """The environment of a process of the portal a test starts: the test settings, database and Redis."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="chorus.settings.test",
        DATABASE_URL=_test_database_url(),
        REDIS_URL=settings.CELERY_BROKER_URL,
        PYTHONUNBUFFERED="1",
    )
    return env


def commande_worker(nom: str) -> list[str]:
    """A Celery worker of one process (``solo``), named ``nom`` so that it never answers for another session's,
    without the start-up exchanges with other workers (mingle, gossip) that only slow a test down."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "chorus",
        "worker",
        "-l",
        "INFO",
        "-c",
        "1",
        "-P",
        "solo",
        "-n",
        f"{nom}-{os.getpid()}@%h",
        "--without-mingle",
        "--without-gossip",
    ]


def commande_gunicorn(port: int, *options: str) -> list[str]:
    """gunicorn serving the portal with one worker on ``127.0.0.1:port``."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "chorus.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        *options,
    ]


def start_worker(*extra_env) -> subprocess.Popen:
    env = environnement_de_test()
    for item in extra_env:
        env.update(item)
    log = open(ARTIFACTS / "celery-worker.log", "ab")  # noqa: SIM115 - closed by the fixture
    proc = lancer(commande_worker("test"), env=env, sortie=log)
    proc.log = log
    return proc


def stop_process(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a process started with ``start_new_session=True`` and everything it started (its group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_worker(proc: subprocess.Popen) -> None:
    stop_process(proc)
    proc.log.close()


@pytest.fixture
def purge_queue():
    from chorus.celery import app

    app.control.purge()


@pytest.fixture
def celery_worker_process(transactional_db, purge_queue):
    """A real ``celery worker`` process on the test database and the test Redis. Tests using it write through
    committed transactions (``transactional_db``) so that the worker sees their data."""
    ARTIFACTS.mkdir(exist_ok=True)
    proc = start_worker()
    from chorus.celery import app

    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError("Le worker Celery s'est arrêté au démarrage (voir test-artifacts/celery-worker.log).")
        replies = app.control.ping(timeout=0.5)
        if replies:
            break
        if time.monotonic() > deadline:
            stop_worker(proc)
            raise RuntimeError("Le worker Celery ne répond pas (voir test-artifacts/celery-worker.log).")
    yield proc
    stop_worker(proc)


def wait_until(predicate, *, timeout=30.0, interval=0.1, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Délai dépassé en attendant : {message}")


# --- As if today were another date ------------------------------------------------------------------------------
# ``CHORUS_AUJOURDHUI=2028-02-29 make test`` (or pytest) runs the suite on that day, at 10:00 Paris time, the clock
# then running: a test that only passes on some days of the month or of the year fails there. Tests that need a
# precise instant still travel on their own (time-machine nests). Real processes started by the suite (a Celery
# worker, ``make run``) and the browser keep the machine's clock: run them without it (README « Développement »).
_voyage = None


def pytest_configure(config):
    global _voyage
    jour = os.environ.get("CHORUS_AUJOURDHUI")
    if jour:
        import datetime
        import zoneinfo

        import time_machine

        instant = datetime.datetime.combine(
            datetime.date.fromisoformat(jour), datetime.time(10, 0), tzinfo=zoneinfo.ZoneInfo("Europe/Paris")
        )
        _voyage = time_machine.travel(instant, tick=True)
        _voyage.start()


def pytest_unconfigure(config):
    if _voyage is not None:
        _voyage.stop()


def pytest_report_header(config):
    jour = os.environ.get("CHORUS_AUJOURDHUI")
    return f"Suite exécutée comme si nous étions le {jour} (CHORUS_AUJOURDHUI)" if jour else None


# --- A real browser ------------------------------------------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if not browser_items:
        return
    if os.environ.get("CI"):
        # In CI a missing browser is a failure, never a silent skip.
        raise pytest.UsageError(
            f"Chromium est introuvable ({CHROMIUM}) : .ci/run doit l'installer (apt-get install chromium)."
        )
    reason = "chromium absent : tests navigateur NON exécutés (installez-le : apt-get install chromium)"
    config._chorus_browser_missing = len(browser_items)
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    missing = getattr(config, "_chorus_browser_missing", 0)
    if missing:
        terminalreporter.write_sep(
            "!", f"{missing} test(s) navigateur NON exécuté(s) : chromium absent de cette machine", red=True
        )


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an asyncio loop running in this thread while it lives; other
    # modules' code that calls asyncio.run() (pyhanko's signing and validation) must not find it running.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _page(browser, live_server, request, **options):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        page.screenshot(path=str(ARTIFACTS / f"ECHEC-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser, live_server, request):
    yield from _page(browser, live_server, request)


@pytest.fixture
def page_sans_javascript(browser, live_server, request):
    """A page of a browser that runs no script: what the portal offers without JavaScript."""
    yield from _page(browser, live_server, request, java_script_enabled=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
