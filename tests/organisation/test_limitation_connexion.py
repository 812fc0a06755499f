"""Issue 13, item 9: the login, « Mot de passe oublié » and activation pages are rate limited per client address
and per account, refuse before checking any password beyond the limits, and never tell whether an account exists.
Item 10: a password reset never applies to a technical account. Item 13: these events reach the security log."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from chorus.models import OutboxMessage
from organisation.auth import VerrouillageBackend
from tests import outils
from tests.factories import MOT_DE_PASSE, UtilisateurFactory
from tests.securite import journal  # noqa: F401

pytestmark = pytest.mark.django_db

BLOQUE = "Votre compte est bloqué suite à plusieurs tentatives de connexion infructueuses."
TROP_DE_TENTATIVES = "Trop de tentatives de connexion infructueuses depuis votre adresse."
TROP_DE_DEMANDES = "Trop de demandes depuis votre adresse."


def _login(client, email, password, ip="203.0.113.10"):
    return client.post(reverse("connexion"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def _message_erreur(response) -> str:
    texte = outils.texte(response)
    debut = texte.find("Votre compte est bloqué")
    return texte[debut : texte.find(".", texte.find("Réessayez", debut)) + 1] if debut >= 0 else ""


def test_adresse_inconnue_bloquee_comme_un_compte_meme_message(client):
    """Five failures lock an unknown address exactly as an account: same message, same end time, so that the
    lock-out does not tell whether the account exists."""
    user = UtilisateurFactory(email="existe@exemple.fr")
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(4):
            assert BLOQUE not in outils.texte(_login(client, "inconnu@exemple.fr", "mauvais"))
            assert BLOQUE not in outils.texte(_login(client, user.email, "mauvais"))
        reponse_inconnu = _login(client, "inconnu@exemple.fr", "mauvais")
        reponse_compte = _login(client, user.email, "mauvais")
        assert BLOQUE in outils.texte(reponse_inconnu)
        assert _message_erreur(reponse_inconnu) == _message_erreur(reponse_compte) != ""
        # Still locked on the next attempts, with any password.
        assert _message_erreur(_login(client, "inconnu@exemple.fr", "x")) == _message_erreur(reponse_compte)
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        assert BLOQUE not in outils.texte(_login(client, "inconnu@exemple.fr", "mauvais"))
        assert _login(client, user.email, MOT_DE_PASSE).status_code == 302


def test_compte_bloque_aucun_mot_de_passe_verifie(client):
    """A locked account is refused before the backend runs the (slow) password hasher."""
    user = UtilisateurFactory(verrouille=True)
    with mock.patch.object(VerrouillageBackend, "authenticate", autospec=True) as backend:
        response = _login(client, user.email, MOT_DE_PASSE)
    assert BLOQUE in outils.texte(response)
    backend.assert_not_called()
    assert "_auth_user_id" not in client.session


def test_limite_d_echecs_par_adresse_ip(client, settings):
    settings.CHORUS_LIMITES = {"connexion_ip": (3, 15 * 60)}
    victime = UtilisateurFactory()
    for i in range(3):
        assert TROP_DE_TENTATIVES not in outils.texte(_login(client, f"essai{i}@exemple.fr", "mauvais"))
    with mock.patch.object(VerrouillageBackend, "authenticate", autospec=True) as backend:
        response = _login(client, victime.email, MOT_DE_PASSE)
    assert response.status_code == 200
    assert "Trop de tentatives de connexion infructueuses depuis votre adresse. Réessayez dans 15 minutes." in (
        outils.texte(response)
    )
    backend.assert_not_called()
    assert "_auth_user_id" not in client.session
    # Another client address is not affected; the victim's account itself was not touched.
    assert _login(client, victime.email, MOT_DE_PASSE, ip="198.51.100.20").status_code == 302
    victime.refresh_from_db()
    assert victime.echecs_connexion == 0 and not victime.est_verrouille()


def test_limite_ip_derriere_le_mandataire_de_confiance(client, settings):
    settings.CHORUS_LIMITES = {"connexion_ip": (2, 15 * 60)}
    settings.CHORUS_MANDATAIRES_DE_CONFIANCE = ["10.0.0.0/8"]
    user = UtilisateurFactory()

    def essai(client_ip, password="mauvais"):
        return client.post(
            reverse("connexion"),
            {"username": user.email, "password": password},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=client_ip,
        )

    essai("198.51.100.1")
    essai("198.51.100.1")
    assert TROP_DE_TENTATIVES in outils.texte(essai("198.51.100.1", MOT_DE_PASSE))
    # Behind the same proxy, another client logs in.
    assert essai("198.51.100.2", MOT_DE_PASSE).status_code == 302


def test_mot_de_passe_oublie_limite_par_adresse_meme_reponse(client):
    """At most 3 e-mails an hour to one address; beyond, the same answer and nothing sent — for an unknown
    address as for an account."""
    user = UtilisateurFactory()
    for _ in range(5):
        response = client.post(reverse("mot_de_passe_oublie"), {"email": user.email}, REMOTE_ADDR="203.0.113.1")
        assert response.status_code == 302 and response["Location"] == reverse("mot_de_passe_oublie_envoye")
        response = client.post(reverse("mot_de_passe_oublie"), {"email": "x@exemple.fr"}, REMOTE_ADDR="203.0.113.2")
        assert response.status_code == 302 and response["Location"] == reverse("mot_de_passe_oublie_envoye")
    assert OutboxMessage.objects.filter(kind="chorus.email").count() == 3


def test_mot_de_passe_oublie_limite_par_adresse_ip(client, settings):
    settings.CHORUS_LIMITES = {"mot_de_passe_oublie_ip": (2, 3600)}
    for i in range(2):
        client.post(reverse("mot_de_passe_oublie"), {"email": f"a{i}@exemple.fr"}, REMOTE_ADDR="203.0.113.3")
    user = UtilisateurFactory()
    response = client.post(reverse("mot_de_passe_oublie"), {"email": user.email}, REMOTE_ADDR="203.0.113.3")
    assert response.status_code == 200
    assert "Trop de demandes depuis votre adresse. Réessayez dans 60 minutes." in outils.texte(response)
    assert not OutboxMessage.objects.exists()


def test_mot_de_passe_oublie_jamais_pour_un_compte_technique(client, fournisseur_gp):
    from organisation.api.comptes import creer_compte_technique

    _, structure = fournisseur_gp
    compte, _ = creer_compte_technique(structure=structure, login="tech@exemple.fr", mot_de_passe="Secret-2026-x")
    # Even with a usable password set on its user, no e-mail leaves for a technical account.
    compte.utilisateur.set_password("Un-mot-de-passe-2026")
    compte.utilisateur.save()
    response = client.post(reverse("mot_de_passe_oublie"), {"email": "tech@exemple.fr"})
    assert response.status_code == 302
    assert not OutboxMessage.objects.filter(kind="chorus.email", payload__to=["tech@exemple.fr"]).exists()
    # And a link made for it by any means is refused.
    uid = urlsafe_base64_encode(force_bytes(compte.utilisateur.pk))
    token = default_token_generator.make_token(compte.utilisateur)
    response = client.get(reverse("nouveau_mot_de_passe", args=[uid, token]), follow=True)
    assert "Ce lien de réinitialisation n'est plus valable" in outils.texte(response)
    compte.utilisateur.refresh_from_db()
    assert compte.utilisateur.check_password("Un-mot-de-passe-2026")


def test_renvoyer_activation_limite_par_adresse_ip(client, settings):
    settings.CHORUS_LIMITES = {"activation_ip": (1, 3600)}
    client.post(reverse("renvoyer_activation"), REMOTE_ADDR="203.0.113.4")
    user = UtilisateurFactory(is_active=False)
    _login(client, user.email, MOT_DE_PASSE, ip="203.0.113.4")
    response = client.post(reverse("renvoyer_activation"), REMOTE_ADDR="203.0.113.4", follow=True)
    assert "Trop de demandes depuis votre adresse. Réessayez dans 60 minutes." in outils.texte(response)
    assert not OutboxMessage.objects.exists()


def test_journal_de_securite_connexions(client, journal):  # noqa: F811
    user = UtilisateurFactory()
    for _ in range(5):
        _login(client, user.email, "Mauvais-secret-1")
    _login(client, "inconnu@exemple.fr", "Mauvais-secret-1")
    client.post(reverse("connexion"), {"username": user.email, "password": MOT_DE_PASSE}, REMOTE_ADDR="198.51.100.9")
    evenements = journal()
    noms = [nom for nom, _ in evenements]
    assert noms.count("connexion.echec") == 6
    assert ("connexion.echec", {"email": "inconnu@exemple.fr", "ip": "203.0.113.10"}) in evenements
    verrouillage = next(champs for nom, champs in evenements if nom == "connexion.verrouillage")
    assert verrouillage["utilisateur"] == user.pk and verrouillage["ip"] == "203.0.113.10"
    assert "connexion.reussie" not in noms  # locked: the right password was refused
    user.refresh_from_db()
    user.verrouille_jusqu_au = None
    user.save()
    client.post(reverse("connexion"), {"username": user.email, "password": MOT_DE_PASSE}, REMOTE_ADDR="198.51.100.9")
    client.post(reverse("deconnexion"))
    evenements = journal()
    assert ("connexion.reussie", {"utilisateur": user.pk, "email": user.email, "ip": "198.51.100.9"}) in evenements
    assert "deconnexion" in [nom for nom, _ in evenements]
    # Never a password in the log.
    assert "Mauvais-secret-1" not in repr(evenements) and MOT_DE_PASSE not in repr(evenements)


def test_creer_un_compte_limite_par_adresse_ip(client, settings):
    from organisation.models import Structure, Utilisateur
    from tests.organisation.test_comptes_rattachements_habilitations import _compte

    settings.CHORUS_LIMITES = {"activation_ip": (1, 3600)}
    assert client.post(reverse("creer_compte"), _compte(), REMOTE_ADDR="203.0.113.5").status_code == 302
    donnees = _compte(email="second@exemple.fr", siret="44306184100047")
    response = client.post(reverse("creer_compte"), donnees, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 200
    assert TROP_DE_DEMANDES in outils.texte(response)
    assert not Utilisateur.objects.filter(email="second@exemple.fr").exists()
    assert Structure.objects.count() == 1
    assert client.post(reverse("creer_compte"), donnees, REMOTE_ADDR="203.0.113.6").status_code == 302
