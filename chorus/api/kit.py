"""What every service call shares: JSON parsing (``application/json`` with or without charset; unknown keys
ignored), typed reads of the request that refuse wrong JSON types with a French message, the ``codeRetour`` /
``libelle`` answers, authentication (Bearer token + ``cpro-account``) and the date formats of each field."""

import base64
import binascii
import functools
import json
import logging
import math
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

# codeRetour of the answers (0 = success). Chorus Pro's own numbers are not published for each case: these are
# the portal's, documented in README.md.
CODE_REQUETE_INVALIDE = 20001
CODE_INTROUVABLE = 20002
CODE_REGLE_METIER = 20003
CODE_DOUBLON = 20004
CODE_NON_AUTHENTIFIE = 401
CODE_INTERDIT = 403


class ErreurApi(Exception):
    """A refusal answered as ``{"codeRetour": code, "libelle": message}`` with ``status``."""

    def __init__(self, libelle: str, code: int = CODE_REGLE_METIER, status: int = 400):
        super().__init__(libelle)
        self.libelle, self.code, self.status = libelle, code, status


def requete_invalide(libelle: str) -> ErreurApi:
    return ErreurApi(libelle, CODE_REQUETE_INVALIDE)


def introuvable(libelle: str) -> ErreurApi:
    return ErreurApi(libelle, CODE_INTROUVABLE)


ENTIER_MAX = 2**63 - 1
MONTANT_MAX = Decimal(10) ** 12

# --- Answers ---------------------------------------------------------------------------------------------------


def _json_default(valeur):
    if isinstance(valeur, Decimal):
        return float(valeur)  # a JSON number (amounts are Decimal inside)
    raise TypeError(type(valeur))


class ReponseJson(JsonResponse):
    def __init__(self, data, status=200):
        super().__init__(
            data, status=status, safe=False, json_dumps_params={"default": _json_default, "ensure_ascii": False}
        )


def succes(libelle: str = "TRA_MSG_00.000", **donnees) -> ReponseJson:
    return ReponseJson({"codeRetour": 0, "libelle": libelle, **donnees})


def erreur(libelle: str, code: int, status: int) -> ReponseJson:
    return ReponseJson({"codeRetour": code, "libelle": libelle}, status=status)


def nombre(valeur) -> float:
    """An amount as a JSON number."""
    return float(valeur or 0)


# --- Dates out -------------------------------------------------------------------------------------------------


def jour(valeur) -> str:
    """``"YYYY-MM-DD"`` (dateFacture, dateDepot…); a datetime is read in the portal's time zone."""
    if valeur is None:
        return ""
    if isinstance(valeur, datetime):
        valeur = timezone.localtime(valeur).date()
    return valeur.isoformat()


def jour_heure(valeur) -> str:
    """``"YYYY-MM-DD HH:MM"`` (histoStatutDatePassage, service dates)."""
    return timezone.localtime(valeur).strftime("%Y-%m-%d %H:%M") if valeur else ""


def rfc3339(valeur) -> str:
    """RFC 3339 with the offset (dateHeureEtatCourant, dateExpirationMotPasseCompteTech…)."""
    return timezone.localtime(valeur).isoformat(timespec="seconds") if valeur else ""


# --- Request ---------------------------------------------------------------------------------------------------

_TYPES = {int: "un entier", str: "une chaîne de caractères", bool: "un booléen", dict: "un objet", list: "une liste"}


