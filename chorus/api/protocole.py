"""The Chorus Pro protocol on Django REST framework, free of any domain: the base view ``ServiceCpro`` of every
``/cpro/…`` endpoint, its authentication (Bearer token of ``chorus.api.models`` + the ``cpro-account`` header,
resolved by the function ``settings.CPRO_RESOLVEUR_COMPTE`` names, a domain application's), the JSON parser and
renderer, the throttling per OAuth client and the one exception handler that answers every refusal with the
``codeRetour`` / ``libelle`` envelope — never an HTML page, never a 500.

An endpoint::

    class Rechercher(ServiceCpro):
        serialiseur = RechercherRequete          # a chorus.api.champs.Requete: validation and OpenAPI schema

        def post(self, request):
            corps = self.corps()                 # the validated body, read with defaults (kit.Corps)
            compte = self.compte                 # what the resolver returned (organisation: CompteTechnique)
            return succes(listeStructures=[...])
"""

import base64
import binascii
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, JsonResponse
from django.utils.module_loading import import_string
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from chorus.api import services
from chorus.api.champs import Vide
from chorus.api.kit import (
    CODE_ERREUR_TECHNIQUE,
    CODE_INTERDIT,
    CODE_INTROUVABLE,
    CODE_METHODE_NON_PERMISE,
    CODE_NON_AUTHENTIFIE,
    CODE_REGLE_METIER,
    CODE_REQUETE_INVALIDE,
    CODE_TROP_DE_REQUETES,
    Corps,
    ErreurApi,
    erreur,
    est_json,
    lire_json,
    requete_invalide,
    succes,
)
from chorus.limitation import Limite, adresse_client
from chorus.securite import journaliser

logger = logging.getLogger(__name__)

# --- The technical account: the domain's resolver, named by the settings ------------------------------------


@functools.cache
def resolveur_compte() -> Callable:
    """``resoudre(login, mot_de_passe)`` returns the technical account (an object with a ``utilisateur``: the
    Django user the views act for) or raises ``ErreurApi`` (unknown, disabled, expired). ``settings`` names it
    (``CPRO_RESOLVEUR_COMPTE``: organisation's), so that the kit imports no domain application and no process but
    the API's imports this module: an ``AppConfig.ready`` registering it would load the Django REST framework stack
    into every Celery worker."""
    return import_string(settings.CPRO_RESOLVEUR_COMPTE)


@dataclass(frozen=True)
class Acces:
    """``request.auth`` of a service call."""

    jeton: object  # chorus.api.models.JetonAcces
    compte: object  # what the resolver returned


