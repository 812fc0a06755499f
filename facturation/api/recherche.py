"""What the invoice searches of the API share (``rechercher/fournisseur``, ``rechercher/recipiendaire``,
``rechercher/valideur``): the criteria of the portal's « Rechercher » form (``facturation.queries.filtrer``), under
Chorus Pro's names, the amount bounds, the sort columns and a row's first fields. Their request fields are
``facturation.api.factures.CriteresFacture``."""

from facturation import queries as fq


def criteres_formulaire(corps, *, cadre: str) -> dict:
    """The criteria of ``queries.filtrer`` (the portal's search form) read from a search body; ``cadre``: the
    cadre's code, which each search names its own way."""
    return {
        "numero": corps.texte("numeroFacture"),
        "statuts": corps.textes("statutCourant"),
        "date_du": corps.date("periodeDateFactureDu"),
        "date_au": corps.date("periodeDateFactureAu"),
        "depot_du": corps.date("periodeDateDepotDu"),
        "depot_au": corps.date("periodeDateDepotAu"),
        "montant_min": corps.montant("montantTTCMin"),
        "montant_max": corps.montant("montantTTCMax"),
        "cadre": cadre,
    }


def filtrer_formulaire(corps, qs, **autres):
    """``qs`` narrowed by the form's criteria (``criteres_formulaire``) and ``autres``, the cadre read where
    ``rechercher/fournisseur`` and ``rechercher/valideur`` send it: ``cadreFacturation.codeCadreFacturation``."""
    cadre = corps.objet("cadreFacturation").texte("codeCadreFacturation")
    return fq.filtrer({**criteres_formulaire(corps, cadre=cadre), **autres}, qs)


# ``triColonne`` → the field sorted by, in every invoice search (each names its id column its own way).
COLONNES_TRI = {
    "NumeroFacture": "numero",
    "DateFacture": "date_facture",
    "DateDepot": "date_depot",
    "MontantTTC": "montant_ttc",
    "MontantHT": "montant_ht",
    "Statut": "statut",
}


def identite(f) -> dict:
    """The first fields of a row of ``rechercher/recipiendaire`` and ``rechercher/valideur``."""
    return {
        "idFacture": f.pk,
        "numeroFacture": f.numero,
        "typeDemandePaiement": f.type_demande_paiement,
        "typeFacture": f.type_facture,
        "statut": f.statut,
    }


# request key → lookup; a bound of 0 is a bound (only an absent one filters nothing).
BORNES_MONTANTS = {
    "montantHTMin": "montant_ht__gte",
    "montantHTMax": "montant_ht__lte",
    "montantApayerMin": "montant_a_payer__gte",
    "montantApayerMax": "montant_a_payer__lte",
}


def bornes_montants(corps) -> dict:
    return {filtre: montant for cle, filtre in BORNES_MONTANTS.items() if (montant := corps.montant(cle)) is not None}
