from celery import shared_task

from facturation import services


@shared_task
def relancer_brouillons() -> int:
    return services.relancer_brouillons()


@shared_task
def purger_depots_abandonnes() -> int:
    return services.purger_depots_abandonnes()


@shared_task
def valider_tacitement() -> int:
    return services.valider_tacitement()
