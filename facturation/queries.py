"""Scoped reads of invoices: the one door for every view, export and API endpoint."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from facturation.models import Facture
from organisation import queries as org_queries
from organisation.enums import Application, Niveau, StatutRattachement
from organisation.models import Rattachement


def factures_emises(user, niveau: str = Niveau.CONSULTATION) -> QuerySet:
    """Invoices issued by the structures where the user holds the « Factures émises » profile; a user attached
    at service level sees only the invoices of those services."""
    structures = org_queries.structures_de(user, Application.FACTURES_EMISES, niveau).values("pk")
    restreint = Rattachement.objects.filter(
        utilisateur=user, structure=OuterRef("fournisseur"), statut=StatutRattachement.ACTIF, service__isnull=True
    )
    par_service = Rattachement.objects.filter(
        utilisateur=user, statut=StatutRattachement.ACTIF, service=OuterRef("service_fournisseur")
    )
    return Facture.objects.filter(fournisseur__in=structures).filter(Q(Exists(restreint)) | Q(Exists(par_service)))


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
