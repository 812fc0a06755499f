"""Scoped reads of the organisation domain: the one door through which every view, export and API endpoint
reaches structures, rattachements, habilitations and approbations on behalf of a user.

Each function is a single SQL query (subqueries on the user's active rattachements and profiles)."""

import functools
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, router
from django.db.models import BigIntegerField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.db.models.lookups import In

from chorus import navigation
from organisation.enums import (
    PROFILS,
    Application,
    Niveau,
    StatutApprobation,
    StatutRaccordement,
    StatutRattachement,
    StatutStructure,
    TypeApprobation,
    TypeIdentifiant,
    TypeStructure,
    codename,
    niveaux_possibles,
)
from organisation.models import (
    Approbation,
    ClientApiStructure,
    CompteTechnique,
    CoordonneesBancaires,
    HistoriqueApprobation,
    HistoriqueClientApi,
    HistoriqueCompteTechnique,
    HistoriqueIdentifiantStructure,
    HistoriqueModificationDifferee,
    HistoriqueRattachement,
    HistoriqueStructure,
    MandatFacturation,
    ModificationDifferee,
    Rattachement,
    Service,
    Structure,
    StructureUserObjectPermission,
    Utilisateur,
)

GROUPE_SUPPORT = "Support"


def codenames_pour(application: str, niveau: str) -> list[str]:
    """Modification implies consultation: asking for consultation accepts either profile."""
    if niveau == Niveau.MODIFICATION:
        return [codename(application, Niveau.MODIFICATION)]
    return [codename(application, Niveau.CONSULTATION), codename(application, Niveau.MODIFICATION)]


def _rattachement_actif(user) -> Exists:
    return Exists(
        Rattachement.objects.filter(structure=OuterRef("pk"), utilisateur=user, statut=StatutRattachement.ACTIF)
    )


def _profil(user, application: str, niveau: str) -> Exists:
    return Exists(
        StructureUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission__codename__in=codenames_pour(application, niveau)
        )
    )


def structures_de(user, application: str | None = None, niveau: str = Niveau.CONSULTATION) -> QuerySet:
    """Structures the user is actively attached to and, if ``application`` is given, holds that profile on."""
    if not getattr(user, "is_authenticated", False):
        return Structure.objects.none()
    qs = Structure.objects.filter(_rattachement_actif(user))
    if application:
        qs = qs.filter(_profil(user, application, niveau))
    return qs


@dataclass(frozen=True)
class Perimetre:
    """Where a user works with an application: ``structures`` where they hold the profile and are attached at
    structure level (they see everything there), ``services`` of structures where they hold the profile but are
    attached to those services only."""

    structures: frozenset = frozenset()
    services: frozenset = frozenset()
    structures_par_service: frozenset = frozenset()

    def __bool__(self):
        return bool(self.structures or self.services)


# No account has this id: the rattachements' query is compiled for it, then run with the user's (see below).
_UTILISATEUR_SENTINELLE = -1


@functools.cache
def _requete_rattachements() -> tuple[str, tuple]:
    """The SQL of ``_rattachements_et_profils`` and its parameters, compiled once per process for a sentinel user:
    building and compiling this ORM query costs ~0.8 ms of CPU, on every page that reads a perimeter, where running
    it costs a tenth of that (BENCHMARKS.md, « The Python cost of a page »). The ORM stays its one definition."""
    utilisateur = Utilisateur(pk=_UTILISATEUR_SENTINELLE)
    profils = StructureUserObjectPermission.objects.filter(content_object=OuterRef("structure"), user=utilisateur)
    return (
        Rattachement.objects.filter(utilisateur=utilisateur, statut=StatutRattachement.ACTIF)
        .annotate(codes=ArraySubquery(profils.values("permission__codename")))
        .values_list("structure_id", "service_id", "codes")
        .query.sql_with_params()
    )


