"""What every service call shares, whatever its domain: the ``codeRetour`` / ``libelle`` answers and refusals, the
typed reads of a JSON body (one conversion per JSON type, used by the serializer fields of ``chorus.api.champs``
and by the ``Corps`` reader), the date formats of each field and the ``parametres`` pagination. The DRF side
(authentication, exception handler, base view) is ``chorus.api.protocole``."""

import json
import math
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import APIException
from rest_framework.response import Response

# codeRetour of the answers (0 = success). Chorus Pro's own numbers are not published for each case: these are
# the portal's, one table (``CODES_RETOUR``) that README.md reproduces and a test compares with it.
CODE_SUCCES = 0
CODE_REQUETE_INVALIDE = 20001
CODE_INTROUVABLE = 20002
CODE_REGLE_METIER = 20003
CODE_DOUBLON = 20004
CODE_NON_AUTHENTIFIE = 401
CODE_INTERDIT = 403
CODE_METHODE_NON_PERMISE = 405
CODE_TROP_VOLUMINEUX = 413
CODE_TROP_DE_REQUETES = 429
CODE_ERREUR_TECHNIQUE = 500

# codeRetour → (HTTP status, meaning): every code an answer may carry.
CODES_RETOUR = {
    CODE_SUCCES: (200, "succès"),
    CODE_REQUETE_INVALIDE: (400, "requête invalide (JSON, type d'un champ, champ obligatoire, valeur inconnue)"),
    CODE_INTROUVABLE: (
        400,
        "objet introuvable ou hors du périmètre du compte technique ; chemin de service inconnu (alors HTTP 404)",
    ),
    CODE_REGLE_METIER: (400, "règle métier (contrôles de la saisie, de l'acheminement, des montants)"),
    CODE_DOUBLON: (400, "doublon : ce fichier ou ce numéro de facture a déjà été déposé par la structure"),
    CODE_NON_AUTHENTIFIE: (401, "jeton ou compte technique absent, inconnu ou erroné"),
    CODE_INTERDIT: (403, "compte technique désactivé, mot de passe expiré ou profil manquant"),
    CODE_METHODE_NON_PERMISE: (405, "méthode HTTP non permise pour ce service"),
    CODE_TROP_VOLUMINEUX: (413, "fichier demandé trop volumineux (telecharger/groupe au-delà de 120 Mo)"),
    CODE_TROP_DE_REQUETES: (429, "trop de requêtes pour ce client OAuth (en-tête Retry-After)"),
    CODE_ERREUR_TECHNIQUE: (500, "erreur inattendue du portail, journalisée"),
}


class ErreurApi(APIException):
    """A refusal answered as ``{"codeRetour": code, "libelle": message}`` with ``status`` (by the exception handler
    of ``chorus.api.protocole``); an ``APIException`` so that DRF lets it through authentication too."""

    def __init__(self, libelle: str, code: int = CODE_REGLE_METIER, status: int = 400, *, reessayer_apres: int = 0):
        super().__init__(libelle)
        self.libelle, self.code, self.status = libelle, code, status
        self.status_code = status
        self.reessayer_apres = reessayer_apres  # seconds, sent as Retry-After (a 429)


def requete_invalide(libelle: str) -> ErreurApi:
    return ErreurApi(libelle, CODE_REQUETE_INVALIDE)


def introuvable(libelle: str) -> ErreurApi:
    return ErreurApi(libelle, CODE_INTROUVABLE)


ENTIER_MAX = 2**63 - 1
MONTANT_MAX = Decimal(10) ** 12

# --- Answers ---------------------------------------------------------------------------------------------------


def succes(libelle: str = "TRA_MSG_00.000", **donnees) -> Response:
    """HTTP 200, ``codeRetour`` 0 (rendered by ``protocole.RenduJson``: amounts, Decimal inside, as JSON numbers)."""
    return Response({"codeRetour": 0, "libelle": libelle, **donnees})


def succes_traitement(**donnees) -> Response:
    """``succes`` of a service that acts on one object (completes, validates, changes its status): the answer's
    fields, then ``dateTraitement``, the day of the action."""
    return succes(**donnees, dateTraitement=jour(timezone.now()))


def erreur(libelle: str, code: int, status: int) -> Response:
    return Response({"codeRetour": code, "libelle": libelle}, status=status)


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


