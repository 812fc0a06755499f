"""docker-compose.yml scales: ``docker compose up --scale worker=N`` must start N interchangeable workers. No
Docker engine runs on the test machines, so the file itself is checked against the rules that make it work:
no fixed container name, no published port outside the web entry point, no per-container state on the worker,
a single beat, and the settings that spread the portal past one host (S3 files, read replica) passed through."""

from pathlib import Path

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
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
    assert "ports" not in _services(compose)["worker"]


def test_le_worker_ne_garde_rien_dans_son_conteneur(compose):
    worker = _services(compose)["worker"]
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


@pytest.mark.parametrize("service", ["web", "worker", "beat", "migrate"])
def test_les_reglages_multi_machines_sont_transmis(compose, service):
    environnement = _services(compose)[service]["environment"]
    assert PASSES <= set(environnement)
    assert environnement["DJANGO_SETTINGS_MODULE"] == "chorus.settings.production"
