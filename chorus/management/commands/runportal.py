"""``make run``: migrate, load the demo data into an empty database, then run the web server, a Celery worker
and Celery beat together until Ctrl-C, which stops all of them (and the embedded servers this command uses)."""

import os
import signal
import subprocess  # nosec B404  # `make run` starts web, worker and beat: fixed commands, no shell
import sys
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from chorus import demo, embedded


def environnement_des_services(port: int) -> dict:
    """The environment of web, worker and beat. ``CHORUS_PORTAL_URL`` (the address in e-mailed links, such as
    account activation) is the address the portal is served on, ``PORT`` included, unless it is set."""
    env = dict(os.environ)
    env["DATABASE_URL"] = settings.DATABASE_URL
    env["REDIS_URL"] = settings.CELERY_BROKER_URL
    env.setdefault("DJANGO_SETTINGS_MODULE", "chorus.settings.dev")
    env.setdefault("CHORUS_PORTAL_URL", f"http://127.0.0.1:{port}")
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Command(BaseCommand):
    help = "Lance le portail complet (web, worker Celery, beat) avec les services embarqués."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="Ne pas charger les données de démonstration.")

    def handle(self, *args, port, no_demo, **options):
        uses_embedded_db = not os.environ.get("DATABASE_URL")
        uses_embedded_redis = not os.environ.get("REDIS_URL")
        self.stdout.write("Application des migrations…")
        self.stdout.flush()  # stdout may be a pipe or a file (make run | tee): show progress at once
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo:
            for commande in demo.chargeurs():  # each application's demo data, registered in its AppConfig
                call_command(commande, stdout=self.stdout)

        self.stdout.flush()  # before the children write to the same stdout
        env = environnement_des_services(port)
        python = sys.executable
        var = embedded.var_dir()
        commands = {
            "web": [python, "manage.py", "runserver", f"127.0.0.1:{port}"],
            "worker": [python, "-m", "celery", "-A", "chorus", "worker", "-l", "INFO", "-c", "2", "-n", "worker@%h"],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "chorus",
                "beat",
                "-l",
                "INFO",
                "--schedule",
                str(var / "celerybeat-schedule"),
            ],
        }
        processes = {
            # this interpreter with the fixed arguments above, no shell
            name: subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, start_new_session=True)  # nosec B603
            for name, command in commands.items()
        }
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        url = f"http://127.0.0.1:{port}"
        try:
            if _wait_for(url + "/health", processes, lambda: stopping):
                self._banner(url)
            while not stopping:
                dead = [name for name, proc in processes.items() if proc.poll() is not None]
                if dead:
                    self.stderr.write(f"Arrêt inattendu de : {', '.join(dead)}. Arrêt du portail.")
                    break
                time.sleep(0.5)
        finally:
            self.stdout.write("\nArrêt du portail…")
            for proc in processes.values():
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + 15
            for proc in processes.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
            from django.db import connections

            connections.close_all()
            if uses_embedded_redis:
                embedded.stop_redis()
            if uses_embedded_db:
                embedded.stop_postgres()
            self.stdout.write("Portail arrêté. Les données sont conservées dans var/.")

    def _banner(self, url):
        lines = [
            "",
            "=" * 72,
            f"  Chorus Pro est prêt : {url}",
            "",
            f"  Comptes de démonstration (mot de passe : {demo.mot_de_passe()}) :",
        ]
        lines += [f"    - {compte['email']:<40} {compte['role']}" for compte in demo.comptes()]
        lines += ["", f"  Santé : {url}/health      Arrêt : Ctrl-C", "=" * 72, ""]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()


def _wait_for(url, processes, stopping, timeout=120) -> bool:
    """Wait until the web server answers (the worker may still be starting: /health may say 503)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stopping():
        if any(proc.poll() is not None for proc in processes.values()):
            return False
        try:
            urllib.request.urlopen(url, timeout=2)  # nosec B310  # http://127.0.0.1:<port>/health, built above
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.3)
    return False
