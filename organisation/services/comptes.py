"""Accounts: creation by SIRET, activation e-mail, identity changes (deferred)."""

import logging

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from chorus.identifiers import valider_identifiant, valider_siret
from organisation.enums import (
    TYPES_IDENTIFIANT_PRIVES,
    StatutStructure,
    TypeApprobation,
    TypeIdentifiant,
    TypeStructure,
)
from organisation.models import EtablissementInsee, Structure, Utilisateur
from organisation.services.circuits import (
    CIRCUIT_STRUCTURE,
    _courriel,
    _demander,
)
from organisation.services.habilitations import ROLE_GESTIONNAIRE
from organisation.services.modifications import MESSAGE_IDENTITE, demander_modification, peut_modifier_identite
from organisation.services.structures import (
    _creer_structure_privee,
    _creer_structure_publique,
    identifiant_particulier,
)

logger = logging.getLogger(__name__)


class _ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "organisation.activation"

    def _make_hash_value(self, user, timestamp):
        # Activating flips is_active, which makes the link single-use.
        return f"{user.pk}{user.is_active}{user.email}{timestamp}"


activation_token = _ActivationTokenGenerator()


def lien_activation(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("activer_compte", kwargs={"uidb64": uid, "token": activation_token.make_token(user)})
    return settings.CHORUS_PORTAL_URL.rstrip("/") + path


class CasCreation:
    NOUVELLE_STRUCTURE_PRIVEE = "NOUVELLE_STRUCTURE_PRIVEE"
    STRUCTURE_EXISTANTE = "STRUCTURE_EXISTANTE"
    NOUVELLE_STRUCTURE_PUBLIQUE = "NOUVELLE_STRUCTURE_PUBLIQUE"


@transaction.atomic
def creer_compte(
    *,
    email,
    prenom,
    nom,
    telephone="",
    password,
    siret,
    type_structure,
    raison_sociale="",
    adresse="",
    code_postal="",
    ville="",
    commentaire="",
    type_identifiant=TypeIdentifiant.SIRET,
    identifiant="",
):
    """« Créer un compte »: the account and, depending on the SIRET, a new structure or a request to join one.
    A private structure may be identified otherwise (UE, hors UE, RIDET, Tahiti: ``identifiant``; a particulier
    gets an identifier from the portal): same cases, without INSEE.

    - unknown private SIRET: the structure is created active and the user becomes its GP with every profile;
    - SIRET of an existing structure: a rattachement request (comment required) goes to its GP;
    - unknown public SIRET: the structure is created pending and the request goes to the support desk.
    The account is activated by an e-mailed link before the first login.
    """
    type_identifiant = type_identifiant or TypeIdentifiant.SIRET
    if type_identifiant == TypeIdentifiant.SIRET:
        siret = valider_siret(siret)
    else:
        if type_identifiant not in TYPES_IDENTIFIANT_PRIVES:
            raise ValidationError({"type_identifiant": "Ce type d'identifiant n'est pas proposé à la création."})
        if type_structure != TypeStructure.PRIVEE:
            raise ValidationError(
                {"type_structure": "Une structure publique est identifiée par son SIRET : choisissez « SIRET »."}
            )
        try:
            # ``siret`` holds the structure's identifier, whatever its type, from here on.
            if type_identifiant == TypeIdentifiant.PARTICULIER:
                siret = identifiant_particulier()
            else:
                siret = valider_identifiant(type_identifiant, identifiant)
        except ValidationError as exc:
            raise ValidationError({"identifiant": exc.messages}) from exc
    if Utilisateur.objects.filter(email=Utilisateur.objects.normalize_email(email)).exists():
        raise ValidationError({"email": "Un compte existe déjà avec cette adresse électronique."})
    structure = Structure.objects.filter(type_identifiant=type_identifiant, identifiant=siret).first()
    if structure is not None and structure.statut in (StatutStructure.EN_ATTENTE, StatutStructure.REFUSEE):
        raise ValidationError({"siret": "La création de cette structure est en cours d'examen par le support."})
    if structure is not None and not (commentaire or "").strip():
        raise ValidationError(
            {"commentaire": "Cette structure existe déjà : précisez votre demande de rattachement en commentaire."}
        )
    if structure is None and not (raison_sociale or "").strip():
        # Pre-filled from the imported INSEE register when the user left the identity empty.
        etablissement = EtablissementInsee.objects.filter(pk=siret).first()
        if etablissement is None or not etablissement.raison_sociale:
            raise ValidationError({"raison_sociale": "La raison sociale de votre structure est obligatoire."})
        raison_sociale = etablissement.raison_sociale
        adresse = adresse or etablissement.adresse
        code_postal = code_postal or etablissement.code_postal
        ville = ville or etablissement.ville
        type_structure = TypeStructure.PUBLIQUE if etablissement.est_public else TypeStructure.PRIVEE

    insee = {}
    if structure is None:
        # The address of a SIRET structure is INSEE's when the imported register holds it (never what was typed).
        etablissement = EtablissementInsee.objects.filter(pk=siret).first()
        if etablissement is not None:
            adresse, code_postal, ville = etablissement.adresse, etablissement.code_postal, etablissement.ville
            insee = {
                "complement_adresse": etablissement.complement_adresse,
                "code_pays": etablissement.code_pays or "FR",
                "libelle_pays": etablissement.libelle_pays or "France",
                "non_diffusible": etablissement.non_diffusible,
            }
        identite = {
            "identifiant": siret,
            "raison_sociale": raison_sociale,
            "adresse": adresse,
            "code_postal": code_postal,
            "ville": ville,
            **insee,
        }

    user = Utilisateur.objects.create_user(
        email, password, prenom=prenom, nom=nom, telephone=telephone, is_active=False
    )
    if structure is None and type_structure == TypeStructure.PRIVEE:
        cas = CasCreation.NOUVELLE_STRUCTURE_PRIVEE
        # Inactive until its GP's account is activated (``activer_compte``): an address nobody confirms does not
        # make a structure that issues invoices or appears as active.
        structure = _creer_structure_privee(
            createur=user, type_identifiant=type_identifiant, statut=StatutStructure.INACTIVE, **identite
        )
    elif structure is None:
        cas = CasCreation.NOUVELLE_STRUCTURE_PUBLIQUE
        structure = _creer_structure_publique(demandeur=user, commentaire=commentaire, **identite)
    else:
        cas = CasCreation.STRUCTURE_EXISTANTE
        _demander(type=TypeApprobation.CREATION_COMPTE, utilisateur=user, structure=structure, commentaire=commentaire)
    _courriel_activation(user)
    return user, cas


def _courriel_activation(user) -> None:
    _courriel(
        user,
        "Activez votre compte",
        "Votre compte Chorus Pro a été créé. Pour l'activer, ouvrez le lien suivant :\n\n"
        f"{lien_activation(user)}\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
        evenement=None,
    )


DELAI_RENVOI_ACTIVATION = 300  # seconds between two resent activation e-mails for one account


def renvoyer_activation(user) -> bool:
    """« Renvoyer le courriel d'activation »: a new link (the former ones stay valid until activation), at most
    one every 5 minutes per account; False when nothing was sent (already active, or too soon)."""
    from django.core.cache import cache

    if user.is_active or not cache.add(f"activation-renvoyee:{user.pk}", 1, DELAI_RENVOI_ACTIVATION):
        return False
    _courriel_activation(user)
    return True


def activer_compte(*, uidb64: str, token: str):
    """Activate the account of an e-mailed link; return the user, or None for an invalid or used link."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = Utilisateur.objects.filter(pk=pk).first()
    if user is None or user.is_active or not activation_token.check_token(user, token):
        return None
    with transaction.atomic():
        Utilisateur.objects.filter(pk=user.pk).update(is_active=True)
        user.is_active = True
        # The structure its sign-up created (inactive since, its only history row being its creation by this user)
        # becomes active with the account; a structure deactivated later by its GP or the support is not touched.
        creees = (
            Structure.objects.filter(gestionnaire_principal=user, statut=StatutStructure.INACTIVE)
            .annotate(lignes=Count("historique"))
            .filter(lignes=1, historique__acting_user=user)
        )
        for structure in creees:
            CIRCUIT_STRUCTURE.transition(structure, to=StatutStructure.ACTIVE, acting_user=user, role=ROLE_GESTIONNAIRE)
    return user


def modifier_utilisateur(*, acting_user, utilisateur, changements: dict):
    """The support desk changes the identity of a user (a deferred change, as « Mon compte »); nobody else but the
    user may (``modifications.peut_modifier_identite``, checked again by ``demander_modification``)."""
    if not peut_modifier_identite(demandeur=acting_user, utilisateur=utilisateur):
        raise PermissionDenied(MESSAGE_IDENTITE)
    return demander_modification(
        objet=utilisateur,
        changements=changements,
        demandeur=acting_user,
        description=f"Modification de l'utilisateur {utilisateur.get_full_name()}",
    )
