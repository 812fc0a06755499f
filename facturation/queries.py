"""Scoped reads of invoices: the one door for every view, export and API endpoint."""

from datetime import datetime, time, timedelta

from django.contrib.postgres.fields import ArrayField
from django.db.models import Count, ExpressionWrapper, F, Func, OuterRef, QuerySet, Subquery, TextField
from django.db.models.fields import DateTimeField
from django.db.models.functions import Upper
from django.utils import timezone

from chorus import compteurs
from chorus.criteres import conditions
from facturation import statuts
from facturation.enums import DELAI_VALIDATION_TACITE, StatutFacture
from facturation.models import CompteurFactures, Facture, FluxDepot, HistoriqueFacture, PieceJointeTeleversee
from organisation import queries as org_queries
from organisation.enums import Application, Niveau
from organisation.models import Service, Structure


def factures_emises(user, niveau: str = Niveau.CONSULTATION) -> QuerySet:
    """``Facture.objects.emises_par``: the invoices issued by the structures where the user holds « Factures
    émises » (by their services only for a service-level rattachement)."""
    return Facture.objects.emises_par(user, niveau)


def comptes_emises(user, niveau: str = Niveau.CONSULTATION) -> dict[str, int]:
    """« Factures émises » > « Tableau de bord »: ``factures_emises(user)`` counted by status, read from the
    counters (``CompteurFactures.objects.emises_par``, the same perimeter)."""
    return compteurs.sommes(CompteurFactures.objects.emises_par(user, niveau), "statut")


def comptes_recues(user, niveau: str = Niveau.CONSULTATION) -> dict[str, int]:
    """« Factures reçues » > « Tableau de bord »: ``factures_recues(user)`` counted by status, from the counters."""
    return compteurs.sommes(CompteurFactures.objects.recues_par(user, niveau), "statut")


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


def services_emetteurs(user) -> QuerySet:
    """The supplier services the user may name on an invoice they issue (``services.exiger_emission``)."""
    return org_queries.services_du_perimetre(user, Application.FACTURES_EMISES, Niveau.MODIFICATION)


def structures_emettrices_par_service(user) -> frozenset[int]:
    """The structures the user issues for by service only: there an invoice names one of their services."""
    return org_queries.structures_restreintes_aux_services(user, Application.FACTURES_EMISES, Niveau.MODIFICATION)


def flux_de(user, niveau: str = Niveau.CONSULTATION) -> QuerySet:
    """« Raccordements » > « Suivi des flux »: every flux deposited for the structures whose raccordements the user
    works with (by the API or on the portal), with its number of integrated invoices (one query)."""
    return (
        FluxDepot.objects.filter(structure__in=org_queries.structures_raccordees_par(user, niveau))
        .select_related("structure", "compte", "depose_par")
        .annotate(nombre_factures=Count("factures"))
    )


def structures_deposant_flux(user) -> QuerySet:
    """Where the user may deposit a flux on the portal: « Raccordements » in modification (or gestionnaire) and
    « Factures émises » in modification for the whole structure, since the flux's invoices are deposited in their
    name and a flux names no supplier service (a user attached to some services only issues for those:
    ``services.exiger_emission``)."""
    return org_queries.structures_raccordees_par(user, Niveau.MODIFICATION).filter(
        pk__in=org_queries.structures_entieres(user, Application.FACTURES_EMISES, Niveau.MODIFICATION)
    )


def factures_a_valider(user, niveau: str = Niveau.CONSULTATION) -> QuerySet:
    """``Facture.objects.a_valider_par``: « Factures à valider » (A9 sous-traitant, A12 cotraitant), the one door
    of every page of the application; the valideur structures are constant identifiers, so that the planner walks
    the indexes of migration 0005 in the page's order."""
    return Facture.objects.a_valider_par(user, niveau)


