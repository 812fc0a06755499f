"""The portal's one way of printing amounts and dates: ``{% load chorus_format %}``, then
``{{ facture.montant_ttc|montant:facture.devise }}`` → « 1 791,60 € », ``{{ facture.date_facture|jour }}`` →
« 03/12/2026 », ``{{ facture.date_depot|jour_heure }}`` → « 03/12/2026 à 14:05 » (local time),
``{{ facture.date_depot|horodatage }}`` → « 03/12/2026 à 14:05:09 » in a sentence, ``|horodatage_cellule`` →
« 03/12/2026 14:05:09 » in a table's cell (where the second matters: a deposit's proof, a piece's history).

An empty value (``None``, ``""``) prints as ``""``, so that ``|default:"—"`` applies.
"""

import datetime

from django import template
from django.utils import dateformat

from chorus.money import MontantInvalide, formater_montant

register = template.Library()

FORMAT_JOUR = "d/m/Y"
FORMAT_JOUR_HEURE = "d/m/Y à H:i"
FORMAT_HORODATAGE = "d/m/Y à H:i:s"
FORMAT_HORODATAGE_CELLULE = "d/m/Y H:i:s"


@register.filter
def montant(valeur, devise="EUR"):
    """``chorus.money.formater_montant``: narrow no-break spaces between thousands, a comma, then a no-break space
    and ``€`` (or the ISO code of another currency)."""
    if valeur is None or valeur == "":
        return ""
    try:
        return formater_montant(valeur, devise or "EUR")
    except MontantInvalide:
        return valeur


def _formater(valeur, format_date):
    if valeur is None or valeur == "":
        return ""
    if not isinstance(valeur, datetime.date):
        return valeur
    return dateformat.format(valeur, format_date)


@register.filter(expects_localtime=True)
def jour(valeur):
    """A date, or the local day of a datetime: « 03/12/2026 »."""
    return _formater(valeur, FORMAT_JOUR)


def _instant(valeur, format_instant):
    """A datetime in ``format_instant``; a plain date (no time to print) as ``jour``."""
    if isinstance(valeur, datetime.date) and not isinstance(valeur, datetime.datetime):
        return _formater(valeur, FORMAT_JOUR)
    return _formater(valeur, format_instant)


@register.filter(expects_localtime=True)
def jour_heure(valeur):
    """A datetime in local time: « 03/12/2026 à 14:05 » (a plain date prints as ``jour``)."""
    return _instant(valeur, FORMAT_JOUR_HEURE)


@register.filter(expects_localtime=True)
def horodatage(valeur):
    """A datetime to the second, in local time: « 03/12/2026 à 14:05:09 » (a plain date prints as ``jour``)."""
    return _instant(valeur, FORMAT_HORODATAGE)


@register.filter(expects_localtime=True)
def horodatage_cellule(valeur):
    """``horodatage`` in a table's cell, as Chorus Pro prints a history: « 03/12/2026 14:05:09 »."""
    return _instant(valeur, FORMAT_HORODATAGE_CELLULE)
