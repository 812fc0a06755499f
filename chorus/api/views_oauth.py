"""``POST /api/oauth/token``: OAuth2 client credentials (RFC 6749 §4.4), errors in the OAuth2 shape."""

import logging
from urllib.parse import parse_qsl

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from chorus.api import services
from chorus.limitation import Limite, adresse_client
from chorus.securite import journaliser

TYPE_JETON = "Bearer"

# Refused client secrets, per client address and per client id.
LIMITE_JETON_IP = Limite("oauth_ip", 30, 15 * 60)
LIMITE_JETON_CLIENT = Limite("oauth_client", 10, 15 * 60)


def _erreur(code: str, description: str, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"error": code, "error_description": description}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _champs(request) -> dict:
    """Form-encoded as usual; one client sends the same ``k=v&k=v`` text without URL-encoding it, which parses
    the same way since secrets use only ``[A-Za-z0-9_-]``. HTTP Basic carries the client's credentials too."""
    if request.content_type == "multipart/form-data":
        champs = request.POST.dict()
    else:
        try:
            texte = request.body.decode("utf-8")
        except UnicodeDecodeError:
            texte = ""
        champs = dict(parse_qsl(texte.strip(), keep_blank_values=True))
    autorisation = request.META.get("HTTP_AUTHORIZATION", "")
    if autorisation.lower().startswith("basic ") and "client_id" not in champs:
        import base64
        import binascii

        try:
            client_id, _, secret = base64.b64decode(autorisation[6:].strip()).decode("utf-8").partition(":")
            champs.update(client_id=client_id, client_secret=secret)
        except (binascii.Error, UnicodeDecodeError):
            pass
    return champs


@csrf_exempt
def token(request):
    if request.method != "POST":
        return _erreur("invalid_request", "Utilisez la méthode POST.", 405)
    champs = _champs(request)
    if champs.get("grant_type") != "client_credentials":
        return _erreur("unsupported_grant_type", "Seul grant_type=client_credentials est accepté.")
    if not champs.get("client_id") or not champs.get("client_secret"):
        return _erreur("invalid_request", "Les paramètres client_id et client_secret sont obligatoires.")
    client_id, ip = champs["client_id"], adresse_client(request)
    # Too many wrong secrets from this address or for this client id (known or not: the same answer), refused
    # before the slow password hasher runs.
    for limite, identifiant in ((LIMITE_JETON_IP, ip), (LIMITE_JETON_CLIENT, client_id)):
        if limite.atteinte(identifiant):
            journaliser("api.jeton.limite", client=client_id, ip=ip)
            reponse = _erreur(
                "temporarily_unavailable",
                f"Trop de tentatives en échec : réessayez dans {limite.duree_minutes} minutes.",
                429,
            )
            reponse["Retry-After"] = str(limite.duree_minutes * 60)
            return reponse
    client = services.client_authentifie(client_id, champs["client_secret"])
    if client is None:
        LIMITE_JETON_IP.compter(ip)
        LIMITE_JETON_CLIENT.compter(client_id)
        journaliser("api.jeton.refuse", niveau=logging.WARNING, client=client_id, ip=ip)
        return _erreur("invalid_client", "Client inconnu, désactivé ou secret erroné.", 401)
    journaliser("api.jeton.emis", client=client_id, ip=ip)
    scope = champs.get("scope") or "openid"
    reponse = JsonResponse(
        {
            "access_token": services.emettre_jeton(client),
            "token_type": TYPE_JETON,
            "expires_in": services.DUREE_JETON,
            "scope": scope,
        }
    )
    reponse["Cache-Control"] = "no-store"
    return reponse
