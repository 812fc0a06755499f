"""``organisation.queries.condition_perimetre``: the perimeter rule written once. Its shape (constant identifiers,
index-friendly), its cost (the user's rights read once per request), and that the scoping modules of the
applications keep no perimeter condition of their own."""

import re
from pathlib import Path

import pytest
from django.db.models import BigIntegerField, F, Q, Value
from django.db.models.functions import Cast
from django.db.models.lookups import In
from guardian.shortcuts import assign_perm

from facturation.models import Facture
from organisation import queries
from organisation.enums import Application, Niveau, StatutRattachement, codename
from organisation.models import Rattachement
from tests.factories import ServiceFactory, StructureFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db
RACINE = Path(__file__).resolve().parents[2]
APP = Application.FACTURES_RECUES


@pytest.fixture
def agent():
    """Attached to the whole of one structure, and to one service only of another; the profile on both."""
    user = UtilisateurFactory()
    entiere, partielle = StructureFactory(), StructureFactory()
    service = ServiceFactory(structure=partielle)
    Rattachement.objects.create(utilisateur=user, structure=entiere, statut=StatutRattachement.ACTIF)
    Rattachement.objects.create(utilisateur=user, structure=partielle, service=service, statut=StatutRattachement.ACTIF)
    for structure in (entiere, partielle):
        assign_perm(f"organisation.{codename(APP, Niveau.MODIFICATION)}", user, structure)
    return user, entiere, partielle, service


def _parmi(champ, identifiants):
    """``champ IN (…)`` over ``bigint`` constants (the shape ``btree_gin`` indexes need: see the next test)."""
    return In(F(champ), [Cast(Value(i), BigIntegerField()) for i in sorted(identifiants)])


def test_la_condition_nomme_des_identifiants_constants(agent):
    user, entiere, partielle, service = agent
    assert queries.condition_perimetre(user, APP, structure="destinataire", service="service_destinataire") == Q(
        _parmi("destinataire", [entiere.pk])
    ) | Q(_parmi("destinataire", [partielle.pk]), _parmi("service_destinataire", [service.pk]))
    # At structure level only (a valideur): every structure where the user holds the profile.
    assert queries.condition_perimetre(user, APP, structure="valideur") == Q(
        _parmi("valideur", [entiere.pk, partielle.pk])
    )
    # Nothing: an empty IN, which Django answers without a query.
    assert queries.condition_perimetre(user, Application.FACTURES_EMISES, structure="fournisseur") == Q(pk__in=[])


def test_les_identifiants_sont_des_bigint(agent):
    """The constants are typed as the columns (``bigint``): PostgreSQL 18's ``btree_gin`` has no ``bigint =
    integer`` operator, and the number search's indexes (structure, trigrams) would be read without the structure."""
    user, entiere, partielle, service = agent
    sql = str(Facture.objects.filter(queries.condition_perimetre(user, APP, structure="valideur")).query)
    ids = ", ".join(f"({pk})::bigint" for pk in sorted([entiere.pk, partielle.pk]))
    assert f'"facturation_facture"."valideur_id" IN ({ids})' in sql


def test_les_droits_sont_lus_une_fois_par_utilisateur(agent, django_assert_num_queries):
    """A page asks for its list in consultation, then whether the user may act in modification, maybe for two
    applications: one query on the user's rattachements and profiles for all of it."""
    user = agent[0]
    with django_assert_num_queries(1):
        for application in (APP, Application.FACTURES_EMISES, Application.SOLLICITATIONS_RECUES):
            for niveau in (Niveau.CONSULTATION, Niveau.MODIFICATION):
                queries.condition_perimetre(user, application, niveau, structure="s", service="sv")


# What the old per-application perimeter conditions were made of: the parts of the resolved perimeter turned into
# filters, or a join on the user's rattachements.
MORCEAUX_DE_PERIMETRE = re.compile(
    r"structures_par_service|\bp\.(structures|services)\b|_id__in=sorted\(p|rattachements__"
)


@pytest.mark.parametrize(
    "chemin",
    [
        "facturation/queries.py",
        "facturation/models.py",
        "sollicitations/queries.py",
        "sollicitations/models.py",
        "facturation/api/factures.py",
        "facturation/navigation.py",
        "facturation/tasks.py",
    ],
)
def test_aucune_condition_de_perimetre_ailleurs(chemin):
    """The invoices and sollicitations are scoped by ``condition_perimetre`` only (through the ``emises_par`` /
    ``recues_par`` / ``a_valider_par`` entry points)."""
    texte = (RACINE / chemin).read_text()
    assert not MORCEAUX_DE_PERIMETRE.findall(texte)


def _definitions(fonction: str) -> list[str]:
    """The modules of the kit and of the applications that define ``fonction``, relative to the repository."""
    return [
        p.relative_to(RACINE).as_posix()
        for dossier in ("chorus", "facturation", "organisation", "sollicitations")
        for p in (RACINE / dossier).rglob("*.py")
        if f"def {fonction}(" in p.read_text()
    ]


def test_la_condition_n_est_ecrite_qu_une_fois():
    assert _definitions("condition_perimetre") == ["organisation/queries.py"]


def test_la_pagination_n_est_ecrite_qu_une_fois():
    """Keyset pagination lives in the kit, which imports no application."""
    assert _definitions("page_par_id") == ["chorus/pagination.py"]
    kit = (RACINE / "chorus/pagination.py").read_text()
    assert not re.search(r"^\s*(from|import) (facturation|sollicitations|organisation)\b", kit, re.M)
