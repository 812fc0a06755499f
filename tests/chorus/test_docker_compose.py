"""docker-compose.yml scales: ``docker compose up --scale worker=N`` must start N interchangeable workers. No
Docker engine runs on the test machines, so the file itself is checked against the rules that make it work:
no fixed container name, no published port outside the web entry point, no per-container state on the workers,
a single beat, every Celery queue consumed by a worker service (one per flux syntax), and the settings that spread
the portal past one host (S3 files, read replica) passed through."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
# The Celery worker services: the default queue's, and one per flux syntax.
WORKERS = ["worker", "worker-flux-cii", "worker-flux-ubl", "worker-flux-facturx"]
PASSES = {
    "CHORUS_STOCKAGE",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_LOCATION",
    "DATABASE_REPLICA_URL",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    # safe_load resolves the file's anchors and "<<" merge keys as Docker Compose does.
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _services(compose) -> dict:
    return compose["services"]


def test_aucun_nom_de_conteneur_fixe(compose):
    # A container_name makes a second container of the same service impossible.
    assert [nom for nom, service in _services(compose).items() if "container_name" in service] == []


def test_seul_le_web_publie_un_port(compose):
    publies = {nom for nom, service in _services(compose).items() if service.get("ports")}
    assert publies == {"web"}
    assert all("ports" not in _services(compose)[nom] for nom in WORKERS)


def _files(service) -> list[str]:
    commande = service["command"]
    return commande[commande.index("-Q") + 1].split(",")


def test_chaque_file_a_son_worker(compose):
    """The default queue and each flux syntax's queue are consumed, each by a worker service of its own: a flux
    worker compiles only its syntax's rules (facturation.api.tasks.FILES_FLUX)."""
    workers = {
        nom: _files(service)
        for nom, service in _services(compose).items()
        if service.get("command", [])[:4] == ["celery", "-A", "chorus", "worker"]
    }
    assert sorted(workers) == sorted(WORKERS)
    assert workers == {
        "worker": [settings.CELERY_TASK_DEFAULT_QUEUE],
        "worker-flux-cii": ["flux-cii"],
        "worker-flux-ubl": ["flux-ubl"],
        "worker-flux-facturx": ["flux-facturx"],
    }
    assert {file for files in workers.values() for file in files} == {q.name for q in settings.CELERY_TASK_QUEUES}


@pytest.mark.parametrize("nom", WORKERS)
def test_le_worker_ne_garde_rien_dans_son_conteneur(compose, nom):
    worker = _services(compose)[nom]
    assert "hostname" not in worker  # each container keeps its own: the Celery node names stay distinct
    commande = worker["command"]
    assert commande[:4] == ["celery", "-A", "chorus", "worker"]
    for option in ("-n", "--hostname"):
        if option in commande:
            assert "%h" in commande[commande.index(option) + 1]
    declares = set(compose.get("volumes") or {})
    for volume in worker.get("volumes", []):
        source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source")
        # A named volume of the project, shared by every container; never a bind mount nor an anonymous volume.
        assert source in declares, volume
    # The same files as the web containers (on disk, the default storage): a worker reads what any web wrote.
    assert worker["volumes"] == _services(compose)["web"]["volumes"]


def test_un_seul_beat(compose):
    beat = _services(compose)["beat"]
    assert beat["command"][:4] == ["celery", "-A", "chorus", "beat"]
    assert "ports" not in beat and beat.get("volumes") == []


@pytest.mark.parametrize("service", ["web", *WORKERS, "beat", "migrate"])
def test_les_reglages_multi_machines_sont_transmis(compose, service):
    environnement = _services(compose)[service]["environment"]
    assert PASSES <= set(environnement)
    assert environnement["DJANGO_SETTINGS_MODULE"] == "chorus.settings.production"
