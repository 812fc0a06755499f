"""Scoped reads of invoices: the one door for every view, export and API endpoint."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from facturation.models import Facture
from organisation import queries as org_queries
from organisation.enums import Application, Niveau, StatutRattachement
from organisation.models import Rattachement


def factures_emises(user, niveau: str = Niveau.CONSULTATION) -> QuerySet:
    """Invoices issued by the structures where the user holds the « Factures émises » profile; a user attached
    at service level sees only the invoices of those services.

    The user's perimeter (one small query on their active rattachements) is resolved first and the invoices are
    filtered by constant identifiers: the planner then knows which supplier it reads and walks the index that
    matches the page's ORDER BY up to its LIMIT, instead of reading and sorting all of a big supplier's invoices
    (see BENCHMARKS.md). The rule is unchanged: the supplier is one of ``structures_de(user, FACTURES_EMISES,
    niveau)`` and the user is attached to it at structure level, or to the invoice's supplier service."""
    if not getattr(user, "is_authenticated", False):
        return Facture.objects.none()
    habilitee = org_queries.structures_de(user, Application.FACTURES_EMISES, niveau).filter(pk=OuterRef("structure"))
    rattachements = (
        Rattachement.objects.filter(utilisateur=user, statut=StatutRattachement.ACTIF)
        .annotate(habilitee=Exists(habilitee))
        .values_list("structure_id", "service_id", "habilitee")
    )
    structures, restreint, par_service = set(), set(), set()
    for structure_id, service_id, est_habilitee in rattachements:
        if est_habilitee:
            structures.add(structure_id)
        if service_id is None:
            restreint.add(structure_id)
        else:
            par_service.add(service_id)
    condition = Q()
    if structures & restreint:
        condition |= Q(fournisseur_id__in=sorted(structures & restreint))
    if structures and par_service:
        condition |= Q(fournisseur_id__in=sorted(structures), service_fournisseur_id__in=sorted(par_service))
    if not condition:
        return Facture.objects.none()
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
