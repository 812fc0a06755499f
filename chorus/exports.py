"""« Exporter » (CSV and XLSX) for every list of the portal, as French spreadsheets read them.

CSV: UTF-8 with a BOM, « ; » separator, dates as ``dd/mm/yyyy``, times in Paris time, decimals with a comma,
streamed row by row. XLSX: a write-only workbook (bounded by ``MAX_LIGNES_XLSX``) with real dates and numbers.
In both, a text typed by a user is never read as a formula (« =HYPERLINK(...) » in a raison sociale)."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

MAX_LIGNES_XLSX = 100_000
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
) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    classeur = Workbook(write_only=True)
    onglet = classeur.create_sheet(feuille[:31])
    for i, largeur in enumerate(largeurs, start=1):
        onglet.column_dimensions[get_column_letter(i)].width = largeur
    onglet.append(list(entetes))

    def cellule(valeur):
        if isinstance(valeur, str):
            # Always text, never a formula, without the characters XML forbids.
            cell = WriteOnlyCell(onglet, value=ILLEGAL_CHARACTERS_RE.sub("", valeur))
            cell.data_type = "s"
            return cell
        if isinstance(valeur, datetime):  # Excel has no time zones: Paris time
            cell = WriteOnlyCell(onglet, value=timezone.localtime(valeur).replace(tzinfo=None, microsecond=0))
            cell.number_format = "DD/MM/YYYY HH:MM"
            return cell
        cell = WriteOnlyCell(onglet, value=valeur)
        if isinstance(valeur, date):
            cell.number_format = "DD/MM/YYYY"
        elif isinstance(valeur, Decimal):
            cell.number_format = "#,##0.00"
        return cell

    for n, ligne in enumerate(lignes):
        if n >= MAX_LIGNES_XLSX:
            break
        onglet.append([cellule(v) for v in ligne])
    tampon = io.BytesIO()
    classeur.save(tampon)
    response = HttpResponse(
        tampon.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{nom_fichier}"'
    return response
