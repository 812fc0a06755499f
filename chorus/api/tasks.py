from celery import shared_task

from chorus.api import services


@shared_task
def purger_jetons_expires() -> int:
    return services.purger_jetons_expires()