# --- Request: typed reads -------------------------------------------------------------------------------------
# One conversion per JSON type, shared by the serializer fields (``chorus.api.champs``, the validation) and by
# ``Corps`` (the reads with defaults of the validated data). A refusal is the end of a French sentence
# « Le champ « x » … » so that the exception handler can name the field's full path.


class Refus(ValueError):
    """``str(refus)``: « doit être un entier. », « est obligatoire. »…"""


def lire_entier(valeur) -> int:
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
            raise Refus("doit être un entier.")
    if not -ENTIER_MAX <= int(valeur) <= ENTIER_MAX:
        raise Refus("est hors des limites acceptées.")
    return int(valeur)


def lire_texte(valeur, *, obligatoire: bool = False) -> str:
    if isinstance(valeur, int | float) and not isinstance(valeur, bool):
        valeur = str(valeur)
    if not isinstance(valeur, str):
        raise Refus("doit être une chaîne de caractères.")
    if obligatoire and not valeur.strip():
        raise Refus("est obligatoire.")
    return valeur.strip()


def lire_booleen(valeur) -> bool:
    if isinstance(valeur, str) and valeur.lower() in ("true", "false"):
        return valeur.lower() == "true"
    if not isinstance(valeur, bool):
        raise Refus("doit être un booléen.")
    return valeur


def lire_montant(valeur) -> Decimal:
    if isinstance(valeur, Decimal) and valeur.is_finite() and abs(valeur) < MONTANT_MAX:
        return valeur
    if isinstance(valeur, bool | dict | list):
        raise Refus("doit être un nombre.")
    try:
        resultat = Decimal(str(valeur).replace(",", ".").strip())
    except InvalidOperation:
        raise Refus("doit être un nombre.") from None
    if not resultat.is_finite():
        raise Refus("doit être un nombre.")
    if abs(resultat) >= MONTANT_MAX:
        raise Refus("est hors des limites acceptées.")
    return resultat


def lire_date(valeur) -> date | None:
    """``YYYY-MM-DD`` or RFC 3339 (then the day in the portal's time zone)."""
    if isinstance(valeur, date) and not isinstance(valeur, datetime):
        return valeur
    texte = lire_texte(valeur)
    if not texte:
        return None
    try:
        if len(texte) == 10:
            return date.fromisoformat(texte)
        moment = parse_datetime(texte.replace(" ", "T", 1))
    except ValueError:
        moment = None
    if moment is None:
        raise Refus(f"doit être une date (AAAA-MM-JJ ou RFC 3339) : « {texte} ».")
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.date()


def _liste(valeur, type_valeurs: type, refus: str) -> list:
    """A list of ``type_valeurs``; a single one is accepted as a list of one (clients differ)."""
    if isinstance(valeur, type_valeurs):
        valeur = [valeur]
    if not isinstance(valeur, list) or not all(isinstance(v, type_valeurs) for v in valeur):
        raise Refus(refus)
    return valeur


def lire_textes(valeur) -> list[str]:
    return _liste(valeur, str, "doit être une liste de chaînes.")


def lire_entiers(valeur) -> list[int]:
    """A list of integers (a single integer is a list of one)."""
    if not isinstance(valeur, list):
        valeur = [valeur]
    try:
        return [lire_entier(v) for v in valeur]
    except Refus:
        raise Refus("doit être une liste d'entiers.") from None


def lire_objets(valeur) -> list[dict]:
    return _liste(valeur, dict, "doit être une liste d'objets.")


