from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from chorus.navigation import approbations_modifiees
from organisation import services
from organisation.models import Approbation


@receiver(user_login_failed)
def _echec(sender, credentials, request=None, **kwargs):
    email = credentials.get("username") or credentials.get("email")
    if email:
        services.enregistrer_echec_connexion(email=email)


@receiver(user_logged_in)
def _succes(sender, request, user, **kwargs):
    services.reinitialiser_echecs_connexion(user=user)


@receiver([post_save, post_delete], sender=Approbation)
def _approbation_modifiee(sender, **kwargs):
    # After commit: a rolled-back request must not make others recount, and a reader must not recount before
    # the change is visible.
    transaction.on_commit(approbations_modifiees)
