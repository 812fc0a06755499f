"""The invoice a ``/cpro/factures/v1/…`` call names, read through the scoped query of the caller's side
(``facturation.queries``: « Factures émises », « Factures reçues », « Factures à valider ») for the technical
account's user. A missing invoice and one outside the account's reach get the same refusal (HTTP 400,
``codeRetour`` 20002), so that a client cannot probe other structures' invoices."""

from chorus.api.kit import introuvable
from facturation import queries as fq
from facturation.enums import StatutFacture
from organisation.enums import Niveau


def _trouvee(facture, pk: int):
    if facture is None:
        raise introuvable(f"La facture {pk} n'existe pas ou ne vous est pas accessible.")
    return facture


def facture_emise(compte, pk: int, niveau: str = Niveau.CONSULTATION):
    """An invoice the account's structure issued; a draft was never sent, so it is unknown to the API."""
    facture = fq.facture_emise(compte.utilisateur, pk, niveau)
    return _trouvee(None if facture is not None and facture.statut == StatutFacture.BROUILLON else facture, pk)


def facture_recue(compte, pk: int, niveau: str = Niveau.CONSULTATION):
    return _trouvee(fq.facture_recue(compte.utilisateur, pk, niveau), pk)


def facture_a_valider(compte, pk: int, niveau: str = Niveau.CONSULTATION):
    return _trouvee(fq.facture_a_valider(compte.utilisateur, pk, niveau), pk)
