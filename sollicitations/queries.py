"""Scoped reads of sollicitations: the one door through which every view, export and e-mail reaches them on behalf
of a user.

The lists start from ``Sollicitation.objects.emises_par`` / ``recues_par`` (the one scoping entry point of each
application, on the model's manager): the user's perimeter is resolved first
(``organisation.queries.perimetre``, one small query on their active rattachements) and the sollicitations are
filtered by constant identifiers, so that the planner walks the index that matches each list's ORDER BY (see the
indexes of ``Sollicitation``)."""

from django.db import models
from django.db.models import OuterRef, Q, QuerySet

from chorus import compteurs
from chorus.criteres import conditions
from organisation import queries as org_queries
from organisation.enums import Application, Niveau, StatutStructure, TypeIdentifiant, TypeStructure
from organisation.models import Service, Structure, Utilisateur
from sollicitations.enums import STATUTS_A_TRAITER, StatutSollicitation
from sollicitations.models import (  # noqa: F401  (est_agent_support: part of this module's API)
    Categorie,
    CompteurSollicitations,
    HistoriqueSollicitation,
    Message,
    PieceJointe,
    Sollicitation,
    SousCategorie,
    est_agent_support,
)

S = StatutSollicitation
RELATIONS = (
    "emetteur",
    "structure_emettrice",
    "service_emetteur",
    "structure_destinataire",
    "service_destinataire",
    "assignee_a",
    "categorie",
    "sous_categorie",
)


def sollicitation_emise(user, pk, niveau: str = Niveau.CONSULTATION):
    """One sollicitation of the user's « Sollicitations émises » with what its page shows; None outside the
    perimeter (the views answer 404)."""
    return Sollicitation.objects.emises_par(user, niveau).select_related(*RELATIONS).filter(pk=pk).first()


def sollicitation_recue(user, pk, niveau: str = Niveau.CONSULTATION):
    return Sollicitation.objects.recues_par(user, niveau).select_related(*RELATIONS).filter(pk=pk).first()


def peut_agir_emetteur(user, sollicitation) -> bool:
    """Whether the user may act as the sender of ``sollicitation``: « Sollicitations émises » in modification on
    its emitting structure (or service). The pages offer the sender's actions, and the services accept them, on
    this one condition."""
    return Sollicitation.objects.emises_par(user, Niveau.MODIFICATION).filter(pk=sollicitation.pk).exists()


def peut_emettre(user) -> bool:
    """Whether the user may send sollicitations (the profile in modification on one of their structures)."""
    return org_queries.a_application(user, Application.SOLLICITATIONS_EMISES, Niveau.MODIFICATION)


def acces_recues(user) -> bool:
    """« Sollicitations reçues » is open to holders of the profile and to the support desk. The desk is a staff
    group (architecture: « Support agents are a staff group »): only a staff account is asked about its groups, so
    that the Domaines page costs no query more for everyone else."""
    return org_queries.a_application(user, Application.SOLLICITATIONS_RECUES) or (
        bool(getattr(user, "is_staff", False)) and est_agent_support(user)
    )


# --- Lists -----------------------------------------------------------------------------------------------------

# What the list tables display, read as plain values (no model instance per row): the sollicitation's own columns
# only. The names of its structures, services, catégories and assignee come from ``noms_des_lignes`` for the page's
# ≤ 51 rows: joined into the list's SQL they made a statement of eight relations, whose planning cost 40–190 ms
# at 10 M invoices on the loaded bench machine against an execution of 0.1–30 ms (BENCHMARKS.md).
COLONNES_LISTE = (
    "pk",
    "numero",
    "date_depot",
    "statut",
    "objet",
    "au_support",
    "structure_emettrice_id",
    "service_emetteur_id",
    "structure_destinataire_id",
    "service_destinataire_id",
    "categorie_id",
    "sous_categorie_id",
    "assignee_a_id",
)


