"""Creating OAuth clients and technical accounts, issuing and checking tokens."""

import hashlib
import secrets
import string
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from chorus.api.models import ClientOAuth, CompteTechnique, JetonAcces, empreinte_jeton
from organisation import services as org_services
from organisation.enums import Application, Niveau, StatutRattachement
from organisation.models import Rattachement, Utilisateur

DUREE_JETON = 3600  # seconds: fits the Go client's int16 and Odoo's refresh 240 s early
DUREE_MOT_DE_PASSE = timedelta(days=365)
CACHE_VERIFICATION = 300  # seconds
ALPHABET_SECRET = string.ascii_letters + string.digits + "_-"

# The profiles of a technical account on its structure: it issues and follows invoices.
PROFILS_COMPTE_TECHNIQUE = {
    Application.FACTURES_EMISES: Niveau.MODIFICATION,
    Application.FACTURES_RECUES: Niveau.CONSULTATION,
}


def nouveau_secret(longueur: int = 40) -> str:
    """Only ``[A-Za-z0-9_-]``: one client sends the token request body without URL-encoding it."""
    return "".join(secrets.choice(ALPHABET_SECRET) for _ in range(longueur))


def creer_client(*, client_id: str, libelle: str = "", secret: str | None = None) -> tuple[ClientOAuth, str]:
    secret = secret or nouveau_secret()
    client = ClientOAuth.objects.create(client_id=client_id, secret_hache=make_password(secret), libelle=libelle)
    return client, secret


def creer_compte_technique(*, structure, login: str, mot_de_passe: str | None = None, expiration=None):
    """The account and its dedicated user, actively attached to ``structure`` with ``PROFILS_COMPTE_TECHNIQUE``."""
    mot_de_passe = mot_de_passe or nouveau_secret(24)
    with transaction.atomic():
        utilisateur = Utilisateur.objects.create_user(
            email=login, password=None, nom="Compte technique", prenom=structure.raison_sociale[:150]
        )
        utilisateur.set_unusable_password()
        utilisateur.save(update_fields=["password"])
        Rattachement.objects.create(utilisateur=utilisateur, structure=structure, statut=StatutRattachement.ACTIF)
        org_services.definir_profils(utilisateur=utilisateur, structure=structure, profils=PROFILS_COMPTE_TECHNIQUE)
        compte = CompteTechnique.objects.create(
            login=login, mot_de_passe_hache=make_password(mot_de_passe), structure=structure,
            utilisateur=utilisateur, expiration_mot_de_passe=expiration or timezone.now() + DUREE_MOT_DE_PASSE,
        )  # fmt: skip
    return compte, mot_de_passe


def client_authentifie(client_id: str, secret: str) -> ClientOAuth | None:
    client = ClientOAuth.objects.filter(client_id=client_id, actif=True).first()
    if client is None or not check_password(secret, client.secret_hache):
        return None
    return client


def emettre_jeton(client: ClientOAuth) -> str:
    jeton = secrets.token_urlsafe(32)
    JetonAcces.objects.create(
        client=client, empreinte=empreinte_jeton(jeton), expire_le=timezone.now() + timedelta(seconds=DUREE_JETON)
    )
    return jeton


def jeton_valide(jeton: str) -> JetonAcces | None:
    return (
        JetonAcces.objects.select_related("client")
        .filter(empreinte=empreinte_jeton(jeton), expire_le__gt=timezone.now(), client__actif=True)
        .first()
    )


def compte_authentifie(login: str, mot_de_passe: str) -> CompteTechnique | None:
    """Every service call carries the password: a successful check is remembered for a few minutes (keyed by a
    digest of the login, the password and the stored hash, so a new password invalidates it) instead of running
    the slow password hasher on each call."""
    compte = CompteTechnique.objects.select_related("structure", "utilisateur").filter(login=login).first()
    if compte is None:
        return None
    cle = (
        "api:cpro-account:"
        + hashlib.sha256(f"{login}\0{mot_de_passe}\0{compte.mot_de_passe_hache}".encode()).hexdigest()
    )
    if cache.get(cle):
        return compte
    if not check_password(mot_de_passe, compte.mot_de_passe_hache):
        return None
    cache.set(cle, 1, CACHE_VERIFICATION)
    return compte


def purger_jetons_expires() -> int:
    return JetonAcces.objects.filter(expire_le__lt=timezone.now()).delete()[0]
