"""« Exporter » (CSV and XLSX) for every list of the portal, as French spreadsheets read them.

CSV: UTF-8 with a BOM, « ; » separator, dates as ``dd/mm/yyyy``, times in Paris time, decimals with a comma,
streamed row by row. XLSX: streamed too (``chorus.xlsx``), whatever the number of rows, with real dates and numbers.
In both, a text typed by a user is never read as a formula (« =HYPERLINK(...) » in a raison sociale)."""

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone

from chorus import xlsx

_DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def texte_sur(valeur) -> str:
    """A user's text as a spreadsheet must show it: a leading quote disarms what would start a formula."""
    valeur = "" if valeur is None else str(valeur)
    return "'" + valeur if valeur[:1] in _DEBUTS_DE_FORMULE else valeur


def _cellule_csv(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if isinstance(valeur, datetime):
        return timezone.localtime(valeur).strftime("%d/%m/%Y %H:%M")
    if isinstance(valeur, date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, Decimal | float | int):
        return str(valeur).replace(".", ",")
    return texte_sur(valeur)


class _Tampon:
    def write(self, value):
        return value


def reponse_csv(nom_fichier: str, entetes: Sequence[str], lignes: Iterable[Sequence]) -> StreamingHttpResponse:
    ecrivain = csv.writer(_Tampon(), delimiter=";")

    def flux():
        yield "\ufeff" + ecrivain.writerow(entetes)
        for ligne in lignes:
            yield ecrivain.writerow([_cellule_csv(v) for v in ligne])

    response = StreamingHttpResponse(flux(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{nom_fichier}"'
    return response


def reponse_xlsx(
    nom_fichier: str, feuille: str, entetes: Sequence[str], lignes: Iterable[Sequence], largeurs: Sequence[int] = ()
) -> StreamingHttpResponse:
    """The rows as an XLSX workbook, streamed while they are read: no cap on the number of rows, flat memory."""
    response = StreamingHttpResponse(
        xlsx.classeur(feuille, entetes, lignes, largeurs),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{nom_fichier}"'
    return response