def _rattachements_et_profils(user) -> tuple:
    """The user's active rattachements as (structure id, service id or None, codenames of their profiles on that
    structure): one query, remembered on the user object for the request (as ``a_application``'s profiles), so that
    a page asking for several perimeters — its list in consultation, then whether the user may act in
    modification — reads the user's rights once. Run on the database the router reads ``Rattachement`` from, as
    the queryset would be, with the sentinel of the compiled query replaced by the user's id."""
    if not hasattr(user, "_chorus_rattachements"):
        sql, parametres = _requete_rattachements()
        parametres = [user.pk if p == _UTILISATEUR_SENTINELLE else p for p in parametres]
        with connections[router.db_for_read(Rattachement)].cursor() as curseur:
            curseur.execute(sql, parametres)
            user._chorus_rattachements = tuple(
                (structure_id, service_id, frozenset(codes)) for structure_id, service_id, codes in curseur.fetchall()
            )
    return user._chorus_rattachements


def perimetre(user, application: str, niveau: str = Niveau.CONSULTATION) -> Perimetre:
    """The same rule as ``structures_de`` + ``services_visibles``, read in one small query on the user's active
    rattachements (``_rattachements_et_profils``, once per request) so that the callers filter big tables by
    constant identifiers (the planner then knows which structures it reads: see BENCHMARKS.md)."""
    if not getattr(user, "is_authenticated", False):
        return Perimetre()
    codenames = set(codenames_pour(application, niveau))
    habilitees, au_niveau_structure, services = set(), set(), {}
    for structure_id, service_id, codes in _rattachements_et_profils(user):
        if not codenames.isdisjoint(codes):
            habilitees.add(structure_id)
        if service_id is None:
            au_niveau_structure.add(structure_id)
        else:
            services[service_id] = structure_id
    structures = habilitees & au_niveau_structure
    par_service = {sv: st for sv, st in services.items() if st in habilitees and st not in structures}
    return Perimetre(
        structures=frozenset(structures),
        services=frozenset(par_service),
        structures_par_service=frozenset(par_service.values()),
    )


def couvre(user, application: str, niveau: str = Niveau.CONSULTATION, *, structure, service) -> bool:
    """Whether the user's perimeter covers an object of ``structure`` and ``service`` (None: the structure as a
    whole) — the rule of ``condition_perimetre`` for one object about to be written: attached to the structure,
    any of its services or none; attached to some of its services only, one of those."""
    p = perimetre(user, application, niveau)
    if structure.pk in p.structures:
        return True
    return service is not None and service.structure_id == structure.pk and service.pk in p.services


def structures_entieres(user, application: str, niveau: str = Niveau.CONSULTATION) -> list[int]:
    """The structures the user works with as a whole (attached to the structure itself, holding the profile)."""
    return sorted(perimetre(user, application, niveau).structures)


def structures_du_perimetre(user, application: str, niveau: str = Niveau.CONSULTATION) -> list[int]:
    """Every structure the user works with, as a whole or through some of its services."""
    p = perimetre(user, application, niveau)
    return sorted(p.structures | p.structures_par_service)


def structures_restreintes_aux_services(user, application: str, niveau: str = Niveau.CONSULTATION) -> frozenset[int]:
    """The structures the user works with through some of their services only (``services_du_perimetre``)."""
    return perimetre(user, application, niveau).structures_par_service


def services_du_perimetre(user, application: str, niveau: str = Niveau.CONSULTATION) -> QuerySet:
    """The active services the user works with: all those of a structure they are attached to as a whole, their
    own where they are attached by service only."""
    p = perimetre(user, application, niveau)
    return (
        Service.objects.filter(Q(structure__in=sorted(p.structures)) | Q(pk__in=sorted(p.services)), actif=True)
        .select_related("structure")
        .order_by("structure__raison_sociale", "code", "pk")
    )


def condition_perimetre(
    user, application: str, niveau: str = Niveau.CONSULTATION, *, structure: str, service: str | None = None, avec=None
) -> Q:
    """The one perimeter condition of the lists: the rows of a model whose ``structure`` field (a foreign key to
    ``Structure``, or its id) is a structure where the user holds the application's profile at structure level, or
    whose ``service`` field (a foreign key to ``Service``, or ``pk`` on ``Service`` itself) is one of the services
    they are attached to on a structure where they hold it. Without ``service`` (« Factures à valider »: the
    valideur is a structure) every structure where they hold the profile counts, whatever the level of their
    rattachement. ``avec`` is added to each branch (a partial index's predicate, as ``au_support=False`` for the
    received sollicitations).

    The perimeter is resolved first (``perimetre``) and the condition names constant identifiers: the planner then
    walks the index that matches the page's ORDER BY up to its LIMIT instead of reading and sorting all of a big
    structure's rows (see BENCHMARKS.md). An empty perimeter is ``pk IN ()``: Django answers it without a query."""
    p = perimetre(user, application, niveau)
    avec = avec if avec is not None else Q()
    if service is None:
        toutes = p.structures | p.structures_par_service
        return Q(_parmi(structure, toutes)) & avec if toutes else Q(pk__in=[])
    branches = []
    if p.structures:
        branches.append(Q(_parmi(structure, p.structures)) & avec)
    if p.services:
        branches.append(Q(_parmi(structure, p.structures_par_service), _parmi(service, p.services)) & avec)
    return reduce(or_, branches) if branches else Q(pk__in=[])


