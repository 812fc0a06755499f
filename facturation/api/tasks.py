"""The flux tasks. Their names are those they had when the API lived in ``chorus.api`` (``chorus.api.tasks.…``):
messages already queued and the beat schedule keep finding them.

Each syntax's flux work (the lot's split and its chunks) goes to a Celery queue of its own (``FILES_FLUX``, declared
in ``settings.CELERY_TASK_QUEUES``), decided here and only here (``file_du_flux``): a worker started with
``-Q flux-cii`` only ever compiles the CII rules (each syntax's compiled rules weigh 50–126 MB in a worker,
BENCHMARKS.md « Fifth run »), never the rules of the other syntaxes whatever the lots. A worker started without
``-Q`` (``make run``, the tests) consumes every queue."""

import functools

from celery import shared_task
from django.conf import settings

from facturation.api import flux
from facturation.models import FluxDepot

FILES_FLUX = {
    "IN_DP_E1_CII_16B": "flux-cii",
    "IN_DP_E1_UBL_INVOICE": "flux-ubl",
    "IN_DP_E2_CII_FACTURX": "flux-facturx",
}


def file_du_flux(syntaxe: str) -> str:
    """The queue of a flux's work. A syntax without a queue of its own (none is accepted today) goes to the default
    queue, which every installation consumes, rather than to a queue nobody reads."""
    return FILES_FLUX.get(syntaxe, settings.CELERY_TASK_DEFAULT_QUEUE)


def lancer_flux(flux_id: int, syntaxe: str) -> None:
    """Queue a flux's processing (after its deposit, or when the beat task resumes it) on its syntax's queue."""
    traiter_flux.apply_async((flux_id,), queue=file_du_flux(syntaxe))


def _flux(flux_id: int) -> FluxDepot:
    return FluxDepot.objects.select_related("compte__utilisateur", "depose_par", "structure").get(pk=flux_id)


@shared_task(name="chorus.api.tasks.traiter_flux")
def traiter_flux(flux_id: int) -> str:
    """Read and split the lot; its chunks run as tasks of their own, on whichever workers of its queue are free."""
    courant = _flux(flux_id)
    return flux.traiter(courant, planifier=functools.partial(_planifier, file_du_flux(courant.syntaxe))).etat


def _planifier(file: str, flux_id: int, tentative: int, index: int, indices: list[int]) -> None:
    traiter_tranche_flux.apply_async((flux_id, tentative, index, indices), queue=file)


@shared_task(name="facturation.api.tasks.traiter_tranche_flux")
def traiter_tranche_flux(flux_id: int, tentative: int, index: int, indices: list[int]) -> None:
    flux.traiter_tranche(_flux(flux_id), tentative, index, indices)


@shared_task(name="chorus.api.tasks.relancer_flux_bloques")
def relancer_flux_bloques() -> int:
    """Beat: a flux whose task was lost or whose worker died is queued again (``traiter`` resumes it, or closes it
    once its attempts are used up). A flux still queued behind a long backlog may be queued twice: the second task
    finds it taken and does nothing."""
    bloques = list(flux.flux_bloques().order_by("etat_le").values_list("pk", "syntaxe")[:500])
    for flux_id, syntaxe in bloques:
        lancer_flux(flux_id, syntaxe)
    return len(bloques)