class Corps:
    """Typed reads of a JSON object. Absent or ``null`` means the default; a value of the wrong JSON type is
    refused (HTTP 400, French libelle). Unknown keys are never looked at."""

    def __init__(self, donnees: dict, chemin: str = ""):
        self.donnees, self.chemin = donnees, chemin

    def _nom(self, cle: str) -> str:
        return f"{self.chemin}.{cle}" if self.chemin else cle

    def _brut(self, cle: str, *, requis: bool = False):
        valeur = self.donnees.get(cle)
        if valeur is None and requis:
            raise requete_invalide(f"Le champ « {self._nom(cle)} » est obligatoire.")
        return valeur

    def _type(self, cle, valeur, attendu):
        raise requete_invalide(f"Le champ « {self._nom(cle)} » doit être {_TYPES[attendu]}.")

    def entier(self, cle: str, *, requis: bool = False, defaut: int | None = None) -> int | None:
        valeur = self._brut(cle, requis=requis)
        if valeur is None:
            return defaut
        if (
            isinstance(valeur, bool)
            or not isinstance(valeur, int | float)
            or (isinstance(valeur, float) and not math.isfinite(valeur))
            or int(valeur) != valeur
        ):
            # A numeric string is accepted too: some clients serialise ids as strings.
            if isinstance(valeur, str) and valeur.strip().isdigit():
                valeur = int(valeur)
            else:
                self._type(cle, valeur, int)
        if not -ENTIER_MAX <= int(valeur) <= ENTIER_MAX:
            raise requete_invalide(f"Le champ « {self._nom(cle)} » est hors des limites acceptées.")
        return int(valeur)

    def texte(self, cle: str, *, requis: bool = False) -> str:
        valeur = self._brut(cle, requis=requis)
        if valeur is None:
            return ""
        if isinstance(valeur, int | float) and not isinstance(valeur, bool):
            valeur = str(valeur)
        if not isinstance(valeur, str):
            self._type(cle, valeur, str)
        if requis and not valeur.strip():
            raise requete_invalide(f"Le champ « {self._nom(cle)} » est obligatoire.")
        return valeur.strip()

    def booleen(self, cle: str, *, defaut: bool = False) -> bool:
        valeur = self._brut(cle)
        if valeur is None:
            return defaut
        if isinstance(valeur, str) and valeur.lower() in ("true", "false"):
            return valeur.lower() == "true"
        if not isinstance(valeur, bool):
            self._type(cle, valeur, bool)
        return valeur

    def montant(self, cle: str, *, requis: bool = False) -> Decimal | None:
        valeur = self._brut(cle, requis=requis)
        if valeur is None:
            return None
        if isinstance(valeur, bool):
            raise requete_invalide(f"Le champ « {self._nom(cle)} » doit être un nombre.")
        try:
            resultat = Decimal(str(valeur).replace(",", ".").strip())
        except InvalidOperation:
            raise requete_invalide(f"Le champ « {self._nom(cle)} » doit être un nombre.") from None
        if not resultat.is_finite():
            raise requete_invalide(f"Le champ « {self._nom(cle)} » doit être un nombre.")
        if abs(resultat) >= MONTANT_MAX:
            raise requete_invalide(f"Le champ « {self._nom(cle)} » est hors des limites acceptées.")
        return resultat

    def date(self, cle: str, *, requis: bool = False) -> date | None:
        """``YYYY-MM-DD`` or RFC 3339 (then the day in the portal's time zone)."""
        texte = self.texte(cle, requis=requis)
        if not texte:
            return None
        try:
            if len(texte) == 10:
                return date.fromisoformat(texte)
            moment = parse_datetime(texte.replace(" ", "T", 1))
        except ValueError:
            moment = None
        if moment is None:
            raise requete_invalide(
                f"Le champ « {self._nom(cle)} » doit être une date (AAAA-MM-JJ ou RFC 3339) : « {texte} »."
            )
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.date()

    def objet(self, cle: str, *, requis: bool = False) -> "Corps":
        valeur = self._brut(cle, requis=requis)
        if valeur is None:
            return Corps({}, self._nom(cle))
        if not isinstance(valeur, dict):
            self._type(cle, valeur, dict)
        return Corps(valeur, self._nom(cle))

    def objets(self, cle: str) -> list["Corps"]:
        """A list of objects; a single object is accepted as a list of one (clients differ)."""
        valeur = self._brut(cle)
        if valeur is None:
            return []
        if isinstance(valeur, dict):
            valeur = [valeur]
        if not isinstance(valeur, list) or not all(isinstance(v, dict) for v in valeur):
            raise requete_invalide(f"Le champ « {self._nom(cle)} » doit être une liste d'objets.")
        return [Corps(v, f"{self._nom(cle)}[{i}]") for i, v in enumerate(valeur)]

    def textes(self, cle: str) -> list[str]:
        valeur = self._brut(cle)
        if valeur is None:
            return []
        if isinstance(valeur, str):
            valeur = [valeur]
        if not isinstance(valeur, list) or not all(isinstance(v, str) for v in valeur):
            raise requete_invalide(f"Le champ « {self._nom(cle)} » doit être une liste de chaînes.")
        return valeur


def est_json(content_type: str) -> bool:
    """``application/json`` with or without parameters, any case, any spacing."""
    return content_type.split(";")[0].strip().lower() in ("application/json", "")


