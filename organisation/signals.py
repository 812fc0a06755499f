from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from organisation import services


@receiver(user_login_failed)
def _echec(sender, credentials, request=None, **kwargs):
    email = credentials.get("username") or credentials.get("email")
    if email:
        services.enregistrer_echec_connexion(email=email)


@receiver(user_logged_in)
def _succes(sender, request, user, **kwargs):
    services.reinitialiser_echecs_connexion(user=user)
