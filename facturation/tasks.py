from celery import shared_task

from facturation import services


@shared_task
def relancer_brouillons() -> int:
    return services.relancer_brouillons()
