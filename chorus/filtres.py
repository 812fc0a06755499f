"""Search forms: a queryset narrowed by the criteria that were filled in, written as a table instead of one
``if criteres.get(...): qs = qs.filter(...)`` per field."""

from django.db.models import QuerySet


def filtrer_par(qs: QuerySet, criteres: dict, lookups: dict[str, str]) -> QuerySet:
    """``qs`` narrowed by each criterion that has a value: ``lookups`` maps a form field to the lookup it filters on
    (``{"ville": "ville__icontains"}``). An empty criterion (blank, None, False, 0) filters nothing: a criterion
    whose zero is meaningful (an amount) is filtered by its caller."""
    for champ, lookup in lookups.items():
        if criteres.get(champ):
            qs = qs.filter(**{lookup: criteres[champ]})
    return qs
