from celery import shared_task

from chorus.api import flux, services
from chorus.api.models import FluxDepot


@shared_task
def traiter_flux(flux_id: int) -> str:
    return flux.traiter(FluxDepot.objects.select_related("compte__utilisateur", "structure").get(pk=flux_id)).etat


@shared_task
def purger_jetons_expires() -> int:
    return services.purger_jetons_expires()
