"""Every ``<input type=date>`` of the portal receives an ISO value (issue 14 item 6): a localized « 03/12/2026 »
would show an empty field, and a reopened draft would lose its date."""

import datetime
import importlib

import pytest
from django import forms

MODULES = [
    "facturation.forms",
    "organisation.forms",
    "sollicitations.forms",
    "travaux.forms.depot",
    "travaux.forms.recherche",
]


def _champs_date():
    for nom in MODULES:
        module = importlib.import_module(nom)
        classes = {v for v in vars(module).values() if isinstance(v, type) and issubclass(v, forms.BaseForm)}
        for sous_module in getattr(module, "__all__", []):
            valeur = getattr(module, sous_module)
            if isinstance(valeur, type) and issubclass(valeur, forms.BaseForm):
                classes.add(valeur)
        for classe in classes:
            for nom_champ, champ in getattr(classe, "base_fields", {}).items():
                if getattr(champ.widget, "input_type", "") == "date":
                    yield f"{classe.__module__}.{classe.__name__}.{nom_champ}", champ


CHAMPS = list(_champs_date())


def test_les_champs_date_sont_trouves():
    noms = [nom for nom, _ in CHAMPS]
    assert any(nom.endswith("SaisieFactureForm.date_facture") for nom in noms), noms
    assert len(noms) >= 6, noms


@pytest.mark.parametrize(("nom", "champ"), CHAMPS, ids=[nom for nom, _ in CHAMPS])
def test_un_champ_date_affiche_une_date_iso(nom, champ):
    rendu = champ.widget.render("d", datetime.date(2026, 12, 3))
    assert 'value="2026-12-03"' in rendu, (nom, rendu)
