"""chorus.filtres.filtrer_par: the filled-in criteria of a search narrow the queryset, the empty ones do not."""

import pytest

from chorus.filtres import filtrer_par
from organisation.models import Structure
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

LOOKUPS = {"raison_sociale": "raison_sociale__icontains", "ville": "ville__icontains"}


def test_criteres_remplis_filtrent_les_vides_non():
    lyon = StructureFactory(raison_sociale="Boulangerie du Rhône", ville="Lyon")
    StructureFactory(raison_sociale="Boulangerie de la Loire", ville="Nantes")
    qs = Structure.objects.filter(raison_sociale__startswith="Boulangerie")

    assert set(filtrer_par(qs, {"raison_sociale": "boulangerie", "ville": "lyon"}, LOOKUPS)) == {lyon}
    assert filtrer_par(qs, {"raison_sociale": "", "ville": None}, LOOKUPS).count() == 2
    # A field the table does not name is not a criterion.
    assert filtrer_par(qs, {"identifiant": "123"}, LOOKUPS).count() == 2
