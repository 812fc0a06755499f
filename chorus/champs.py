"""Model fields the apps declare alike."""

from django.conf import settings
from django.db import models


def lien_facultatif(to, verbose_name=None, *, related_name="+", **options) -> models.ForeignKey:
    """A ``ForeignKey`` to ``to`` that may stay empty, written the same way in every app: protected (a referenced row
    is never deleted from under its users), empty allowed in the database and in forms, and by default not followed
    back (``related_name="+"``)."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        **options,
    )


def utilisateur_facultatif(verbose_name=None, *, related_name: str = "+", **options) -> models.ForeignKey:
    """An optional link to a user (who acted, who manages, who created): empty for the system or for no one."""
    return lien_facultatif(settings.AUTH_USER_MODEL, verbose_name, related_name=related_name, **options)
