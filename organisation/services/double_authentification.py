"""The second factor (issue 13 item 8): a TOTP application and ten single-use recovery codes (« Codes de secours »),
django-otp's ``otp_totp`` and ``otp_static`` devices.

The account's state (``Utilisateur.double_authentification``) changes only through ``DOUBLE_AUTHENTIFICATION``
(the transition engine: row lock, history ``HistoriqueDoubleAuthentification``), in the same transaction as its
devices. Each event goes to the security log (``chorus.securite``) with no code and no secret.

Wrong codes are limited per account with ``chorus.limitation`` (``LIMITE_CODES``), as passwords are: beyond the
limit no code is checked until the window ends. A TOTP code is accepted once (django-otp keeps the last time step
used), a recovery code once (it is deleted when used).
"""

import re
import time
from base64 import b32encode
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from chorus.limitation import Limite
from chorus.messagerie import notifier
from chorus.securite import journaliser, journaliser_apres_commit
from chorus.workflow import Transition, TransitionInterdite, Workflow
from organisation import queries
from organisation.enums import StatutDoubleAuthentification
from organisation.models import HistoriqueDoubleAuthentification, Structure, Utilisateur

ACTIVE = StatutDoubleAuthentification.ACTIVE
INACTIVE = StatutDoubleAuthentification.INACTIVE
REINITIALISEE = StatutDoubleAuthentification.REINITIALISEE
ROLE_UTILISATEUR = "UTILISATEUR"
ROLE_SUPPORT = "SUPPORT"


def _prevenir(*, objet, entree) -> None:
    """Each change is told to the account's owner (« Mes messages » and e-mail, after commit): a change they did not
    make — someone else's session, a reset obtained from the support by deceit — does not go unnoticed."""
    if entree.statut == REINITIALISEE:
        sujet = "Votre double authentification a été réinitialisée par le support"
        corps = (
            "Le support de Chorus Pro a réinitialisé la double authentification de votre compte. Activez-la à nouveau "
            "depuis « Mon compte » › « Double authentification ». Si vous n'avez rien demandé, contactez le support."
        )
    elif entree.statut_precedent == ACTIVE and entree.statut == ACTIVE:
        sujet = "Vos codes de secours ont été renouvelés"
        corps = "De nouveaux codes de secours ont été générés pour votre compte ; les précédents ne sont plus valables."
    elif entree.statut == ACTIVE:
        sujet = "La double authentification de votre compte est activée"
        corps = "Un code de vérification vous sera demandé à chaque connexion, après votre mot de passe."
    else:
        sujet = "La double authentification de votre compte est désactivée"
        corps = "Votre mot de passe suffit désormais pour vous connecter."
    if entree.statut != REINITIALISEE:
        corps += (
            " Si vous n'êtes pas à l'origine de ce changement, modifiez votre mot de passe et contactez le support."
        )
    notifier([objet], evenement="ORGANISATION_DOUBLE_AUTHENTIFICATION", sujet=sujet, corps=corps)


DOUBLE_AUTHENTIFICATION = Workflow(
    transitions=[
        Transition(INACTIVE, ACTIVE, roles={ROLE_UTILISATEUR}),
        Transition(REINITIALISEE, ACTIVE, roles={ROLE_UTILISATEUR}),
        # ACTIVE → ACTIVE: new recovery codes (the history keeps the regeneration).
        Transition(ACTIVE, ACTIVE, roles={ROLE_UTILISATEUR}),
        Transition(ACTIVE, INACTIVE, roles={ROLE_UTILISATEUR}),
        # The support desk resets the second factor of a user who lost it, saying why.
        Transition(ACTIVE, REINITIALISEE, roles={ROLE_SUPPORT}, motif_obligatoire=True),
    ],
    historique=HistoriqueDoubleAuthentification,
    champ="double_authentification",
    libelles=StatutDoubleAuthentification,
    notifications=[_prevenir],
)

NOMBRE_CODES_DE_SECOURS = 10
# Five wrong codes per account in 15 minutes (the login step and the « Mon compte » actions alike).
LIMITE_CODES = Limite("double_authentification", 5, 15 * 60)
NOM_APPAREIL = "Application d'authentification"

MESSAGE_CODE_INCORRECT = "Code de vérification incorrect."
MESSAGE_LIMITE = "Trop de codes incorrects. Réessayez dans {minutes} minutes."
MESSAGE_OBLIGATOIRE = (
    "La double authentification est obligatoire pour les gestionnaires principaux, les agents du support et les "
    "administrateurs : elle ne peut pas être désactivée."
)


