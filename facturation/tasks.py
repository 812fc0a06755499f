from celery import shared_task

from chorus.compteurs import taches
from facturation import compteurs, services

# The Tableaux de bord's counters: the fold (every minute) and the check (at night), ``chorus.compteurs``.
compacter_compteurs, verifier_compteurs = taches(compteurs.COMPTEUR, __name__)


@shared_task
def relancer_brouillons() -> int:
    return services.relancer_brouillons()


@shared_task
def purger_depots_abandonnes() -> int:
    return services.purger_depots_abandonnes()


@shared_task
def valider_tacitement() -> int:
    return services.valider_tacitement()