def noms_des_lignes(valeurs) -> dict[str, dict]:
    """The labels the list rows show, for the ids of ``valeurs`` (rows of ``COLONNES_LISTE``): one query per
    model that the page refers to, by primary key (none for a model no row refers to)."""
    ids = {cle: set() for cle in ("structures", "services", "sous_categories", "utilisateurs")}
    for v in valeurs:
        ids["structures"].update((v["structure_emettrice_id"], v["structure_destinataire_id"]))
        ids["services"].update((v["service_emetteur_id"], v["service_destinataire_id"]))
        ids["sous_categories"].add(v["sous_categorie_id"])
        ids["utilisateurs"].add(v["assignee_a_id"])
    lectures = {
        "structures": (Structure, ("identifiant", "raison_sociale")),
        "services": (Service, ("code",)),
        # a sous-catégorie belongs to the sollicitation's catégorie: both labels in one query
        "sous_categories": (SousCategorie, ("libelle", "categorie__libelle")),
        "utilisateurs": (Utilisateur, ("prenom", "nom")),
    }
    noms = {}
    for cle, (modele, champs) in lectures.items():
        voulus = ids[cle] - {None}
        noms[cle] = {v["pk"]: v for v in modele.objects.filter(pk__in=voulus).values("pk", *champs)} if voulus else {}
    return noms


# The status filter of « Rechercher »: a code, or a group of codes.
GROUPES_STATUTS_EMETTEUR = {
    # « En cours » is shown to the sender as « À traiter » (not visible to them): one filter for both.
    S.A_TRAITER: [S.A_TRAITER, S.EN_COURS],
}
GROUPES_STATUTS_RECEPTEUR = {"MES_A_TRAITER": STATUTS_A_TRAITER}


# The criteria of both sides' Rechercher (``forms._RechercheForm``) that narrow by their value: criterion → lookup
# (``chorus.criteres``); the status is the side's own (``filtrer``).
CRITERES = {
    "numero": ("numero__icontains", str.strip),
    "categorie": "categorie",
    "date_du": "date_depot__date__gte",
    "date_au": "date_depot__date__lte",
    "emetteur": ("structure_emettrice_id__in", org_queries.structures_designees),
    "destinataire": ("structure_destinataire_id__in", org_queries.structures_designees),
}


def filtrer(criteres: dict, qs: QuerySet, *, groupes: dict) -> QuerySet:
    """Narrow ``qs`` by the cleaned criteria of a side's Rechercher form: ``CRITERES``, and the status, a code or one
    of the side's ``groupes`` of codes."""
    statut = ("statut__in", lambda code: groupes.get(code, [code]))
    return qs.filter(**conditions(criteres, {**CRITERES, "statut": statut}))


# --- The referential and the routing ---------------------------------------------------------------------------


def categories_actives() -> QuerySet:
    return Categorie.objects.filter(actif=True).order_by("ordre", "libelle", "id")


def sous_categories_actives() -> QuerySet:
    return SousCategorie.objects.filter(actif=True, categorie__actif=True).order_by(
        "categorie__ordre", "ordre", "libelle", "id"
    )


def structure_publique_active(siret: str):
    """The active public structure of the annuaire with this SIRET, or None."""
    return Structure.objects.filter(
        type_identifiant=TypeIdentifiant.SIRET,
        identifiant=siret,
        type_structure=TypeStructure.PUBLIQUE,
        statut=StatutStructure.ACTIVE,
    ).first()


def services_actifs(structure) -> QuerySet:
    return Service.objects.filter(structure=structure, actif=True).order_by("code", "id")


def services_emetteurs(user) -> QuerySet:
    """The services in whose name the user may send: every active service of the structures where they hold the
    profile at structure level, their own services elsewhere."""
    condition = org_queries.condition_perimetre(
        user, Application.SOLLICITATIONS_EMISES, Niveau.MODIFICATION, structure="structure", service="pk"
    )
    return Service.objects.filter(condition, actif=True).select_related("structure").order_by("structure_id", "code")


def _agents(structure, service, niveau: str) -> QuerySet:
    """Active users holding « Sollicitations reçues » on the structure who work on ``service``: attached to the
    whole structure, or to that service."""
    return org_queries.utilisateurs_du_service(structure, service, Application.SOLLICITATIONS_RECUES, niveau)


def agents_support() -> QuerySet:
    return Utilisateur.objects.filter(groups__name=org_queries.GROUPE_SUPPORT, is_active=True).order_by(
        "nom", "prenom", "id"
    )


def agents_assignables(sollicitation) -> QuerySet:
    """The users a sollicitation may be assigned to: the receiving side's users who may treat it."""
    if sollicitation.au_support:
        return agents_support()
    return _agents(sollicitation.structure_destinataire, sollicitation.service_destinataire, Niveau.MODIFICATION)


