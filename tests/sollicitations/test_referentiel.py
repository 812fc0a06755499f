"""The categories of the data migration (0002): Chorus Pro's words, each sous-catégorie with its routing, and the
migration's loading idempotent."""

import importlib

import pytest
from django.apps import apps

from sollicitations.enums import Acheminement
from sollicitations.models import Categorie, SousCategorie

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("sollicitations.migrations.0002_categories")


def test_categories_et_acheminements():
    assert list(Categorie.objects.order_by("ordre").values_list("libelle", flat=True)) == [
        "Factures émises",
        "Compte utilisateur / Structure",
        "Raccordement EDI / API",
        "Annuaire / données de référence",
        "Autre",
    ]
    vers_service = set(
        SousCategorie.objects.filter(acheminement=Acheminement.SERVICE_METIER).values_list("libelle", flat=True)
    )
    assert vers_service == {
        "Question pour une entité publique",
        "Suivi du traitement d'une facture",
        "Paiement d'une facture",
        "Rejet d'une facture",
        "Erreur destinataire",
        "Numéro d'engagement ou code service",
    }
    assert not SousCategorie.objects.filter(categorie__code="RACCORDEMENT").exclude(acheminement="SUPPORT").exists()


def test_chargement_idempotent_et_reversible():
    nombre = SousCategorie.objects.count()
    MIGRATION.charger(apps, None)
    assert SousCategorie.objects.count() == nombre
    MIGRATION.retirer(apps, None)
    assert not Categorie.objects.exists() and not SousCategorie.objects.exists()
