"""« Exporter » of the invoice lists (« Factures émises », « Factures reçues »): a scoped query to CSV or XLSX in
the portal's French format (``chorus.exports``)."""

from django.http import HttpResponse

from chorus import exports


def exporter(format_export: str, *, nom: str, feuille: str, entetes, qs, largeurs=()) -> HttpResponse:
    """The CSV or XLSX response of ``qs`` (a ``values_list`` in the export's column order, already scoped and
    ordered): the CSV streams it by chunks, the XLSX reads at most ``MAX_LIGNES_XLSX`` rows (one LIMIT)."""
    if format_export == "xlsx":
        lignes = qs[: exports.MAX_LIGNES_XLSX].iterator(chunk_size=2000)
        return exports.reponse_xlsx(f"{nom}.xlsx", feuille, entetes, lignes, largeurs=largeurs)
    return exports.reponse_csv(f"{nom}.csv", entetes, qs.iterator())