class CodeRefuse(Exception):
    """A wrong code, or a code refused by the limit; ``message`` is the French sentence to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Who must have it ------------------------------------------------------------------------------------------


def double_authentification_requise(user) -> bool:
    """Required (while ``CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE`` is on) of administrators, support agents and
    gestionnaires principaux: one query, none for an administrator."""
    if not settings.CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE:
        return False
    if user.is_staff or user.is_superuser:
        return True
    gestionnaire = Structure.objects.filter(gestionnaire_principal=OuterRef("pk"))
    return (
        Utilisateur.objects.filter(pk=user.pk)
        .filter(Q(Exists(gestionnaire)) | Q(groups__name=queries.GROUPE_SUPPORT))
        .exists()
    )


# --- Enrolment -------------------------------------------------------------------------------------------------


def nouveau_secret() -> str:
    """A TOTP key (hex, as ``TOTPDevice.key``): kept in the session until a code confirms it."""
    return random_hex(20)


def secret_lisible(cle: str) -> str:
    """The key in base32, by groups of four, for typing it into an application by hand."""
    b32 = b32encode(bytes.fromhex(cle)).decode().rstrip("=")
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


def url_configuration(user, cle: str) -> str:
    emetteur = settings.OTP_TOTP_ISSUER
    libelle = quote(f"{emetteur}:{user.email}")
    parametres = urlencode({"secret": secret_lisible(cle).replace(" ", ""), "issuer": emetteur, "digits": 6})
    return f"otpauth://totp/{libelle}?{parametres}"


def qr_code_svg(url: str) -> str:
    """The QR code of ``url`` as an inline SVG (drawn here, nothing fetched)."""
    # Imported here, the one place that draws a QR code: qrcode and the Pillow it imports (~8 MB) stay out of the
    # processes that never enrol a second factor (every Celery worker, most web requests).
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def _code_totp(code: str) -> int | None:
    chiffres = re.sub(r"[\s-]", "", code or "")
    return int(chiffres) if re.fullmatch(r"\d{6}", chiffres) else None


def _code_de_secours(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _codes_de_secours(appareil: StaticDevice) -> list[str]:
    codes = [StaticToken.random_token() for _ in range(NOMBRE_CODES_DE_SECOURS)]
    StaticToken.objects.bulk_create([StaticToken(device=appareil, token=code) for code in codes])
    return codes


def _compte(user) -> Utilisateur:
    # ``request.user`` is a lazy proxy (django-otp's middleware wraps it): the engine reloads the row by its class.
    return user if type(user) is Utilisateur else Utilisateur.objects.get(pk=user.pk)


def _refuser(user, *, ip: str, contexte: str) -> None:
    """A wrong code: counted against the limit and logged, then refused."""
    LIMITE_CODES.compter(str(user.pk))
    journaliser("double_authentification.echec", utilisateur=user.pk, email=user.email, ip=ip, contexte=contexte)
    raise CodeRefuse(MESSAGE_CODE_INCORRECT)


def _exiger_sous_la_limite(user, *, ip: str, contexte: str) -> None:
    if LIMITE_CODES.atteinte(str(user.pk)):
        journaliser("double_authentification.limite", utilisateur=user.pk, email=user.email, ip=ip, contexte=contexte)
        raise CodeRefuse(MESSAGE_LIMITE.format(minutes=LIMITE_CODES.duree_minutes))


def activer_double_authentification(*, user, cle: str, code: str, ip: str = "") -> tuple[TOTPDevice, list[str]]:
    """Confirm the application holding ``cle`` with one of its codes; create the devices and the recovery codes
    (returned, shown once). Raises CodeRefuse, TransitionInterdite (already on)."""
    _exiger_sous_la_limite(user, ip=ip, contexte="activation")
    jeton = _code_totp(code)
    totp = TOTP(bytes.fromhex(cle), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    if jeton is None or not totp.verify(jeton, tolerance=1):
        _refuser(user, ip=ip, contexte="activation")
    with transaction.atomic():
        # ACTIVE → ACTIVE is the regeneration of the recovery codes: a second activation is refused here.
        compte = Utilisateur.objects.select_for_update().get(pk=user.pk)
        if compte.double_authentification_active:
            raise TransitionInterdite("La double authentification est déjà activée.")
        DOUBLE_AUTHENTIFICATION.transition(compte, to=ACTIVE, acting_user=user, role=ROLE_UTILISATEUR)
        # Leftovers of an earlier activation (none in the normal course) never survive a new one.
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        # last_t: the code that confirmed the application is used; it opens no session afterwards.
        appareil = TOTPDevice.objects.create(user=user, name=NOM_APPAREIL, key=cle, confirmed=True, last_t=totp.t())
        codes = _codes_de_secours(StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True))
        journaliser_apres_commit("double_authentification.activee", utilisateur=user.pk, email=user.email, ip=ip)
    LIMITE_CODES.effacer(str(user.pk))
    return appareil, codes


def verifier_code(*, user, code: str, ip: str = "", contexte: str = "connexion"):
    """The device that accepts ``code`` (a TOTP code, or a recovery code then used up); CodeRefuse otherwise."""
    _exiger_sous_la_limite(user, ip=ip, contexte=contexte)
    jeton = _code_totp(code)
    with transaction.atomic():
        # Locked: two requests with the same code cannot both get it accepted.
        if jeton is not None:
            for appareil in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
                if appareil.verify_token(jeton):
                    LIMITE_CODES.effacer(str(user.pk))
                    return appareil
        secours = _code_de_secours(code)
        if secours:
            for appareil in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
                if appareil.verify_token(secours):
                    LIMITE_CODES.effacer(str(user.pk))
                    journaliser_apres_commit(
                        "double_authentification.code_de_secours_utilise",
                        utilisateur=user.pk,
                        email=user.email,
                        ip=ip,
                        contexte=contexte,
                        codes_restants=appareil.token_set.count(),
                    )
                    return appareil
    _refuser(user, ip=ip, contexte=contexte)


def journaliser_connexion_verifiee(*, user, appareil, ip: str = "") -> None:
    journaliser(
        "double_authentification.reussie",
        utilisateur=user.pk,
        email=user.email,
        ip=ip,
        moyen="code_de_secours" if isinstance(appareil, StaticDevice) else "application",
    )


def codes_de_secours_restants(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def regenerer_codes_de_secours(*, user, code: str, ip: str = "") -> list[str]:
    """Ten new recovery codes (the old ones stop working), against a valid code."""
    if not user.double_authentification_active:
        raise TransitionInterdite("La double authentification n'est pas activée.")
    verifier_code(user=user, code=code, ip=ip, contexte="codes_de_secours")
    with transaction.atomic():
        DOUBLE_AUTHENTIFICATION.transition(
            _compte(user), to=ACTIVE, acting_user=user, role=ROLE_UTILISATEUR, commentaire="Codes de secours régénérés"
        )
        StaticDevice.objects.filter(user=user).delete()
        codes = _codes_de_secours(StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True))
        journaliser_apres_commit(
            "double_authentification.codes_de_secours_regeneres", utilisateur=user.pk, email=user.email, ip=ip
        )
    return codes


def desactiver_double_authentification(*, user, code: str, ip: str = "") -> None:
    """Turn the second factor off, against a valid code; refused where it is required."""
    if double_authentification_requise(user):
        raise TransitionInterdite(MESSAGE_OBLIGATOIRE)
    if not user.double_authentification_active:
        raise TransitionInterdite("La double authentification n'est pas activée.")
    verifier_code(user=user, code=code, ip=ip, contexte="desactivation")
    with transaction.atomic():
        DOUBLE_AUTHENTIFICATION.transition(_compte(user), to=INACTIVE, acting_user=user, role=ROLE_UTILISATEUR)
        _supprimer_appareils(user)
        journaliser_apres_commit("double_authentification.desactivee", utilisateur=user.pk, email=user.email, ip=ip)


def reinitialiser_double_authentification(*, user, acting_user, motif: str) -> None:
    """The support desk removes the second factor of a user who lost it: they enrol again at their next login
    (at once where it is required). Only a support agent may."""
    if not queries.est_agent_support(acting_user):
        raise TransitionInterdite("Seul un agent du support peut réinitialiser la double authentification.")
    if not user.double_authentification_active:
        raise TransitionInterdite("La double authentification de ce compte n'est pas activée.")
    with transaction.atomic():
        DOUBLE_AUTHENTIFICATION.transition(
            _compte(user), to=REINITIALISEE, acting_user=acting_user, role=ROLE_SUPPORT, motif=motif
        )
        _supprimer_appareils(user)
        journaliser_apres_commit(
            "double_authentification.reinitialisee",
            utilisateur=user.pk,
            email=user.email,
            par=acting_user.pk,
        )
    LIMITE_CODES.effacer(str(user.pk))


def _supprimer_appareils(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
