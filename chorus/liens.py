"""The optional link between two models, written the same way in every app: protected (a referenced row is never
deleted from under its users) and empty allowed in the database and in forms."""

from django.db import models


def lien_facultatif(to, verbose_name=None, *, related_name="+", **options) -> models.ForeignKey:
    """A ``ForeignKey`` to ``to`` that may stay empty; by default not followed back (``related_name="+"``)."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        **options,
    )