def _parmi(champ: str, identifiants) -> In:
    """``champ IN (…)`` over the perimeter's identifiers written as ``bigint`` constants, the type of the columns
    they are compared with: a bare ``32518`` is an ``integer``, and ``bigint = integer`` is an operator the
    ``btree_gin`` indexes do not have (PostgreSQL 18), so the number search's indexes (structure, number trigrams;
    facturation's migration 0017) could not start from the structure and would read every structure's numbers. The
    btree indexes take either type."""
    return In(F(champ), [Cast(Value(identifiant), BigIntegerField()) for identifiant in sorted(identifiants)])


def structures_designees(texte: str) -> list[int]:
    """The structures a search field designates (the start of a SIRET, or part of the raison sociale), resolved
    to ids first — one small query on structures — so that the lists of invoices and sollicitations filter by
    constant identifiers and the planner walks their index in the page's order (see BENCHMARKS.md)."""
    texte = texte.strip()
    condition = Q(raison_sociale__icontains=texte) | Q(identifiant__startswith=texte.replace(" ", ""))
    return list(Structure.objects.filter(condition).values_list("pk", flat=True)[:1000])


def structures_gerees_par(user) -> QuerySet:
    """Structures whose organisation the user may manage (profile « Organisation modification »)."""
    return structures_de(user, Application.ORGANISATION, Niveau.MODIFICATION)


def structures_raccordees_par(user, niveau: str = Niveau.MODIFICATION) -> QuerySet:
    """Structures whose « Raccordements » (technical accounts, API clients, flux, reception mode) the user works
    with at ``niveau``: they hold the profile « Raccordements » there, or they are its gestionnaire (« Organisation
    modification ») and are attached to the whole structure. One query.

    A user attached to some services only never works with them: a technical account, an API client and the flux
    belong to the whole structure, and the API answers a technical account over all its services — credentials made
    by such a user would read the invoices of services it is not attached to (access matrix, ticket 13 item 11)."""
    if not getattr(user, "is_authenticated", False):
        return Structure.objects.none()
    au_niveau_structure = Exists(
        Rattachement.objects.filter(
            structure=OuterRef("pk"), utilisateur=user, statut=StatutRattachement.ACTIF, service__isnull=True
        )
    )
    return Structure.objects.filter(au_niveau_structure).filter(
        _profil(user, Application.RACCORDEMENTS, niveau) | _profil(user, Application.ORGANISATION, Niveau.MODIFICATION)
    )


def comptes_techniques_de(user, niveau: str = Niveau.CONSULTATION) -> QuerySet:
    """The technical accounts of the structures whose raccordements the user works with (one query)."""
    return (
        CompteTechnique.objects.filter(structure__in=structures_raccordees_par(user, niveau))
        .select_related("structure")
        .order_by("structure__raison_sociale", "-actif", "login", "pk")
    )


def clients_api_de(user, niveau: str = Niveau.CONSULTATION) -> QuerySet:
    """The API clients of the structures whose raccordements the user works with (one query)."""
    return (
        ClientApiStructure.objects.filter(structure__in=structures_raccordees_par(user, niveau))
        .select_related("client", "structure", "cree_par")
        .order_by("structure__raison_sociale", "-client__actif", "client__client_id", "pk")
    )


def utilisateurs_raccordements(structure) -> QuerySet:
    """Who is warned about the structure's raccordements: its users attached to the whole structure holding
    « Raccordements » in modification, as ``structures_raccordees_par`` (the gestionnaire principal is added by the
    caller)."""
    return utilisateurs_du_service(structure, None, Application.RACCORDEMENTS, Niveau.MODIFICATION)


