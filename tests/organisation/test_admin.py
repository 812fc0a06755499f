"""The administration reads the rows only the services write (requests, approbations, deferred changes and their
history, outbox messages): every field read-only, no « Ajouter »."""

import pytest
from django.urls import reverse

from chorus.models import OutboxMessage
from organisation import services
from tests.factories import StructureFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db


def _sans_champ_modifiable(page, *noms) -> bool:
    contenu = page.content.decode()
    return all(f'name="{nom}"' not in contenu for nom in noms)


def test_demandes_et_modifications_en_lecture_seule(client):
    utilisateur = UtilisateurFactory()
    approbation = services.demander_rattachement(
        utilisateur=utilisateur, structure=StructureFactory(), commentaire="Je rejoins la comptabilité."
    )
    modification = services.demander_modification(
        objet=utilisateur, changements={"nom": "Nouveau"}, demandeur=utilisateur, description="Nom"
    )
    client.force_login(UtilisateurFactory(is_staff=True, is_superuser=True))

    fiche = client.get(reverse("admin:organisation_approbation_change", args=[approbation.pk]))
    assert fiche.status_code == 200 and "Je rejoins la comptabilité." in fiche.content.decode()
    assert _sans_champ_modifiable(fiche, "commentaire", "statut", "demandeur")
    fiche = client.get(reverse("admin:organisation_rattachement_change", args=[approbation.rattachement_id]))
    assert fiche.status_code == 200 and _sans_champ_modifiable(fiche, "statut", "commentaire", "utilisateur")
    fiche = client.get(reverse("admin:organisation_modificationdifferee_change", args=[modification.pk]))
    assert fiche.status_code == 200 and _sans_champ_modifiable(fiche, "description", "statut")
    # Its history is shown under it, read-only, and no row can be added to it there.
    assert "EN_ATTENTE" in fiche.content.decode()  # the history row's raw status (the change shows its label)
    assert _sans_champ_modifiable(fiche, "historique-0-statut", "historique-0-empreinte")
    assert "add-row" not in fiche.content.decode()
    for modele in ("approbation", "rattachement", "modificationdifferee"):
        assert client.get(reverse(f"admin:organisation_{modele}_add")).status_code == 403


def test_messages_de_la_boite_d_envoi_en_lecture_seule(client):
    message = OutboxMessage.objects.create(kind="test.admin", payload={})
    client.force_login(UtilisateurFactory(is_staff=True, is_superuser=True))
    fiche = client.get(reverse("admin:chorus_outboxmessage_change", args=[message.pk]))
    assert fiche.status_code == 200 and "test.admin" in fiche.content.decode()
    assert _sans_champ_modifiable(fiche, "kind", "statut", "tentatives")
    assert client.get(reverse("admin:chorus_outboxmessage_add")).status_code == 403
