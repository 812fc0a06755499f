"""« Exporter » of the invoice lists (« Factures émises », « Factures reçues »): a scoped query to CSV or XLSX in
the portal's French format (``chorus.exports``)."""

from django.http import StreamingHttpResponse

from chorus import exports
from facturation import statuts
from facturation.enums import Cadre, TypeFacture

# The coded columns of both exports (type, cadre, statut, in that order from the second column) print their words.
_TYPES = dict(TypeFacture.choices)
_CADRES = dict(Cadre.choices)


def _en_clair(lignes):
    for numero, type_facture, cadre, statut, *reste in lignes:
        yield (
            numero,
            _TYPES.get(type_facture, type_facture),
            _CADRES.get(cadre, cadre),
            statuts.libelle(statut),
            *reste,
        )


def exporter(format_export: str, *, nom: str, feuille: str, entetes, qs, largeurs=()) -> StreamingHttpResponse:
    """The CSV or XLSX response of ``qs`` (a ``values_list`` in the export's column order, already scoped and
    ordered, whose second to fourth columns are the type, the cadre and the statut codes, printed as their words):
    both stream it by chunks (a server-side cursor), whatever the number of rows."""
    if format_export == "xlsx":
        lignes = qs.iterator(chunk_size=2000)
        return exports.reponse_xlsx(f"{nom}.xlsx", feuille, entetes, _en_clair(lignes), largeurs=largeurs)
    return exports.reponse_csv(f"{nom}.csv", entetes, _en_clair(qs.iterator()))
