"""The outbox with a real Celery worker process: work runs after commit, never after a rollback, and a lost
Redis message is still run by the periodic sweep."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from chorus import outbox
from chorus.celery import app
from chorus.mail import envoyer_email
from chorus.models import OutboxMessage, WorkerHeartbeat
from chorus.tasks import sweep_outbox
from tests.conftest import start_worker, stop_worker, wait_until

pytestmark = pytest.mark.integration


def _statut(pk):
    return OutboxMessage.objects.get(pk=pk).statut


def test_message_envoye_par_le_worker_apres_commit(celery_worker_process):
    with transaction.atomic():
        envoyer_email(destinataires=["a@exemple.fr"], sujet="Bonjour", corps="Corps")
        message = OutboxMessage.objects.get()
        # Inside the transaction nothing has been queued yet: the worker cannot even see the row.
        assert message.statut == OutboxMessage.Statut.EN_ATTENTE

    wait_until(lambda: _statut(message.pk) == OutboxMessage.Statut.TRAITE, message="envoi par le worker")
    message.refresh_from_db()
    assert message.traite_le is not None
    assert message.tentatives == 0


def test_rien_n_est_envoye_apres_un_rollback(celery_worker_process):
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        envoyer_email(destinataires=["a@exemple.fr"], sujet="Jamais", corps="Jamais envoyé")
        raise Abandon

    assert not OutboxMessage.objects.exists()
    # Prove the worker is alive and has drained its queue: a later message goes through, the rolled back one
    # never existed.
    with transaction.atomic():
        envoyer_email(destinataires=["b@exemple.fr"], sujet="Témoin", corps="Témoin")
    wait_until(
        lambda: OutboxMessage.objects.filter(statut=OutboxMessage.Statut.TRAITE).count() == 1,
        message="message témoin traité",
    )
    assert list(OutboxMessage.objects.values_list("payload__subject", flat=True)) == ["Témoin"]


def test_message_perdu_dans_redis_rattrape_par_le_balayage(transactional_db, purge_queue):
    # The message is committed while no worker runs, then Redis loses it (purge): only the sweep can save it.
    with transaction.atomic():
        envoyer_email(destinataires=["c@exemple.fr"], sujet="Perdu", corps="Perdu puis rattrapé")
    message = OutboxMessage.objects.get()
    assert app.control.purge() >= 1
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=2))

    worker = start_worker()
    try:
        wait_until(lambda: app.control.ping(timeout=0.5), message="worker prêt")
        assert _statut(message.pk) == OutboxMessage.Statut.EN_ATTENTE
        # What beat sends every minute (see CELERY_BEAT_SCHEDULE), delivered to the real worker.
        sweep_outbox.delay()
        wait_until(lambda: _statut(message.pk) == OutboxMessage.Statut.TRAITE, message="balayage par le worker")
        assert WorkerHeartbeat.objects.exists()
    finally:
        stop_worker(worker)


@pytest.mark.django_db
def test_echec_reessaye_plus_tard_puis_abandonne(monkeypatch):
    calls = []

    def _fail(**payload):
        calls.append(payload)
        raise RuntimeError("serveur SMTP indisponible")

    monkeypatch.setitem(outbox._handlers, "tests.toujours_en_echec", _fail)

    message = OutboxMessage.objects.create(kind="tests.toujours_en_echec", payload={"n": 1})
    assert outbox.process(message.pk) is False
    message.refresh_from_db()
    assert message.statut == OutboxMessage.Statut.EN_ATTENTE
    assert message.tentatives == 1
    assert "serveur SMTP indisponible" in message.derniere_erreur
    assert message.disponible_le > timezone.now()
    # Not due yet: the sweep leaves it alone.
    assert outbox.sweep(grace=timedelta(0)) == 0

    OutboxMessage.objects.filter(pk=message.pk).update(tentatives=outbox.MAX_TENTATIVES - 1)
    outbox.process(message.pk)
    message.refresh_from_db()
    assert message.statut == OutboxMessage.Statut.ECHEC
    assert len(calls) == 2


@pytest.mark.django_db
def test_message_deja_traite_n_est_pas_renvoye():
    with transaction.atomic():
        envoyer_email(destinataires=["d@exemple.fr"], sujet="Une fois", corps="Une seule fois")
    message = OutboxMessage.objects.get()
    assert outbox.process(message.pk) is True
    assert outbox.process(message.pk) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Une fois"
