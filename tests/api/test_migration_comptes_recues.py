"""The data migration that gives the technical accounts created before « Factures reçues » in modification (they
process received invoices with ``traiter/recue``): only technical accounts move, a person keeps their profile."""

import importlib
import pkgutil

import pytest
from django.apps import apps

import organisation.migrations
from organisation import services as org_services
from organisation.api import comptes
from tests.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db


def _migration():
    (nom,) = [
        m.name
        for m in pkgutil.iter_modules(organisation.migrations.__path__)
        if m.name.endswith("_apir_comptes_techniques_recues")
    ]
    return importlib.import_module(f"organisation.migrations.{nom}")


def test_comptes_techniques_d_hier_passent_en_modification(etat):
    compte, _ = comptes.creer_compte_technique(structure=etat, login="TECH_hier@cpro.fr")
    anciens = {"FACTURES_EMISES": "modification", "FACTURES_RECUES": "consultation"}  # yesterday's profiles
    org_services.definir_profils(utilisateur=compte.utilisateur, structure=etat, profils=anciens)
    agent = UtilisateurFactory()
    org_services.definir_profils(utilisateur=agent, structure=etat, profils={"FACTURES_RECUES": "consultation"})

    _migration().factures_recues_en_modification(apps, None)

    profils = org_services.profils_de(utilisateur=compte.utilisateur, structure=etat)
    assert (profils["FACTURES_EMISES"], profils["FACTURES_RECUES"]) == ("modification", "modification")
    assert org_services.profils_de(utilisateur=agent, structure=etat) == {"FACTURES_RECUES": "consultation"}