class Corps:
    """Reads of a JSON object with defaults: absent or ``null`` means the default; a value of the wrong JSON type
    is refused (HTTP 400, French libelle). Unknown keys are never looked at. The serializers validate first; this
    reader gives the views the values with their defaults."""

    def __init__(self, donnees: dict, chemin: str = ""):
        self.donnees, self.chemin = donnees, chemin

    def _nom(self, cle: str) -> str:
        return f"{self.chemin}.{cle}" if self.chemin else cle

    def _lire(self, cle: str, lecture, *, requis: bool = False, **options):
        valeur = self.donnees.get(cle)
        if valeur is None:
            if requis:
                raise requete_invalide(f"Le champ « {self._nom(cle)} » est obligatoire.")
            return None
        try:
            return lecture(valeur, **options)
        except Refus as refus:
            raise requete_invalide(f"Le champ « {self._nom(cle)} » {refus}") from None

    def entier(self, cle: str, *, requis: bool = False, defaut: int | None = None) -> int | None:
        valeur = self._lire(cle, lire_entier, requis=requis)
        return defaut if valeur is None else valeur

    def texte(self, cle: str, *, requis: bool = False) -> str:
        return self._lire(cle, lire_texte, requis=requis, obligatoire=requis) or ""

    def booleen(self, cle: str, *, defaut: bool = False) -> bool:
        valeur = self._lire(cle, lire_booleen)
        return defaut if valeur is None else valeur

    def montant(self, cle: str, *, requis: bool = False) -> Decimal | None:
        return self._lire(cle, lire_montant, requis=requis)

    def date(self, cle: str, *, requis: bool = False) -> date | None:
        valeur = self._lire(cle, lire_date, requis=requis)
        if valeur is None and requis:
            raise requete_invalide(f"Le champ « {self._nom(cle)} » est obligatoire.")
        return valeur

    def objet(self, cle: str, *, requis: bool = False) -> "Corps":
        valeur = self.donnees.get(cle)
        if valeur is None:
            if requis:
                raise requete_invalide(f"Le champ « {self._nom(cle)} » est obligatoire.")
            return Corps({}, self._nom(cle))
        if not isinstance(valeur, dict):
            raise requete_invalide(f"Le champ « {self._nom(cle)} » doit être un objet.")
        return Corps(valeur, self._nom(cle))

    def objets(self, cle: str) -> list["Corps"]:
        valeurs = self._lire(cle, lire_objets) or []
        return [Corps(v, f"{self._nom(cle)}[{i}]") for i, v in enumerate(valeurs)]

    def textes(self, cle: str) -> list[str]:
        return self._lire(cle, lire_textes) or []

    def entiers(self, cle: str) -> list[int]:
        return self._lire(cle, lire_entiers) or []


def est_json(content_type: str) -> bool:
    """``application/json`` with or without parameters, any case, any spacing."""
    return content_type.split(";")[0].strip().lower() in ("application/json", "")


def lire_json(content_type: str, brut: bytes) -> dict:
    """The body of a service call: a JSON object (``null`` or nothing: an empty one)."""
    if not est_json(content_type):
        raise requete_invalide("Le corps de la requête doit être du JSON (Content-Type: application/json).")
    if not brut.strip():
        return {}
    try:
        donnees = json.loads(brut.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise requete_invalide("Le corps de la requête n'est pas un JSON valide.") from None
    if donnees is None:
        return {}
    if not isinstance(donnees, dict):
        raise requete_invalide("Le corps de la requête doit être un objet JSON.")
    return donnees


def identifiants(corps: Corps, cle: str, champ: str, *, maximum: int, si_vide: str, si_trop: str) -> list[int]:
    """The ids of a list of objects (``corps[cle]``, each ``{champ: id}``), distinct, in the order sent; a list
    without any, or with more than ``maximum`` (one call, one transaction: a bounded work), is refused with the
    service's own message."""
    ids = [objet.entier(champ, requis=True) for objet in corps.objets(cle)]
    if not ids:
        raise requete_invalide(si_vide)
    if len(ids) > maximum:
        raise requete_invalide(si_trop)
    return list(dict.fromkeys(ids))


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


def envoyes(criteres: dict) -> dict:
    """The lookups of a search whose value the client sent, for ``qs.filter(**envoyes({...}))``: an absent id or
    text reads as None, 0 or "" (``Corps``'s defaults), which filters nothing."""
    return {champ: valeur for champ, valeur in criteres.items() if valeur not in (None, "", 0)}


def page_triee(corps: Corps, cle: str, qs, colonnes: dict, *, par_defaut: str, departage: str, defaut: int = 50):
    """The answer of every « rechercher »: the page of ``qs`` that ``corps[cle]`` asks for (``nbResultatsParPage``,
    ``pageResultatDemandee``), sorted by its ``triColonne`` (a key of ``colonnes``, ``par_defaut`` otherwise) in
    ``triSens``, then by ``departage`` so that pages never overlap: (rows, ``parametresRetour``)."""
    parametres = corps.objet(cle)
    par_page, page = pagination(corps, cle, defaut)
    ordre = colonnes.get(parametres.texte("triColonne"), par_defaut)
    return paginer(qs.order_by(sens(parametres) + ordre, departage), par_page, page)
