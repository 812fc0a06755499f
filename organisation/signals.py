from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from chorus.limitation import adresse_client
from chorus.navigation import approbations_modifiees
from chorus.securite import journaliser
from organisation import services
from organisation.models import Approbation


@receiver(user_login_failed)
def _echec(sender, credentials, request=None, **kwargs):
    email = credentials.get("username") or credentials.get("email")
    ip = adresse_client(request) if request is not None else ""
    journaliser("connexion.echec", email=email or "", ip=ip)
    if email:
        services.enregistrer_echec_connexion(email=email, ip=ip)


@receiver(user_logged_in)
def _succes(sender, request, user, **kwargs):
    services.reinitialiser_echecs_connexion(user=user)
    journaliser(
        "connexion.reussie", utilisateur=user.pk, email=user.email, ip=adresse_client(request) if request else ""
    )


@receiver(user_logged_out)
def _deconnexion(sender, request, user, **kwargs):
    if user is not None:
        journaliser("deconnexion", utilisateur=user.pk, ip=adresse_client(request) if request else "")


@receiver([post_save, post_delete], sender=Approbation)
def _approbation_modifiee(sender, **kwargs):
    # After commit: a rolled-back request must not make others recount, and a reader must not recount before
    # the change is visible.
    transaction.on_commit(approbations_modifiees)