class AuthentificationCpro(BaseAuthentication):
    """``Authorization: Bearer <jeton>`` (a token of ``POST /api/oauth/token``) then ``cpro-account:
    base64(login:mot de passe)`` of a technical account. Every refusal says why (401; 403 when the account is
    disabled or its password expired)."""

    def authenticate(self, request):
        jeton = self.jeton(request)
        compte = self.compte(request, client_id=jeton.client.client_id)
        return compte.utilisateur, Acces(jeton=jeton, compte=compte)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'

    @staticmethod
    def jeton(request):
        schema, _, jeton = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if schema.lower() != "bearer" or not jeton.strip():
            raise ErreurApi(
                "Jeton d'accès absent : envoyez l'en-tête « Authorization: Bearer <jeton> ».",
                CODE_NON_AUTHENTIFIE,
                401,
            )
        acces = services.jeton_valide(jeton.strip())
        if acces is None:
            raise ErreurApi(
                "Jeton d'accès invalide ou expiré : demandez-en un nouveau à /api/oauth/token.",
                CODE_NON_AUTHENTIFIE,
                401,
            )
        return acces

    @staticmethod
    def compte(request, *, client_id: str = ""):
        entete = request.META.get("HTTP_CPRO_ACCOUNT", "")
        if not entete:
            raise ErreurApi(
                "En-tête « cpro-account » absent : base64(login:mot de passe) du compte technique.",
                CODE_NON_AUTHENTIFIE,
                401,
            )
        try:
            login, sep, mot_de_passe = base64.b64decode(entete.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            sep = ""
        if not sep:
            raise ErreurApi(
                "En-tête « cpro-account » illisible : attendu base64(login:mot de passe).", CODE_NON_AUTHENTIFIE, 401
            )
        ip = adresse_client(request)
        # Too many refused passwords from this address or for this login (known or not: the answer is the same):
        # refused before the resolver runs the slow password hasher.
        for limite, identifiant in ((LIMITE_COMPTE_IP, ip), (LIMITE_COMPTE_LOGIN, login)):
            if limite.atteinte(identifiant):
                journaliser("api.compte.limite", login=login, ip=ip, client=client_id)
                raise ErreurApi(
                    "Trop de tentatives d'authentification en échec pour ce compte technique ou depuis cette "
                    f"adresse : réessayez dans {limite.duree_minutes} minutes.",
                    CODE_TROP_DE_REQUETES,
                    429,
                    reessayer_apres=limite.duree_minutes * 60,
                )
        try:
            compte = resolveur_compte()(login, mot_de_passe)
        except ErreurApi as exc:
            if exc.status == 401:
                LIMITE_COMPTE_IP.compter(ip)
                LIMITE_COMPTE_LOGIN.compter(login)
            journaliser(
                "api.compte.refuse",
                niveau=logging.WARNING,
                login=login,
                ip=ip,
                client=client_id,
                http=exc.status,
                libelle=exc.libelle,
            )
            raise
        journaliser("api.compte.utilise", login=login, ip=ip, client=client_id, chemin=request.path)
        return compte


# Refused ``cpro-account`` passwords, per client address and per login (the success of a check is cached: only
# failures run the password hasher again and again).
LIMITE_COMPTE_IP = Limite("cpro_account_ip", 30, 15 * 60)
LIMITE_COMPTE_LOGIN = Limite("cpro_account_login", 10, 15 * 60)


class LimiteParClient(SimpleRateThrottle):
    """Requests per OAuth client (all its technical accounts together), rate ``REST_FRAMEWORK
    ["DEFAULT_THROTTLE_RATES"]["client_cpro"]`` (None: unlimited)."""

    scope = "client_cpro"

    def get_cache_key(self, request, view):
        acces = request.auth
        if not isinstance(acces, Acces):
            return None
        return self.cache_format % {"scope": self.scope, "ident": acces.jeton.client_id}


# --- Body and answers -----------------------------------------------------------------------------------------


class ParseurJson(BaseParser):
    """``application/json`` with or without parameters, any case (or no content type): a JSON object."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return lire_json(media_type or "", stream.read())


class RenduJson(JSONRenderer):
    """UTF-8 as is (French libelles), amounts (Decimal inside) as JSON numbers."""

    ensure_ascii = False
    charset = None


class NegociationFixe(BaseContentNegotiation):
    """Whatever ``Accept`` says, the answer is JSON (clients send ``*/*``, ``application/json`` or nothing)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# --- The one exception handler --------------------------------------------------------------------------------


def _premiere_erreur(detail, chemin: str = "") -> tuple[str, str]:
    """The first error of a serializer's ``detail`` and the path of its field (``fournisseur.idFournisseur``,
    ``lignePoste[0].lignePosteQuantite``)."""
    if isinstance(detail, dict):
        for cle, valeur in detail.items():
            sous = chemin if cle in ("non_field_errors", "__all__") else (f"{chemin}.{cle}" if chemin else cle)
            trouve = _premiere_erreur(valeur, sous)
            if trouve[1]:
                return trouve
        return chemin, ""
    if isinstance(detail, list):
        for i, valeur in enumerate(detail):
            if isinstance(valeur, dict | list):
                trouve = _premiere_erreur(valeur, f"{chemin}[{i}]")
            else:
                trouve = (chemin, str(valeur))
            if trouve[1]:
                return trouve
        return chemin, ""
    return chemin, str(detail)


def libelle_validation(detail) -> str:
    """« Le champ « x » doit être un entier. » from a refusal that ends the sentence (lower case first), the
    message as is otherwise (a cross-field rule says its own sentence)."""
    chemin, message = _premiere_erreur(detail)
    if chemin and message[:1].islower():
        return f"Le champ « {chemin} » {message}"
    return message or "La requête est invalide."


def gestionnaire_exceptions(exc, context):
    """Every refusal of a ``/cpro/…`` call as ``{"codeRetour": int, "libelle": "…"}``; an unexpected exception is
    logged and answered 500 with the same envelope (never Django's HTML page)."""
    vue = context.get("view")
    chemin = getattr(context.get("request"), "path", "")
    if isinstance(exc, ErreurApi):
        reponse = erreur(exc.libelle, exc.code, exc.status)
        if exc.reessayer_apres:
            reponse["Retry-After"] = str(exc.reessayer_apres)
        return reponse
    if isinstance(exc, exceptions.ValidationError):
        return erreur(libelle_validation(exc.detail), CODE_REQUETE_INVALIDE, 400)
    if isinstance(exc, exceptions.MethodNotAllowed):
        methode = getattr(vue, "methode", "POST")
        return erreur(
            f"Méthode {context['request'].method} non permise : utilisez {methode}.", CODE_METHODE_NON_PERMISE, 405
        )
    if isinstance(exc, exceptions.Throttled):
        reponse = erreur(
            "Trop de requêtes pour ce client : réessayez dans quelques instants.", CODE_TROP_DE_REQUETES, 429
        )
        if exc.wait:
            reponse["Retry-After"] = str(int(exc.wait) + 1)
        return reponse
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return erreur("Authentification requise (jeton et compte technique).", CODE_NON_AUTHENTIFIE, 401)
    if isinstance(exc, exceptions.PermissionDenied | DjangoPermissionDenied):
        return erreur(str(exc) or "Profil manquant pour cette opération.", CODE_INTERDIT, 403)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return erreur("Ressource introuvable.", CODE_INTROUVABLE, 404)
    if isinstance(exc, DjangoValidationError):
        return erreur(" ".join(exc.messages), CODE_REGLE_METIER, 400)
    if isinstance(exc, DataError | InvalidOperation | OverflowError):
        # Values the database or the arithmetic refuse (out of range): the client's, not a server error.
        logger.warning("Valeur hors limites sur %s", chemin, exc_info=True)
        return erreur("Une valeur de la requête est hors des limites acceptées.", CODE_REQUETE_INVALIDE, 400)
    if isinstance(exc, exceptions.APIException):
        return erreur(str(exc.detail), exc.status_code, exc.status_code)
    logger.exception("Erreur inattendue sur %s", chemin)
    return erreur(
        "Erreur technique du portail : la requête n'a pas pu être traitée, réessayez plus tard.",
        CODE_ERREUR_TECHNIQUE,
        500,
    )


def chemin_inconnu(request, chemin: str = ""):
    """The last URL of the project (``chorus/urls.py``): an unknown ``/cpro/…`` path, whatever the method, answers
    the envelope in JSON (HTTP 404) instead of Django's HTML page — the debug page under ``make run`` too."""
    corps = {
        "codeRetour": CODE_INTROUVABLE,
        "libelle": f"Service inconnu : /cpro/{chemin}. Vérifiez le chemin (/cpro/<domaine>/v1/<service>).",
    }
    return JsonResponse(corps, status=404, json_dumps_params={"ensure_ascii": False})


# --- OpenAPI ----------------------------------------------------------------------------------------------------


class Enveloppe(serializers.Serializer):
    """Every answer: ``codeRetour`` (0: success) and ``libelle``, then the fields of the service on success."""

    codeRetour = serializers.IntegerField(help_text="0 : succès ; un entier non nul : refus")
    libelle = serializers.CharField(help_text="code du message (succès) ou message en français (refus)")


REPONSES = {
    200: OpenApiResponse(Enveloppe, "Succès : codeRetour = 0 et les champs du service"),
    400: OpenApiResponse(Enveloppe, "Refus métier ou requête invalide : codeRetour ≠ 0, libelle en français"),
    401: OpenApiResponse(Enveloppe, "Jeton ou compte technique absent, inconnu ou expiré"),
    403: OpenApiResponse(Enveloppe, "Compte technique désactivé, mot de passe expiré ou profil manquant"),
    429: OpenApiResponse(Enveloppe, "Trop de requêtes pour ce client OAuth"),
}


def documenter(resume: str, requete=None, **options):
    """``extend_schema`` of a service: its summary, its request serializer and the envelope answers; the request
    serializer is also the service's ``serialiseur``, so that the body is validated by the very serializer the
    document describes. A serializer without fields (``champs.Vide``) is documented as a JSON object: drf-spectacular
    would drop the body."""
    options.setdefault("description", resume)
    schema = requete
    if requete is not None and not requete().fields:
        schema = OpenApiTypes.OBJECT
    schema = {"application/json": schema} if schema is not None else None
    decorer = extend_schema(summary=resume, request=schema, responses=REPONSES, **options)

    def documenter_vue(vue):
        if requete is not None:
            vue.serialiseur = requete
        return decorer(vue)

    return documenter_vue


# --- The base views -------------------------------------------------------------------------------------------


class VueCpro(APIView):
    """What every view of the API shares (public ones too: health-check)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [ParseurJson]
    renderer_classes = [RenduJson]
    content_negotiation_class = NegociationFixe
    methode = "POST"

    def get_exception_handler(self):
        return gestionnaire_exceptions

    def handle_exception(self, exc):
        # DRF's own handling (401 → 403 without WWW-Authenticate, re-raise when unhandled) is replaced by the
        # envelope: gestionnaire_exceptions answers everything.
        reponse = gestionnaire_exceptions(exc, self.get_exception_handler_context())
        reponse.exception = True
        return reponse


class ServiceCpro(VueCpro):
    """A ``POST /cpro/<domaine>/v1/<chemin>`` service: authenticated, throttled per client, body validated by
    ``serialiseur`` (a ``chorus.api.champs.Requete``, set by ``documenter``; unknown keys ignored)."""

    authentication_classes = [AuthentificationCpro]
    permission_classes = [IsAuthenticated]
    throttle_classes = [LimiteParClient]
    serialiseur = None

    @property
    def compte(self):
        return self.request.auth.compte

    def donnees(self) -> dict:
        if not est_json(self.request.content_type):  # even without a body (a body is refused by the parser)
            raise requete_invalide("Le corps de la requête doit être du JSON (Content-Type: application/json).")
        donnees = self.request.data
        if not isinstance(donnees, dict):  # no body at all: DRF's empty QueryDict
            donnees = {}
        if self.serialiseur is not None:
            serialiseur = self.serialiseur(data=donnees)
            serialiseur.is_valid(raise_exception=True)
        return donnees

    def corps(self) -> Corps:
        """The body, validated by ``serialiseur``, read with defaults."""
        return Corps(self.donnees())


def service_cpro(resume: str, requete, traiter) -> type[ServiceCpro]:
    """The service whose answer is ``traiter(corps, compte)``: the body validated by ``requete`` and read with
    defaults, and the calling technical account. ``traiter`` stays a plain function of the domain module."""

    class Service(ServiceCpro):
        def post(self, request):
            return traiter(self.corps(), self.compte)

    return documenter(resume, requete)(Service)


def liste_de_reference(resume: str, liste: str, cle: str | tuple, valeurs, requete=Vide) -> type[ServiceCpro]:
    """A reference list service (``transverses/v1/recuperer/…``), the same for every technical account:
    ``{liste: [{cle: valeur}, …]}`` in the order of ``valeurs`` (or, ``cle`` a tuple of keys, an object of those
    keys for each tuple of ``valeurs``); the body (``requete``) is validated, then unused."""
    lignes = [dict(zip(cle, valeur, strict=True)) if isinstance(cle, tuple) else {cle: valeur} for valeur in valeurs]

    class Liste(ServiceCpro):
        def post(self, request):
            self.corps()
            return succes(**{liste: lignes})

    return documenter(resume, requete)(Liste)
