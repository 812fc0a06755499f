from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.models import WorkerHeartbeat
from chorus.tasks import record_heartbeat

pytestmark = pytest.mark.django_db


def test_sante_verte_avec_un_worker_recent(client):
    record_heartbeat("worker@test")
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["redis"]["ok"] and body["worker"]["ok"]
    assert body["worker"]["age_seconds"] < 5


def test_sante_rouge_sans_worker(client):
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["worker"] == {
        "ok": False,
        "last_heartbeat": None,
        "age_seconds": None,
        "message": "Aucun worker Celery actif récemment (tâches et courriels en attente).",
    }
    assert body["database"]["ok"] is True


def test_sante_rouge_si_le_dernier_battement_est_trop_ancien(client):
    WorkerHeartbeat.objects.create(hostname="w", last_seen=timezone.now() - timedelta(minutes=10))
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["worker"]["age_seconds"] >= 600


def test_sante_rouge_si_redis_injoignable(client, settings):
    record_heartbeat("worker@test")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["redis"]["ok"] is False