def structures_consultables_par(user) -> QuerySet:
    """Structures the user may consult in « Gérer mes structures »: every structure they are actively attached to
    (a simple user reads its page; only « Organisation modification » changes it)."""
    return structures_de(user)


def structures_par_identifiant(identifiant: str) -> QuerySet:
    """Structures whose identifier is, or was before « Modifier mon numéro de SIRET », ``identifiant``: an old
    SIRET still finds its structure (one query: a subquery on the identifiers' history)."""
    identifiant = "".join(identifiant.split())
    anciens = HistoriqueIdentifiantStructure.objects.filter(statut_precedent=identifiant).values("objet_id")
    return Structure.objects.filter(Q(identifiant=identifiant) | Q(pk__in=anciens))


def a_application(user, application: str, niveau: str = Niveau.CONSULTATION) -> bool:
    """Whether the user holds this profile on at least one structure they are actively attached to (the tiles of
    the Domaines page). All the user's profiles are read in one query, remembered on the user object for the
    request: a page asking about ten applications costs one query."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not hasattr(user, "_chorus_profils"):
        actif = Rattachement.objects.filter(
            utilisateur=user, structure=OuterRef("content_object"), statut=StatutRattachement.ACTIF
        )
        user._chorus_profils = frozenset(
            StructureUserObjectPermission.objects.filter(user=user)
            .filter(Exists(actif))
            .values_list("permission__codename", flat=True)
            .distinct()
        )
    return not user._chorus_profils.isdisjoint(codenames_pour(application, niveau))


def a_profil(user, structure, application: str, niveau: str = Niveau.CONSULTATION) -> bool:
    return structures_de(user, application, niveau).filter(pk=structure.pk).exists()


def est_agent_support(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.groups.filter(name=GROUPE_SUPPORT).exists()


def services_visibles(user, structure) -> QuerySet:
    """The services a user works in: all of the structure's unless their rattachements name services."""
    restreints = Rattachement.objects.filter(
        utilisateur=user, structure=structure, statut=StatutRattachement.ACTIF, service__isnull=False
    )
    au_niveau_structure = Rattachement.objects.filter(
        utilisateur=user, structure=structure, statut=StatutRattachement.ACTIF, service__isnull=True
    )
    qs = Service.objects.filter(structure=structure)
    return qs.filter(Q(Exists(au_niveau_structure)) | Q(Exists(restreints.filter(service=OuterRef("pk")))))


def rattachements_de(user) -> QuerySet:
    return (
        Rattachement.objects.filter(utilisateur=user)
        .select_related("structure", "service")
        .order_by("structure__raison_sociale", "service__code", "-created_at")
    )


def applications_ouvertes() -> list[Application]:
    """The applications a profile can be granted for, in Chorus Pro's order: those that exist in the portal
    (registered with ``chorus.navigation``) and « Organisation », the gestionnaire's profile. The one place that
    decides it: default profiles, the profiles' choices and lists follow it (a profile still stored for an application
    that does not exist, « Engagements » or « Raccordements » granted by default before, is hidden: it opens nothing,
    and shows again if that application arrives)."""
    return [a for a in Application if a == Application.ORGANISATION or navigation.application_enregistree(a.value)]


def codenames_ouverts() -> list[str]:
    return [codename(a, niveau) for a in applications_ouvertes() for niveau in niveaux_possibles(a)]


def utilisateurs_avec_profils(structures) -> list[tuple[Rattachement, list[str]]]:
    """The active rattachements of these structures, each with the labels of the user's profiles on its
    structure (two queries, whatever the number of users)."""

    libelles = dict(PROFILS)
    rattachements = list(
        Rattachement.objects.filter(structure__in=structures, statut=StatutRattachement.ACTIF)
        .select_related("utilisateur", "structure", "service")
        .order_by("structure__raison_sociale", "utilisateur__nom", "utilisateur__prenom", "id")
    )
    profils: dict[tuple[int, int], list[str]] = {}
    for user_id, structure_id, code in (
        StructureUserObjectPermission.objects.filter(
            content_object__in={r.structure_id for r in rattachements},
            user__in={r.utilisateur_id for r in rattachements},
            permission__codename__in=codenames_ouverts(),
        )
        .order_by("permission__codename")
        .values_list("user_id", "content_object_id", "permission__codename")
    ):
        profils.setdefault((user_id, structure_id), []).append(libelles.get(code, code))
    return [(r, profils.get((r.utilisateur_id, r.structure_id), [])) for r in rattachements]


