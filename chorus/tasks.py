import socket

from celery import shared_task
from django.utils import timezone

from chorus import outbox, partitions
from chorus.models import WorkerHeartbeat


@shared_task(acks_late=True)
def process_outbox_message(message_id: int) -> bool:
    return outbox.process(message_id)


@shared_task
def sweep_outbox() -> int:
    return outbox.sweep()


def record_heartbeat(hostname: str | None = None) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname or socket.gethostname(), defaults={"last_seen": timezone.now()}
    )


@shared_task
def heartbeat() -> None:
    record_heartbeat()


@shared_task(ignore_result=False)
def ping(value: str) -> str:
    """Round trip used by /health checks and the integration tests: the worker answers with its own data."""
    return f"pong:{value}:{socket.gethostname()}"


@shared_task
def creer_partitions_mensuelles() -> dict:
    """This month's and the next months' partitions of every partitioned table (``chorus.partitions``)."""
    return partitions.creer_partitions_a_venir()
