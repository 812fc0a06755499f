from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from chorus import outbox
from chorus.models import OutboxMessage
from organisation.models import Utilisateur
from tests.factories import MOT_DE_PASSE, UtilisateurFactory

pytestmark = pytest.mark.django_db


def _login(client, email, password):
    return client.post(reverse("connexion"), {"username": email, "password": password})


def test_connexion_par_adresse_electronique_insensible_a_la_casse(client):
    user = UtilisateurFactory(email="jeanne.dupont@exemple.fr")
    response = _login(client, "Jeanne.DUPONT@exemple.fr", MOT_DE_PASSE)
    assert response.status_code == 302
    assert response["Location"] == reverse("domaines")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_mot_de_passe_faux_message_francais_et_compteur(client):
    user = UtilisateurFactory()
    response = _login(client, user.email, "mauvais")
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()
    user.refresh_from_db()
    assert user.echecs_connexion == 1
    assert "_auth_user_id" not in client.session


def test_cinq_echecs_bloquent_le_compte_une_heure(client):
    user = UtilisateurFactory()
    for _ in range(4):
        _login(client, user.email, "mauvais")
    user.refresh_from_db()
    assert not user.est_verrouille()

    response = _login(client, user.email, "mauvais")
    user.refresh_from_db()
    assert user.est_verrouille()
    assert timedelta(minutes=59) < user.verrouille_jusqu_au - timezone.now() <= timedelta(hours=1)
    assert "Votre compte est bloqué" in response.content.decode()

    # Even the right password is refused while the account is locked.
    response = _login(client, user.email, MOT_DE_PASSE)
    assert "Votre compte est bloqué" in response.content.decode()
    assert "_auth_user_id" not in client.session

    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        response = _login(client, user.email, MOT_DE_PASSE)
        assert response.status_code == 302
    user.refresh_from_db()
    assert user.echecs_connexion == 0
    assert user.verrouille_jusqu_au is None


def test_succes_remet_le_compteur_a_zero(client):
    user = UtilisateurFactory()
    for _ in range(3):
        _login(client, user.email, "mauvais")
    assert _login(client, user.email, MOT_DE_PASSE).status_code == 302
    user.refresh_from_db()
    assert user.echecs_connexion == 0


def test_echec_sur_adresse_inconnue_ne_cree_rien(client):
    response = _login(client, "personne@exemple.fr", "x")
    assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()
    assert not Utilisateur.objects.exists()


def test_compte_inactif_refuse(client):
    user = UtilisateurFactory(is_active=False)
    response = _login(client, user.email, MOT_DE_PASSE)
    assert response.status_code == 200
    assert "pas encore activé" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # With a wrong password, nothing reveals that the account exists and awaits activation.
    response = _login(client, user.email, "mauvais")
    assert "pas encore activé" not in response.content.decode()


def test_reinitialisation_du_mot_de_passe_par_courriel_debloque_le_compte(client, django_capture_on_commit_callbacks):
    user = UtilisateurFactory(verrouille=True)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("mot_de_passe_oublie"), {"email": user.email.upper()})
    assert response.status_code == 302
    # The e-mail is an outbox row first; running it sends the message.
    message = OutboxMessage.objects.get(kind="chorus.email")
    assert message.payload["to"] == [user.email]
    assert outbox.process(message.pk)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Réinitialisation" in mail.outbox[0].subject
    link = next(line for line in body.splitlines() if "/mot-de-passe/" in line).strip()
    path = link.split("testserver", 1)[1]

    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    nouveau = "Un-nouveau-mot-de-passe-2026"
    response = client.post(form_url, {"new_password1": nouveau, "new_password2": nouveau})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(nouveau)
    assert not user.est_verrouille()
    assert _login(client, user.email, nouveau).status_code == 302


def test_reinitialisation_mots_de_passe_differents_refuses(client):
    user = UtilisateurFactory()
    client.post(reverse("mot_de_passe_oublie"), {"email": user.email})
    message = OutboxMessage.objects.get(kind="chorus.email")
    outbox.process(message.pk)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/mot-de-passe/" in line).strip()
    response = client.get(link.split("testserver", 1)[1], follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "Abcdefgh-2026-x", "new_password2": "Autre-chose-2026"})
    assert response.status_code == 200
    assert "Les deux mots de passe ne correspondent pas." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(MOT_DE_PASSE)


def test_adresse_inconnue_meme_reponse_et_aucun_courriel(client):
    response = client.post(reverse("mot_de_passe_oublie"), {"email": "inconnu@exemple.fr"})
    assert response.status_code == 302
    assert not OutboxMessage.objects.exists()


def test_deconnexion(client):
    user = UtilisateurFactory()
    client.force_login(user)
    response = client.post(reverse("deconnexion"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_mots_de_passe_haches_avec_argon2_hors_tests():
    from chorus.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    # The argon2 library is installed and works (the hasher is usable, not just configured).
    encoded = Argon2PasswordHasher().encode("secret-Chorus-2026", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$")
    assert settings.AUTH_USER_MODEL == "organisation.Utilisateur"


def test_renvoyer_le_courriel_d_activation(client):
    from organisation import services

    user = UtilisateurFactory(is_active=False)
    # Nothing to resend before the right password was typed: the button is not shown, the action sends nothing.
    assert "Renvoyer le courriel d'activation" not in client.get(reverse("connexion")).content.decode().replace(
        "&#x27;", "'"
    )
    client.post(reverse("renvoyer_activation"))
    assert not OutboxMessage.objects.exists()
    _login(client, user.email, "mauvais")
    assert "Renvoyer le courriel d'activation" not in client.get(reverse("connexion")).content.decode().replace(
        "&#x27;", "'"
    )

    response = _login(client, user.email, MOT_DE_PASSE)
    assert "Renvoyer le courriel d'activation" in response.content.decode().replace("&#x27;", "'")
    response = client.post(reverse("renvoyer_activation"), follow=True)
    assert f"Un nouveau courriel d'activation a été envoyé à {user.email}." in response.content.decode().replace(
        "&#x27;", "'"
    )
    message = OutboxMessage.objects.get(kind="chorus.email")
    assert message.payload["to"] == [user.email]
    lien = next(mot for mot in message.payload["body"].split() if "/activer/" in mot)
    assert services.activer_compte(uidb64=lien.rstrip("/").split("/")[-2], token=lien.rstrip("/").split("/")[-1])

    # At most one every 5 minutes, and never for an active account.
    user.is_active = False
    user.save()
    _login(client, user.email, MOT_DE_PASSE)
    response = client.post(reverse("renvoyer_activation"), follow=True)
    assert "patientez quelques minutes" in response.content.decode().replace("&#x27;", "'")
    assert OutboxMessage.objects.count() == 1