def habilitations_de(user) -> QuerySet:
    """The user's profiles on the structures where they are actively attached."""
    return (
        StructureUserObjectPermission.objects.filter(user=user, permission__codename__in=codenames_ouverts())
        .filter(
            Exists(
                Rattachement.objects.filter(
                    utilisateur=user, structure=OuterRef("content_object"), statut=StatutRattachement.ACTIF
                )
            )
        )
        .select_related("content_object", "permission")
        .order_by("content_object__raison_sociale", "permission__codename")
    )


def utilisateurs_de(structure) -> QuerySet:
    return Utilisateur.objects.filter(
        Exists(
            Rattachement.objects.filter(
                utilisateur=OuterRef("pk"), structure=structure, statut=StatutRattachement.ACTIF
            )
        )
    ).order_by("nom", "prenom", "id")


def approbations_a_traiter(user) -> QuerySet:
    """Requests awaiting this user's decision: those of the structures they manage, and for a support agent
    the creation of public structures."""
    if not getattr(user, "is_authenticated", False):
        return Approbation.objects.none()
    gerees = structures_gerees_par(user).values("pk")
    support = Exists(Group.objects.filter(user=user, name=GROUPE_SUPPORT))
    # One query: the support membership is a subquery, not a separate round trip.
    # Requests on a structure that has no GP yet (a public structure pre-created from the INSEE register) go to
    # the support desk, like the creation of a public structure.
    # « Modifier mon numéro de SIRET » is the support's too.
    pour_le_support = Q(type__in=[TypeApprobation.CREATION_STRUCTURE_PUBLIQUE, TypeApprobation.CHANGEMENT_SIRET]) | Q(
        structure__gestionnaire_principal__isnull=True
    )
    condition = (Q(structure__in=gerees) & ~pour_le_support) | (pour_le_support & Q(support))
    return (
        Approbation.objects.filter(condition, statut=StatutApprobation.DEMANDE)
        .select_related("demandeur", "structure", "service")
        .order_by("-created_at", "-id")
    )


def approbation_visible(user, pk):
    """An approbation the user may decide on, or see as its requester; None otherwise (the view answers 404)."""
    return (
        Approbation.objects.filter(pk=pk)
        .filter(Q(pk__in=approbations_a_traiter(user).values("pk")) | Q(demandeur=user))
        .select_related("demandeur", "structure", "service")
        .first()
    )


def annuaire() -> QuerySet:
    """The public directory: public structures that exist on the portal (active or not, as Chorus Pro's)."""
    return Structure.objects.filter(type_structure=TypeStructure.PUBLIQUE).exclude(
        statut__in=[StatutStructure.EN_ATTENTE, StatutStructure.REFUSEE]
    )


# « Saisir facture » lists at most this many recipients: a search that finds more asks for more precise words.
LIMITE_DESTINATAIRES = 20


def rechercher_destinataires(texte: str) -> QuerySet:
    """The recipients the saisie form offers: active public structures of the directory (``annuaire``) whose
    SIRET starts with the digits typed, or whose postal code does, or whose raison sociale contains the words.
    A non-diffusible structure's postal code is not published, so it is not searched either."""
    texte = " ".join((texte or "").split())
    chiffres = texte.replace(" ", "")
    condition = Q(raison_sociale__icontains=texte)
    if chiffres.isascii() and chiffres.isdigit():
        condition = Q(type_identifiant=TypeIdentifiant.SIRET, identifiant__startswith=chiffres)
        if len(chiffres) <= 5:
            condition |= Q(code_postal__startswith=chiffres, non_diffusible=False)
    return (
        annuaire()
        .filter(condition, statut=StatutStructure.ACTIVE)
        .order_by("raison_sociale", "pk")
        .only(
            "pk",
            "identifiant",
            "raison_sociale",
            "code_postal",
            "ville",
            "non_diffusible",
        )[:LIMITE_DESTINATAIRES]
    )


