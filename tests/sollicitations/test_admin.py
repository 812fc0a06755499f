"""The administration edits the referential of categories; sollicitations are read there, never changed."""

import pytest
from django.urls import reverse

from tests.factories import UtilisateurFactory
from tests.sollicitations.conftest import deposer

pytestmark = pytest.mark.django_db


def test_referentiel_modifiable_sollicitations_en_lecture(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    s = deposer(gp, structure, destinataire=etat)
    client.force_login(UtilisateurFactory(is_staff=True, is_superuser=True))
    liste = client.get(reverse("admin:sollicitations_categorie_changelist"))
    assert liste.status_code == 200 and "Factures émises" in liste.content.decode()
    assert client.get(reverse("admin:sollicitations_souscategorie_changelist")).status_code == 200
    fiche = client.get(reverse("admin:sollicitations_sollicitation_change", args=[s.pk]))
    assert fiche.status_code == 200 and 'name="_save"' not in fiche.content.decode()
    assert client.get(reverse("admin:sollicitations_sollicitation_add")).status_code == 403