def destinataires_arrivee(sollicitation) -> QuerySet:
    """Who learns by e-mail that a sollicitation arrived: the support desk, or every user holding « Sollicitations
    reçues » on the structure and its service."""
    if sollicitation.au_support:
        return agents_support()
    return _agents(sollicitation.structure_destinataire, sollicitation.service_destinataire, Niveau.CONSULTATION)


# --- One sollicitation's page ----------------------------------------------------------------------------------


def historique(sollicitation, *, pour_emetteur: bool) -> QuerySet:
    """The history rows to show, newest first: the sender does not see « En cours » (seed 001: « non visible par
    le déposant »)."""
    qs = HistoriqueSollicitation.objects.filter(objet=sollicitation).select_related("acting_user")
    if pour_emetteur:
        qs = qs.exclude(statut=S.EN_COURS)
    return qs.order_by("-created_at", "-id")


def messages(sollicitation) -> QuerySet:
    """The exchanges after the deposit, oldest first; the receiving side's draft is never one of them (it is shown
    in the treatment form only)."""
    return (
        Message.objects.filter(sollicitation=sollicitation, brouillon=False)
        .select_related("auteur")
        .order_by("created_at", "id")
    )


def brouillon(sollicitation):
    return Message.objects.filter(sollicitation=sollicitation, brouillon=True).first()


def pieces_jointes(sollicitation, *, pour_emetteur: bool) -> QuerySet:
    """The attachments; the sender does not see those of the receiving side's draft."""
    qs = PieceJointe.objects.filter(sollicitation=sollicitation).select_related("deposee_par")
    if pour_emetteur:
        qs = qs.exclude(message__brouillon=True)
    return qs.order_by("created_at", "id")


def piece_jointe(sollicitation, piece_pk, *, pour_emetteur: bool):
    return pieces_jointes(sollicitation, pour_emetteur=pour_emetteur).filter(pk=piece_pk).first()


# --- Tableau de bord and Statistiques of « Sollicitations reçues » ---------------------------------------------


def tableau_de_bord_recues(user) -> list[dict]:
    """The user's received sollicitations counted by état, in the order of the statuses: read from the counters the
    database keeps (``CompteurSollicitations.objects.recues_par``, the same perimeter as
    ``Sollicitation.objects.recues_par``), one query reading a handful of rows per état whatever the number of
    sollicitations."""
    comptes = compteurs.sommes(CompteurSollicitations.objects.recues_par(user), "statut")
    return [{"statut": s.value, "libelle": s.label, "nombre": comptes[s.value]} for s in S if comptes.get(s.value)]


def statistiques_recues(user, *, mois: int = 12, maintenant=None) -> list[dict]:
    """Per month of deposit over the last ``mois`` months: sollicitations received, answered (« Résolue » or
    « Clôturée » now), and the mean delay to the first answer or information request of the receiving side (from
    the history). One query, grouped in the database."""
    from datetime import timedelta

    from django.db.models import Avg, Count, F, Min
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    maintenant = maintenant or timezone.now()
    debut = timezone.localtime(maintenant).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(mois - 1):
        debut = (debut - timedelta(days=1)).replace(day=1)
    premiere_reponse = (
        HistoriqueSollicitation.objects.filter(objet=OuterRef("pk"), statut__in=[S.RESOLUE, S.DEMANDE_INFORMATION])
        .values("objet")
        .annotate(premiere=Min("created_at"))
        .values("premiere")
    )
    lignes = (
        Sollicitation.objects.recues_par(user)
        .filter(date_depot__gte=debut)
        .annotate(reponse=models.Subquery(premiere_reponse), mois=TruncMonth("date_depot"))
        .values("mois")
        .annotate(
            recues=Count("id"),
            resolues=Count("id", filter=Q(statut__in=[S.RESOLUE, S.CLOTUREE])),
            repondues=Count("reponse"),
            delai=Avg(F("reponse") - F("date_depot")),
        )
        .order_by("-mois")
    )
    return [
        {**ligne, "delai_heures": round(ligne["delai"].total_seconds() / 3600, 1) if ligne["delai"] else None}
        for ligne in lignes
    ]
