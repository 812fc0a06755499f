from celery import shared_task

from organisation import services
from organisation.services import raccordements


@shared_task
def appliquer_modifications_differees() -> int:
    return services.appliquer_modifications_dues()


@shared_task
def prevenir_expirations_comptes_techniques() -> int:
    """« Raccordements »: warn the structures whose technical account's password expires within 15 days."""
    return raccordements.prevenir_expirations()
