from celery import shared_task

from organisation import services


@shared_task
def appliquer_modifications_differees() -> int:
    return services.appliquer_modifications_dues()
