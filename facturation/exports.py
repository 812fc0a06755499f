"""« Exporter » of the invoice lists (« Factures émises », « Factures reçues », « Liste fiscale »): a scoped query
to CSV or XLSX in the portal's French format (``chorus.exports``)."""

from django.http import StreamingHttpResponse

from chorus import exports
from facturation import statuts
from facturation.enums import Cadre, TypeFacture

# Every column an invoice export may print: the value read, its header and its width in the XLSX sheet. Each export
# picks its own columns, in its order, from this one table.
COLONNES = {
    "numero": ("Numéro", 20),
    "type_facture": ("Type", 10),
    "cadre": ("Cadre", 26),
    "statut": ("Statut", 24),
    "date_facture": ("Date de facture", 14),
    "date_depot": ("Date de dépôt", 18),
    "fournisseur__identifiant": ("SIRET fournisseur", 18),
    "fournisseur__raison_sociale": ("Fournisseur", 36),
    "destinataire__identifiant": ("SIRET destinataire", 18),
    "destinataire__raison_sociale": ("Destinataire", 36),
    "service_destinataire__code": ("Code service", 20),
    "numero_engagement": ("Numéro d'engagement", 20),
    "numero_marche": ("Numéro de marché", 20),
    "devise": ("Devise", 8),
    "montant_ht": ("Montant HT", 14),
    "montant_tva": ("Montant TVA", 14),
    "montant_ttc": ("Montant TTC", 14),
    "montant_a_payer": ("Net à payer", 14),
}
# Every export opens with these, so that its second to fourth columns are the codes ``_en_clair`` prints as words.
_FACTURE = ("numero", "type_facture", "cadre", "statut", "date_facture", "date_depot")
_FOURNISSEUR = ("fournisseur__identifiant", "fournisseur__raison_sociale")
_DESTINATAIRE = ("destinataire__identifiant", "destinataire__raison_sociale")
_MONTANTS = ("montant_ht", "montant_tva", "montant_ttc")

EMISES = (*_FACTURE, *_DESTINATAIRE, *_MONTANTS)
RECUES = (
    *_FACTURE,
    *_FOURNISSEUR,
    *_DESTINATAIRE,
    "service_destinataire__code",
    "numero_engagement",
    "numero_marche",
    *_MONTANTS,
    "montant_a_payer",
)
LISTE_FISCALE = (*_FACTURE, *_FOURNISSEUR, *_DESTINATAIRE, "devise", *_MONTANTS)

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


def exporter(format_export: str, *, nom: str, feuille: str, colonnes: tuple, factures) -> StreamingHttpResponse:
    """The CSV or XLSX response of the invoices ``factures`` (already scoped and narrowed), newest first, in the
    ``colonnes`` of ``COLONNES``: both stream it by chunks (a server-side cursor), whatever the number of rows."""
    entetes = [COLONNES[c][0] for c in colonnes]
    qs = factures.order_by("-id").values_list(*colonnes)
    if format_export == "xlsx":
        lignes = qs.iterator(chunk_size=2000)
        largeurs = tuple(COLONNES[c][1] for c in colonnes)
        return exports.reponse_xlsx(f"{nom}.xlsx", feuille, entetes, _en_clair(lignes), largeurs=largeurs)
    return exports.reponse_csv(f"{nom}.csv", entetes, _en_clair(qs.iterator()))
