"""OAuth clients and their tokens: creating clients, issuing and checking tokens (the technical accounts are
``organisation.api.comptes``)."""

import secrets
import string
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.utils import timezone

from chorus.api.models import ClientOAuth, JetonAcces, empreinte_jeton

DUREE_JETON = 3600  # seconds: fits the Go client's int16 and Odoo's refresh 240 s early
ALPHABET_SECRET = string.ascii_letters + string.digits + "_-"


def nouveau_secret(longueur: int = 40) -> str:
    """Only ``[A-Za-z0-9_-]``: one client sends the token request body without URL-encoding it."""
    return "".join(secrets.choice(ALPHABET_SECRET) for _ in range(longueur))


def creer_client(*, client_id: str, libelle: str = "", secret: str | None = None) -> tuple[ClientOAuth, str]:
    secret = secret or nouveau_secret()
    client = ClientOAuth.objects.create(client_id=client_id, secret_hache=make_password(secret), libelle=libelle)
    return client, secret


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


def purger_jetons_expires() -> int:
    return JetonAcces.objects.filter(expire_le__lt=timezone.now()).delete()[0]
