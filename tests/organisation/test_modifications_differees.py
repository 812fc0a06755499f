import html
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chorus import outbox
from chorus.models import OutboxMessage
from organisation import services
from organisation.models import HistoriqueModificationDifferee, ModificationDifferee
from organisation.tasks import appliquer_modifications_differees
from tests.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db


def test_modifier_mon_compte_prend_effet_30_minutes_plus_tard(client):
    user = UtilisateurFactory(prenom="Anne", nom="Leroy", telephone="")
    client.force_login(user)
    depart = timezone.now()

    response = client.post(reverse("mon_compte"), {"prenom": "Anne", "nom": "Leroy-Martin", "telephone": "0601020304"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.nom == "Leroy"  # nothing changes at once

    modification = ModificationDifferee.objects.get()
    assert modification.changements == {"nom": "Leroy-Martin", "telephone": "0601020304"}
    assert timedelta(minutes=29, seconds=59) < modification.effective_at - depart < timedelta(minutes=31)
    page = client.get(reverse("mon_compte")).content.decode()
    assert "Modifications en attente" in page
    assert timezone.localtime(modification.effective_at).strftime("%d/%m/%Y à %H:%M") in page

    # Before the delay the sweep applies nothing.
    with time_machine.travel(depart + timedelta(minutes=29)):
        assert services.appliquer_modifications_dues() == 0
    with time_machine.travel(depart + timedelta(minutes=31)):
        assert appliquer_modifications_differees() == 1
        # Running again (another worker, a second beat) changes nothing.
        assert services.appliquer_modifications_dues() == 0

    user.refresh_from_db()
    assert (user.nom, user.telephone) == ("Leroy-Martin", "0601020304")
    modification.refresh_from_db()
    assert modification.statut == ModificationDifferee.Statut.APPLIQUEE
    historique = list(HistoriqueModificationDifferee.objects.filter(objet=modification).order_by("created_at", "id"))
    assert [(h.statut_precedent, h.statut) for h in historique] == [("", "EN_ATTENTE"), ("EN_ATTENTE", "APPLIQUEE")]
    assert historique[0].acting_user == user and historique[1].acting_user is None
    assert HistoriqueModificationDifferee.chaine_intacte(modification)

    message = OutboxMessage.objects.get(kind="chorus.email")
    outbox.process(message.pk)
    assert mail.outbox[-1].to == [user.email]
    assert "a pris effet" in mail.outbox[-1].subject


def test_modifications_appliquees_dans_l_ordre():
    user = UtilisateurFactory(nom="A")
    depart = timezone.now()
    with time_machine.travel(depart):
        services.demander_modification(objet=user, changements={"nom": "B"}, demandeur=user, description="1")
    with time_machine.travel(depart + timedelta(minutes=1)):
        services.demander_modification(objet=user, changements={"nom": "C"}, demandeur=user, description="2")
    with time_machine.travel(depart + timedelta(hours=1)):
        assert services.appliquer_modifications_dues() == 2
    user.refresh_from_db()
    assert user.nom == "C"


def test_balayage_prend_les_lignes_avec_skip_locked():
    user = UtilisateurFactory()
    services.demander_modification(objet=user, changements={"nom": "X"}, demandeur=user, description="d")
    with time_machine.travel(timezone.now() + timedelta(hours=1)), CaptureQueriesContext(connection) as ctx:
        services.appliquer_modifications_dues()
    assert any("FOR UPDATE SKIP LOCKED" in q["sql"] for q in ctx.captured_queries)


def test_annuler_une_modification_en_attente(client):
    user = UtilisateurFactory(nom="Avant")
    client.force_login(user)
    client.post(reverse("mon_compte"), {"prenom": user.prenom, "nom": "Après", "telephone": user.telephone})
    modification = ModificationDifferee.objects.get()
    response = client.post(reverse("annuler_modification", args=[modification.pk]))
    assert response.status_code == 302
    modification.refresh_from_db()
    assert modification.statut == ModificationDifferee.Statut.ANNULEE
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert services.appliquer_modifications_dues() == 0
    user.refresh_from_db()
    assert user.nom == "Avant"
    # Cancelling twice is refused with a French message, nothing changes.
    response = client.post(reverse("annuler_modification", args=[modification.pk]), follow=True)
    assert "n'est pas autorisé" in html.unescape(response.content.decode())


def test_un_autre_utilisateur_ne_peut_pas_annuler_ma_modification(client):
    user = UtilisateurFactory()
    modification = services.demander_modification(
        objet=user, changements={"nom": "Nouveau"}, demandeur=user, description="d"
    )
    client.force_login(UtilisateurFactory())
    response = client.post(reverse("annuler_modification", args=[modification.pk]))
    assert response.status_code == 404
    modification.refresh_from_db()
    assert modification.statut == ModificationDifferee.Statut.EN_ATTENTE


def test_telephone_invalide_message_francais_et_rien_n_est_ecrit(client):
    user = UtilisateurFactory()
    client.force_login(user)
    response = client.post(reverse("mon_compte"), {"prenom": "P", "nom": "N", "telephone": "appelez-moi"})
    assert response.status_code == 200
    assert "Saisissez un numéro de téléphone valide" in response.content.decode()
    assert not ModificationDifferee.objects.exists()


def test_sans_changement_aucune_demande(client):
    user = UtilisateurFactory()
    client.force_login(user)
    response = client.post(reverse("mon_compte"), {"prenom": user.prenom, "nom": user.nom, "telephone": user.telephone})
    assert response.status_code == 200
    assert "Aucune modification à enregistrer." in response.content.decode()
    assert not ModificationDifferee.objects.exists()


def test_champ_non_differable_refuse():
    user = UtilisateurFactory()
    with pytest.raises(Exception, match="ne peuvent pas être modifiés"):
        services.demander_modification(objet=user, changements={"is_staff": True}, demandeur=user, description="d")
    assert not ModificationDifferee.objects.exists()


def test_cible_disparue_modification_en_echec_avec_motif():
    # The support desk may change another user's identity (tests/organisation/test_consentement.py).
    user = UtilisateurFactory(agent_support=True)
    victime = UtilisateurFactory()
    modification = services.demander_modification(
        objet=victime, changements={"nom": "Z"}, demandeur=user, description="d"
    )
    victime.delete()
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert services.appliquer_modifications_dues() == 0
    modification.refresh_from_db()
    assert modification.statut == ModificationDifferee.Statut.ECHEC
    assert "n'a pas pu être appliquée" in modification.historique.first().motif


def test_mon_compte_exige_une_connexion(client):
    response = client.get(reverse("mon_compte"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("connexion"))
