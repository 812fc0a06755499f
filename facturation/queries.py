"""Scoped reads of invoices: the one door for every view, export and API endpoint."""

from django.db.models import Q, QuerySet

from facturation.models import Facture
from organisation import queries as org_queries
from organisation.enums import Application, Niveau


def factures_emises(user, niveau: str = Niveau.CONSULTATION) -> QuerySet:
    """Invoices issued by the structures where the user holds the « Factures émises » profile; a user attached
    at service level sees only the invoices of those services.

    The user's perimeter is resolved first (``organisation.queries.perimetre``, one small query) and the invoices
    are filtered by constant identifiers: the planner then walks the index that matches the page's ORDER BY up to
    its LIMIT instead of reading and sorting all of a big supplier's invoices (see BENCHMARKS.md)."""
    p = org_queries.perimetre(user, Application.FACTURES_EMISES, niveau)
    if not p:
        return Facture.objects.none()
    condition = Q()
    if p.structures:
        condition |= Q(fournisseur_id__in=sorted(p.structures))
    if p.services:
        condition |= Q(
            fournisseur_id__in=sorted(p.structures_par_service), service_fournisseur_id__in=sorted(p.services)
        )
    return Facture.objects.filter(condition)


def facture_emise(user, pk, niveau: str = Niveau.CONSULTATION):
    return (
        factures_emises(user, niveau)
        .select_related("fournisseur", "destinataire", "service_destinataire", "service_fournisseur", "valideur")
        .filter(pk=pk)
        .first()
    )


def structures_emettrices(user) -> QuerySet:
    """The structures in whose name the user may enter or deposit invoices."""
    return org_queries.structures_de(user, Application.FACTURES_EMISES, Niveau.MODIFICATION)
