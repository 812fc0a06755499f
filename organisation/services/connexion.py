"""Connexion: the lock-out after repeated failures (as Chorus Pro: 5 failures, one hour)."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from organisation.models import Utilisateur

logger = logging.getLogger(__name__)


def enregistrer_echec_connexion(*, email: str) -> None:
    """Count one failed login for ``email``; lock the account once the limit is reached."""
    email = Utilisateur.objects.normalize_email(email)
    now = timezone.now()
    with transaction.atomic():
        user = Utilisateur.objects.select_for_update().filter(email=email).first()
        if user is None or user.est_verrouille(now):
            return
        user.echecs_connexion = F("echecs_connexion") + 1
        user.save(update_fields=["echecs_connexion"])
        user.refresh_from_db(fields=["echecs_connexion"])
        if user.echecs_connexion >= settings.CHORUS_ECHECS_CONNEXION_MAX:
            user.verrouille_jusqu_au = now + settings.CHORUS_DUREE_VERROUILLAGE
            user.echecs_connexion = 0
            user.save(update_fields=["verrouille_jusqu_au", "echecs_connexion"])
            logger.warning("Compte %s bloqué jusqu'au %s", user.pk, user.verrouille_jusqu_au)


def reinitialiser_echecs_connexion(*, user: Utilisateur) -> None:
    if user.echecs_connexion or user.verrouille_jusqu_au:
        Utilisateur.objects.filter(pk=user.pk).update(echecs_connexion=0, verrouille_jusqu_au=None)
        user.echecs_connexion = 0
        user.verrouille_jusqu_au = None
