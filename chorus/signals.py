from celery.signals import worker_ready

from chorus.tasks import record_heartbeat


@worker_ready.connect
def _heartbeat_on_start(sender=None, **kwargs):
    # A fresh worker is healthy at once, without waiting for beat's first heartbeat.

    record_heartbeat(getattr(sender, "hostname", None))
