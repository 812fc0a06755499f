import logging

from celery import shared_task

from facturation import compteurs, services

logger = logging.getLogger(__name__)


@shared_task
def relancer_brouillons() -> int:
    return services.relancer_brouillons()


@shared_task
def purger_depots_abandonnes() -> int:
    return services.purger_depots_abandonnes()


@shared_task
def valider_tacitement() -> int:
    return services.valider_tacitement()


@shared_task
def compacter_compteurs() -> int:
    """Fold the dashboards' counter rows appended since the last run (``facturation.compteurs``)."""
    return compteurs.compacter()[0]


@shared_task
def verifier_compteurs() -> int:
    """Recount the invoices and log each drifted counter as an error (never corrected silently: a drift is a bug;
    ``manage.py verifier_compteurs --corriger`` repairs)."""
    trouves = compteurs.ecarts()
    for ecart in trouves:
        logger.error("Compteur de factures en écart : %s", ecart)
    return len(trouves)