def destinataire_et_services(siret: str):
    """An active public structure of the directory by its SIRET, with its active services (the codes a saisie
    may name): ``(structure, services)``, or ``(None, [])``."""
    structure = (
        annuaire()
        .filter(type_identifiant=TypeIdentifiant.SIRET, identifiant=siret, statut=StatutStructure.ACTIVE)
        .first()
        if siret
        else None
    )
    if structure is None:
        return None, []
    return structure, list(Service.objects.filter(structure=structure, actif=True).order_by("code"))


def coordonnees_bancaires_actives(structure) -> QuerySet:
    return CoordonneesBancaires.objects.filter(structure=structure, active=True).order_by("-created_at")


def mandat_facturation_actif(structure) -> bool:
    return MandatFacturation.objects.filter(structure=structure, actif=True).exists()


def utilisateurs_avec_profil(structure, application: str, niveau: str = Niveau.CONSULTATION) -> QuerySet:
    """Active users attached to the structure who hold the application's profile there (e-mail recipients)."""
    return utilisateurs_de(structure).filter(
        Exists(
            StructureUserObjectPermission.objects.filter(
                user=OuterRef("pk"),
                content_object=structure,
                permission__codename__in=codenames_pour(application, niveau),
            )
        ),
        is_active=True,
    )


def utilisateurs_du_service(structure, service, application: str, niveau: str = Niveau.CONSULTATION) -> QuerySet:
    """The recipients of what concerns ``service`` of the structure (None: the structure itself): active users
    holding the application's profile there, attached to the whole structure or to that service — the rule of
    ``condition_perimetre``, so that a message never tells a user of another service what its pages hide."""
    rattachements = Rattachement.objects.filter(
        utilisateur=OuterRef("pk"), structure=structure, statut=StatutRattachement.ACTIF
    )
    maille = Q(Exists(rattachements.filter(service__isnull=True)))
    if service is not None:
        maille |= Q(Exists(rattachements.filter(service=service)))
    return utilisateurs_avec_profil(structure, application, niveau).filter(maille)


# --- « Historique des actions du gestionnaire » ----------------------------------------------------------------


def _cibles_modifications(structures: list[int]) -> Q:
    """The deferred modifications that change one of these structures: the structure itself (its data, profiles,
    GP transfer), its services, its bank details, its billing mandate."""
    from django.contrib.contenttypes.models import ContentType

    types = ContentType.objects.get_for_models(Structure, Service, CoordonneesBancaires, MandatFacturation)
    condition = Q(objet__content_type=types[Structure], objet__object_id__in=structures)
    for modele in (Service, CoordonneesBancaires, MandatFacturation):
        cibles = modele._default_manager.filter(structure_id__in=structures).values("pk")
        condition |= Q(objet__content_type=types[modele], objet__object_id__in=cibles)
    return condition


def _sources_historique():
    # (rank in the keyset, model, filter on the managed structures, select_related, labels of its statuses)
    return [
        (0, HistoriqueStructure, lambda s: Q(objet_id__in=s), ["objet"], StatutStructure),
        (
            1,
            HistoriqueRattachement,
            lambda s: Q(objet__structure_id__in=s),
            ["objet__utilisateur", "objet__structure", "objet__service"],
            StatutRattachement,
        ),
        (
            2,
            HistoriqueApprobation,
            lambda s: Q(objet__structure_id__in=s),
            ["objet__demandeur", "objet__structure", "objet__service"],
            StatutApprobation,
        ),
        (3, HistoriqueModificationDifferee, _cibles_modifications, ["objet"], ModificationDifferee.Statut),
        # « Raccordements »: technical accounts and API clients created, renewed, revoked.
        (4, HistoriqueCompteTechnique, lambda s: Q(objet__structure_id__in=s), ["objet"], StatutRaccordement),
        (5, HistoriqueClientApi, lambda s: Q(objet__structure_id__in=s), ["objet__client"], StatutRaccordement),
    ]


def _decrire(rang: int, ligne) -> tuple[str, int | None]:
    """(what the action was about, its structure id) for one history row."""
    objet = ligne.objet
    if rang == 0:
        return f"Structure {objet.raison_sociale}", objet.pk
    if rang == 1:
        maille = f"service {objet.service.code}" if objet.service_id else "toute la structure"
        return f"Rattachement de {objet.utilisateur.get_full_name()} ({objet.utilisateur.email}), {maille}", (
            objet.structure_id
        )
    if rang == 2:
        return f"{objet.get_type_display()} de {objet.demandeur.get_full_name()}", objet.structure_id
    if rang == 4:
        return f"Compte technique {objet.login}", objet.structure_id
    if rang == 5:
        return f"Client API {objet.client.client_id}", objet.structure_id
    return objet.description, None