def lire_corps(request) -> Corps:
    if not est_json(request.META.get("CONTENT_TYPE", "")):
        raise requete_invalide("Le corps de la requête doit être du JSON (Content-Type: application/json).")
    brut = request.body
    if not brut.strip():
        return Corps({})
    try:
        donnees = json.loads(brut.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise requete_invalide("Le corps de la requête n'est pas un JSON valide.") from None
    if donnees is None:
        return Corps({})
    if not isinstance(donnees, dict):
        raise requete_invalide("Le corps de la requête doit être un objet JSON.")
    return Corps(donnees)


# --- Pagination ------------------------------------------------------------------------------------------------

MAX_PAR_PAGE = 10_000


def pagination(corps: Corps, cle: str, defaut: int = 50) -> tuple[int, int]:
    p = corps.objet(cle)
    par_page = p.entier("nbResultatsParPage") or defaut
    page = p.entier("pageResultatDemandee") or 1
    if par_page < 0 or not 0 <= page <= 1_000_000:
        raise requete_invalide("La pagination demandée est invalide.")
    return min(par_page, MAX_PAR_PAGE), page


def paginer(qs, par_page: int, page: int) -> tuple[list, dict]:
    total = qs.count()
    lignes = list(qs[(page - 1) * par_page : page * par_page])
    pages = (total + par_page - 1) // par_page
    return lignes, {"nbResultatsParPage": par_page, "pageCourante": page, "pages": pages, "total": total}


def sens(p: Corps) -> str:
    """``triSens`` and ``triSense`` (both spellings exist): ``"-"`` for Descendant."""
    valeur = (p.texte("triSens") or p.texte("triSense")).lower()
    return "-" if valeur.startswith("desc") else ""


# --- Authentication and the service decorator -----------------------------------------------------------------


def _compte_de(request):
    from chorus.api import services

    autorisation = request.META.get("HTTP_AUTHORIZATION", "")
    schema, _, jeton = autorisation.partition(" ")
    if schema.lower() != "bearer" or not jeton.strip():
        raise ErreurApi(
            "Jeton d'accès absent : envoyez l'en-tête « Authorization: Bearer <jeton> ».", CODE_NON_AUTHENTIFIE, 401
        )
    if services.jeton_valide(jeton.strip()) is None:
        raise ErreurApi(
            "Jeton d'accès invalide ou expiré : demandez-en un nouveau à /api/oauth/token.", CODE_NON_AUTHENTIFIE, 401
        )
    entete = request.META.get("HTTP_CPRO_ACCOUNT", "")
    if not entete:
        raise ErreurApi(
            "En-tête « cpro-account » absent : base64(login:mot de passe) du compte technique.",
            CODE_NON_AUTHENTIFIE, 401,
        )  # fmt: skip
    try:
        login, sep, mot_de_passe = base64.b64decode(entete.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        sep = ""
    if not sep:
        raise ErreurApi(
            "En-tête « cpro-account » illisible : attendu base64(login:mot de passe).", CODE_NON_AUTHENTIFIE, 401
        )
    compte = services.compte_authentifie(login, mot_de_passe)
    if compte is None:
        raise ErreurApi("Compte technique inconnu ou mot de passe erroné.", CODE_NON_AUTHENTIFIE, 401)
    if not compte.actif or not compte.utilisateur.is_active:
        raise ErreurApi("Ce compte technique est désactivé.", CODE_INTERDIT, 403)
    if compte.expiration_mot_de_passe <= timezone.now():
        raise ErreurApi(
            "Le mot de passe de ce compte technique a expiré : renouvelez-le sur le portail.", CODE_INTERDIT, 403
        )
    return compte


def service(methode: str = "POST", *, authentifie: bool = True, lire: bool = True):
    """Wrap ``vue(request, corps, compte)`` returning a response: method, authentication, JSON body, and every
    refusal as JSON (never an HTML page, never a 500 on bad input)."""

    def decorateur(vue):
        @csrf_exempt
        @functools.wraps(vue)
        def enveloppe(request, *args, **kwargs):
            try:
                if request.method != methode:
                    raise ErreurApi(f"Méthode {request.method} non permise : utilisez {methode}.", 405, 405)
                compte = _compte_de(request) if authentifie else None
                corps = lire_corps(request) if lire else Corps({})
                return vue(request, corps, compte, *args, **kwargs)
            except ErreurApi as exc:
                return erreur(exc.libelle, exc.code, exc.status)
            except PermissionDenied as exc:
                return erreur(str(exc) or "Profil manquant pour cette opération.", CODE_INTERDIT, 403)
            except ValidationError as exc:
                return erreur(" ".join(exc.messages), CODE_REGLE_METIER, 400)
            except (DataError, InvalidOperation, OverflowError):
                # Values the database or the arithmetic refuse (out of range): the client's, not a server error.
                logger.warning("Valeur hors limites sur %s", request.path, exc_info=True)
                return erreur("Une valeur de la requête est hors des limites acceptées.", CODE_REQUETE_INVALIDE, 400)

        return enveloppe

    return decorateur
