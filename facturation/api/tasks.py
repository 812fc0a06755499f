"""The flux tasks. Their names are those they had when the API lived in ``chorus.api`` (``chorus.api.tasks.…``):
messages already queued and the beat schedule keep finding them."""

from celery import shared_task

from facturation.api import flux
from facturation.models import FluxDepot


def _flux(flux_id: int) -> FluxDepot:
    return FluxDepot.objects.select_related("compte__utilisateur", "depose_par", "structure").get(pk=flux_id)


@shared_task(name="chorus.api.tasks.traiter_flux")
def traiter_flux(flux_id: int) -> str:
    """Read and split the lot; its chunks run as tasks of their own, on whichever workers are free."""
    return flux.traiter(_flux(flux_id), planifier=_planifier).etat


def _planifier(flux_id: int, tentative: int, index: int, indices: list[int]) -> None:
    traiter_tranche_flux.delay(flux_id, tentative, index, indices)


@shared_task(name="facturation.api.tasks.traiter_tranche_flux")
def traiter_tranche_flux(flux_id: int, tentative: int, index: int, indices: list[int]) -> None:
    flux.traiter_tranche(_flux(flux_id), tentative, index, indices)


@shared_task(name="chorus.api.tasks.relancer_flux_bloques")
def relancer_flux_bloques() -> int:
    """Beat: a flux whose task was lost or whose worker died is queued again (``traiter`` resumes it, or closes it
    once its attempts are used up). A flux still queued behind a long backlog may be queued twice: the second task
    finds it taken and does nothing."""
    ids = list(flux.flux_bloques().order_by("etat_le").values_list("pk", flat=True)[:500])
    for flux_id in ids:
        traiter_flux.delay(flux_id)
    return len(ids)