def historique_gestionnaire(
    user, *, structure=None, du=None, au=None, apres: str = "", taille: int = 50
) -> tuple[list[dict], str | None]:
    """« Historique des actions du gestionnaire »: every recorded change on the structures the user manages
    (structure status, rattachements, approbations, deferred modifications, technical accounts and API clients),
    newest first, read from the
    append-only history tables. Keyset pagination across the six tables on (date, table, id): one query per table
    of at most ``taille + 1`` rows, merged here; ``apres`` is the cursor of the next page."""
    from heapq import merge

    gerees = list(structures_gerees_par(user).values_list("pk", flat=True))
    if structure is not None:
        gerees = [pk for pk in gerees if pk == structure.pk]
    if not gerees:
        return [], None
    curseur = _lire_curseur(apres)
    flux = []
    for rang, modele, portee, relations, libelles in _sources_historique():
        qs = modele.objects.filter(portee(gerees)).select_related("acting_user", *relations)
        if du:
            qs = qs.filter(created_at__date__gte=du)
        if au:
            qs = qs.filter(created_at__date__lte=au)
        if curseur:
            date, rang_c, id_c = curseur
            if rang < rang_c:  # at the cursor's date, this table's rows come after the cursor's
                qs = qs.filter(created_at__lte=date)
            elif rang == rang_c:
                qs = qs.filter(Q(created_at__lt=date) | Q(created_at=date, id__lt=id_c))
            else:
                qs = qs.filter(created_at__lt=date)
        rows = list(qs.order_by("-created_at", "-id")[: taille + 1])
        flux.append([((r.created_at, rang, r.id), rang, r, libelles) for r in rows])
    fusion = list(merge(*flux, key=lambda x: x[0], reverse=True))
    page, suite = fusion[:taille], None
    if len(fusion) > taille:
        date, rang, id_ = page[-1][0]
        suite = f"{date.isoformat()}|{rang}|{id_}"
    noms = dict(Structure.objects.filter(pk__in=gerees).values_list("pk", "raison_sociale"))
    structures_des_modifications = _structures_des_modifications([r.objet for _c, rang, r, _l in page if rang == 3])
    lignes = []
    for _cle, rang, r, libelles in page:
        objet, structure_id = _decrire(rang, r)
        if rang == 3:
            structure_id = structures_des_modifications.get(r.objet_id)
        precedent = libelles(r.statut_precedent).label if r.statut_precedent in libelles.values else r.statut_precedent
        nouveau = libelles(r.statut).label if r.statut in libelles.values else r.statut
        lignes.append(
            {
                "date": r.created_at,
                "acteur": r.acting_user.get_full_name() if r.acting_user_id else "Chorus Pro",
                "structure": noms.get(structure_id, ""),
                "objet": objet,
                "action": f"{precedent} → {nouveau}" if precedent and precedent != nouveau else nouveau,
                "motif": r.motif,
                "commentaire": r.commentaire,
            }
        )
    return lignes, suite


def _structures_des_modifications(modifications) -> dict[int, int]:
    """{modification id: structure id} for the page's deferred modifications (one small query per kind of
    target present)."""
    from django.contrib.contenttypes.models import ContentType

    par_type: dict[int, list] = {}
    for m in modifications:
        par_type.setdefault(m.content_type_id, []).append(m)
    resultat = {}
    for type_id, liste in par_type.items():
        modele = ContentType.objects.get_for_id(type_id).model_class()
        if modele is Structure:
            resultat.update({m.pk: m.object_id for m in liste})
        elif any(f.name == "structure" for f in modele._meta.fields):
            structures = dict(
                modele._default_manager.filter(pk__in=[m.object_id for m in liste]).values_list("pk", "structure_id")
            )
            resultat.update({m.pk: structures.get(m.object_id) for m in liste})
    return resultat


def _lire_curseur(apres: str):
    from datetime import datetime

    try:
        date, rang, id_ = apres.split("|")
        return datetime.fromisoformat(date), int(rang), int(id_)
    except (ValueError, TypeError):
        return None
