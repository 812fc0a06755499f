"""Model fields the apps declare alike."""

from django.conf import settings
from django.db import models


def utilisateur_facultatif(verbose_name=None, *, related_name: str = "+", **options) -> models.ForeignKey:
    """An optional link to a user (who acted, who manages, who created): empty for the system or for no one, and
    the user is never deleted from under the row that names them (PROTECT)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        **options,
    )
