"""The outbox: durable work queued in the database, run by Celery after commit, swept by beat.

Usage from a service, inside its transaction::

    outbox.enqueue("chorus.email", {"to": [...], "subject": "...", "body": "..."})

The row is written with the change; the Celery task is queued only once the transaction commits (so a rolled
back change sends nothing), and the periodic sweep runs any row whose message was lost.
"""

import functools
import logging
import traceback
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from chorus.celery import app
from chorus.models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_TENTATIVES = 8
# A fresh row belongs to the task queued on its commit; the sweep only takes rows older than this.
DELAI_AVANT_BALAYAGE = timedelta(seconds=30)

TACHE_TRAITEMENT = "chorus.tasks.process_outbox_message"

_handlers: dict[str, Callable[..., None]] = {}


def inscrire(kind: str, func: Callable[..., None]) -> None:
    """Register the function that performs one kind of outbox work (called with the payload as kwargs). Called
    explicitly from an ``AppConfig.ready`` (every process, web and worker, runs it), never as an import side
    effect."""
    if kind in _handlers and _handlers[kind] is not func:
        raise ValueError(f"Outbox handler {kind!r} registered twice.")
    _handlers[kind] = func


def enqueue(kind: str, payload: dict) -> OutboxMessage:
    if kind not in _handlers:
        raise ValueError(f"Unknown outbox kind {kind!r}.")
    message = OutboxMessage.objects.create(kind=kind, payload=payload)
    # The task is sent by name: ``chorus.tasks`` imports this module, not the reverse. ``send_task`` does not read
    # the task's ``ignore_result``: without it, publishing subscribes to the result in Redis, and with Redis down
    # the result backend retried its connection twenty times, a second apart, inside the request.
    apres_commit(app.send_task, TACHE_TRAITEMENT, args=[message.pk], retry=False, ignore_result=True)
    return message


def apres_commit(envoyer: Callable[..., object], *args, **kwargs) -> None:
    """Queue a Celery task once the transaction commits, without ever failing the request: the change is already
    committed, so a broker down or frozen (publishing gives up after the broker timeouts of the settings and is
    not retried here, ``retry=False``) is logged and left to the periodic sweeps (``sweep`` for the outbox, the
    stuck-flux task for flux), which send the work later."""
    transaction.on_commit(functools.partial(_envoyer_sans_echec, envoyer, *args, **kwargs), robust=True)


def _envoyer_sans_echec(envoyer: Callable[..., object], *args, **kwargs) -> None:
    try:
        envoyer(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - kombu raises many types; the sweep sends the work later
        logger.warning(
            "File de tâches injoignable (%s) : %s sera relancé par le balayage périodique.",
            type(exc).__name__,
            getattr(envoyer, "__name__", envoyer),
        )


def _retry_delay(tentatives: int) -> timedelta:
    return timedelta(minutes=min(2**tentatives, 60))


def process(message_id: int) -> bool:
    """Run one pending message. Idempotent: a message already done, or being run elsewhere, is left alone."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, statut=OutboxMessage.Statut.EN_ATTENTE)
            .first()
        )
        if message is None:
            return False
        func = _handlers.get(message.kind)
        try:
            if func is None:
                raise LookupError(f"Aucun traitement enregistré pour {message.kind!r}.")
            with transaction.atomic():
                func(**message.payload)
        except Exception:  # noqa: BLE001 - any failure is recorded on the row and retried later
            logger.exception("Outbox message %s (%s) failed", message.pk, message.kind)
            message.tentatives += 1
            message.derniere_erreur = traceback.format_exc()[-4000:]
            message.disponible_le = timezone.now() + _retry_delay(message.tentatives)
            if message.tentatives >= MAX_TENTATIVES:
                message.statut = OutboxMessage.Statut.ECHEC
            message.save(update_fields=["tentatives", "derniere_erreur", "disponible_le", "statut"])
            return False
        message.statut = OutboxMessage.Statut.TRAITE
        message.traite_le = timezone.now()
        message.save(update_fields=["statut", "traite_le"])
        return True


def sweep(*, limit: int = 500, grace: timedelta = DELAI_AVANT_BALAYAGE) -> int:
    """Run the pending messages that are due and older than ``grace``; return how many succeeded."""
    now = timezone.now()
    ids = list(
        OutboxMessage.objects.filter(
            statut=OutboxMessage.Statut.EN_ATTENTE, disponible_le__lte=now, created_at__lte=now - grace
        )
        .order_by("disponible_le", "id")
        .values_list("id", flat=True)[:limit]
    )
    return sum(1 for message_id in ids if process(message_id))
