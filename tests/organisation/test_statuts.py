"""``organisation.statuts``: the badge of each rattachement's status on « Mes rattachements »."""

import re

from django.urls import reverse

from organisation.enums import StatutRattachement
from organisation.models import Rattachement
from organisation.statuts import badge_rattachement
from tests.factories import StructureFactory, UtilisateurFactory


def test_badge_de_chaque_statut():
    assert badge_rattachement(StatutRattachement.ACTIF) == "fr-badge--success"
    assert badge_rattachement(StatutRattachement.EN_ATTENTE) == "fr-badge--info"
    assert badge_rattachement(StatutRattachement.REFUSE) == "fr-badge--error"
    assert badge_rattachement(StatutRattachement.INACTIF) == "fr-badge--error"


def test_mes_rattachements_affiche_le_badge_de_chaque_statut(client, db):
    user = UtilisateurFactory()
    for i, statut in enumerate(StatutRattachement):
        Rattachement.objects.create(
            utilisateur=user, structure=StructureFactory(raison_sociale=f"Structure {i}"), statut=statut
        )
    client.force_login(user)
    texte = client.get(reverse("mes_rattachements")).content.decode()
    badges = dict(
        (libelle, classe)
        for classe, libelle in re.findall(r'<span class="fr-badge fr-badge--sm ([\w-]+)">([^<]+)</span>', texte)
    )
    assert badges == {
        "Actif": "fr-badge--success",
        "En attente d&#x27;approbation": "fr-badge--info",
        "Invitation à accepter": "fr-badge--new",
        "Refusé": "fr-badge--error",
        "Détaché": "fr-badge--error",
    }