def facture_a_valider(user, pk, niveau: str = Niveau.CONSULTATION):
    """One invoice of the user's « Factures à valider », with its deadline (``avec_delai_validation``); None
    outside the user's perimeter (the views answer 404)."""
    return (
        avec_delai_validation(factures_a_valider(user, niveau))
        .select_related("fournisseur", "destinataire", "service_destinataire", "valideur")
        .filter(pk=pk)
        .first()
    )


def avec_delai_validation(qs: QuerySet) -> QuerySet:
    """Annotate ``a_valider_depuis`` (when the invoice last reached « À valider », read from its history: one
    correlated subquery on the history's index, no query per row) and ``validation_tacite_le`` (that date plus
    the 15 days after which validation is tacit)."""
    arrivee = (
        HistoriqueFacture.objects.filter(objet=OuterRef("pk"), statut=StatutFacture.A_VALIDER_1)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    return qs.annotate(a_valider_depuis=Subquery(arrivee, output_field=DateTimeField())).annotate(
        validation_tacite_le=ExpressionWrapper(
            F("a_valider_depuis") + DELAI_VALIDATION_TACITE, output_field=DateTimeField()
        )
    )


def factures_recues(user, niveau: str = Niveau.CONSULTATION) -> QuerySet:
    """``Facture.objects.recues_par``: « Factures reçues », the one door of every page, export and action of the
    application; the perimeter is constant identifiers, so that the planner walks the indexes of migration 0006 in
    the page's order up to its LIMIT."""
    return Facture.objects.recues_par(user, niveau)


def facture_recue(user, pk, niveau: str = Niveau.CONSULTATION):
    """One invoice of the user's « Factures reçues »; None outside the perimeter (the views answer 404)."""
    return (
        factures_recues(user, niveau)
        .select_related("fournisseur", "destinataire", "service_destinataire", "valideur")
        .filter(pk=pk)
        .first()
    )


def traite_des_factures_recues(user) -> bool:
    """Whether the user holds « Factures reçues » in modification somewhere (one query on their rattachements)."""
    return bool(org_queries.perimetre(user, Application.FACTURES_RECUES, Niveau.MODIFICATION))


def peut_traiter(user, facture) -> bool:
    """Whether the user holds « Factures reçues » in modification where ``facture`` is addressed (its structure,
    or its service for a service-level rattachement): the perimeter condition itself, asked of the database for
    this invoice (the user's rights are read once per request, see ``organisation.queries.perimetre``)."""
    return Facture.objects.recues_par(user, Niveau.MODIFICATION).filter(pk=facture.pk).exists()


def services_designes(code: str) -> list[int]:
    """The services a « code service » search field designates (the code, whatever its case), resolved to ids."""
    return list(Service.objects.filter(code__iexact=code.strip()).values_list("pk", flat=True)[:1000])


def _debut_du_jour(jour):
    return timezone.make_aware(datetime.combine(jour, time.min))


def _lendemain(jour):
    return _debut_du_jour(jour + timedelta(days=1))


# The criteria of the invoices' search forms (``RechercheFacturesForm.criteres()``, the valideur's filters,
# ``RechercheFacturesRecuesForm.criteres()``, the Synthèses' filters): criterion → lookup (``chorus.criteres``).
CRITERES = {
    "numero": "numero__icontains",
    "statut": "statut",
    "statuts": "statut__in",
    "service_destinataire": ("service_destinataire_id__in", services_designes),
    "numero_engagement": "numero_engagement__icontains",
    # Deposit dates are days in Paris time.
    "depot_du": ("date_depot__gte", _debut_du_jour),
    "depot_au": ("date_depot__lt", _lendemain),
    "destinataire": ("destinataire_id__in", org_queries.structures_designees),
    "fournisseur": ("fournisseur_id__in", org_queries.structures_designees),
    "date_du": "date_facture__gte",
    "date_au": "date_facture__lte",
    "montant_min": "montant_ttc__gte",
    "montant_max": "montant_ttc__lte",
    "cadre": "cadre",
    "type_facture": "type_facture",
    # The Synthèse's « Filtre Structure » (one of the user's structures: the scoped ``qs`` keeps it inside them).
    "structure_destinataire": "destinataire_id",
    "structure_fournisseur": "fournisseur_id",
    "masquer_telechargees": ("telechargee_le__isnull", bool),
}


# The longest term read through ``facture_sous_chaines_courtes`` (the function's substrings are that long at most).
LONGUEUR_COURTE = 3


class SousChainesCourtes(Func):
    """``facture_sous_chaines_courtes(…)``: the substrings of one to three characters of a text (migration 0021)."""

    function = "facture_sous_chaines_courtes"
    output_field = ArrayField(TextField())


def filtrer(criteres: dict, qs):
    """Narrow ``qs`` by the cleaned criteria of a search form (``CRITERES``).

    A number term of one to three characters (ASCII: its upper case is as long) is in a number exactly when it is
    one of the number's substrings of that length: that condition, added to the ``LIKE``, finds the same invoices
    and lets the planner, which knows from its statistics how common the term is, read them from the structure's
    index of those substrings (migration 0021) instead of walking the list's order over invoices that may not
    contain it (the whole table, for the largest structures)."""
    qs = qs.filter(**conditions(criteres, CRITERES))
    terme = criteres.get("numero") or ""
    if 0 < len(terme) <= LONGUEUR_COURTE and terme.isascii():
        qs = qs.alias(numero_court=SousChainesCourtes(Upper("numero"))).filter(numero_court__contains=[terme.upper()])
    return qs


def structures_du_filtre(user, application: str) -> list[tuple[int, str]]:
    """The Synthèse's « Filtre Structure »: (id, « SIRET - raison sociale ») of the structures where the user holds
    ``application`` (their perimeter, read once per request), for a user of several only: one query then, none
    otherwise. The invoices themselves stay read through the application's scoped query."""
    ids = org_queries.structures_du_perimetre(user, application)
    if len(ids) < 2:
        return []
    return [
        (pk, f"{identifiant} - {raison_sociale}")
        for pk, identifiant, raison_sociale in Structure.objects.filter(pk__in=ids)
        .order_by("raison_sociale", "id")
        .values_list("pk", "identifiant", "raison_sociale")
    ]


def limite_archives(maintenant=None):
    """« Archives » holds the invoices not modified for more than two years: before this instant (the same day
    two years ago, Paris time; a 29 February falls back to the 28th)."""
    maintenant = timezone.localtime(maintenant or timezone.now())
    try:
        return maintenant.replace(year=maintenant.year - 2)
    except ValueError:
        return maintenant.replace(year=maintenant.year - 2, day=28)


def archives(qs: QuerySet) -> QuerySet:
    """The archived part of a scoped list of invoices (``factures_emises``, ``factures_recues``)."""
    return qs.filter(updated_at__lt=limite_archives())


def liste_fiscale(criteres: dict, qs: QuerySet) -> QuerySet:
    """« Liste fiscale »: the invoices of a scoped list sent (deposited) in the period of ``criteres``
    (``ListeFiscaleForm.criteres()``); drafts have no deposit date and never appear."""
    return filtrer(criteres, qs).filter(date_depot__isnull=False)


def historique(facture) -> list:
    """The status history of an invoice, newest first, each entry with its label (« Rejet traité » for the
    supplier's acknowledgement of a rejection)."""
    lignes = list(facture.historique.select_related("acting_user").order_by("-created_at", "-id"))
    for ligne in lignes:
        ligne.libelle = statuts.libelle(ligne.statut)
        if ligne.commentaire == "Rejet traité":
            ligne.libelle = "Rejet traité"
    return lignes


def pieces_televersees(user) -> QuerySet:
    """The files a user sent ahead through the API (``ajouter/fichier``, ``deposer/pdf``): only their own."""
    return PieceJointeTeleversee.objects.filter(utilisateur=user)
