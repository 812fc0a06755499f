"""Fixtures of the sollicitations tests: the referential of categories, the State's agents (a service-level agent of
DRFIP_IDF, one of another service, a reader), the support desk, and a helper that deposits a sollicitation through
the service layer."""

import importlib

import pytest
from django.apps import apps

from organisation import services as org_services
from organisation.enums import Application, Niveau
from tests.factories import UtilisateurFactory, habiliter
from tests.sollicitations.factories import SollicitationFactory, sous_categorie  # noqa: F401  (re-exported)


@pytest.fixture(autouse=True)
def referentiel(db):
    """The categories the data migration loads (a transactional test elsewhere may have emptied the tables)."""
    importlib.import_module("sollicitations.migrations.0002_categories").charger(apps, None)


def rattacher(user, structure, *, service=None, profils=None):
    return habiliter(user, structure, service=service, profils=profils or org_services.profils_par_defaut())


def agent_du_service(etat, code_service: str, **identite):
    """A new user (``identite``: email, prenom, nom) attached to the State's service ``code_service`` only, with
    every default profile in modification."""
    return rattacher(UtilisateurFactory(**identite), etat, service=etat.services.get(code=code_service))


@pytest.fixture
def agent_drfip(etat):
    return agent_du_service(etat, "DRFIP_IDF", email="agent.drfip@finances.gouv.fr", prenom="Sophie", nom="Durand")


@pytest.fixture
def collegue_drfip(etat):
    return agent_du_service(etat, "DRFIP_IDF", email="collegue.drfip@finances.gouv.fr", prenom="Paul", nom="Collègue")


@pytest.fixture
def agent_autre_service(etat):
    return agent_du_service(etat, "FACTURES_PUBLIQUES", email="agent.fp@finances.gouv.fr", prenom="Luc", nom="Autre")


@pytest.fixture
def lecteur_etat(etat):
    """An agent attached to the whole State with « Sollicitations reçues » in consultation only."""
    user = UtilisateurFactory(email="lecteur@finances.gouv.fr", prenom="Léa", nom="Lectrice")
    return rattacher(user, etat, profils={Application.SOLLICITATIONS_RECUES: Niveau.CONSULTATION})


@pytest.fixture
def agent_support(db):
    return UtilisateurFactory(email="agent@support.chorus-pro.fr", prenom="Marc", nom="Petit", agent_support=True)


def deposer(
    user,
    structure,
    *,
    categorie="FACTURES_EMISES",
    code="SUIVI_TRAITEMENT",
    destinataire=None,
    service="DRFIP_IDF",
    **extra,
):
    """A sollicitation deposited through the service layer (to the State's DRFIP_IDF unless told)."""
    return SollicitationFactory(
        acting_user=user,
        structure_emettrice=structure,
        categorie_code=categorie,
        code=code,
        structure_destinataire=destinataire,
        service=service,
        **extra,
    )
