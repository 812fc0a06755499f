"""Every operation of the organisation domain that changes state."""

import logging

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from stdnum import bic as stdnum_bic
from stdnum import exceptions as stdnum_exceptions
from stdnum import iban as stdnum_iban

from chorus.identifiers import valider_siret
from chorus.mail import envoyer_email
from chorus.workflow import SYSTEME, Transition, Workflow
from organisation import queries
from organisation.enums import (
    Application,
    Niveau,
    StatutApprobation,
    StatutRattachement,
    StatutStructure,
    TypeApprobation,
    TypeIdentifiant,
    TypeStructure,
    codename,
    niveaux_possibles,
)
from organisation.models import (
    Approbation,
    CoordonneesBancaires,
    EtablissementInsee,
    HistoriqueApprobation,
    HistoriqueModificationDifferee,
    HistoriqueRattachement,
    HistoriqueStructure,
    MandatFacturation,
    ModificationDifferee,
    Rattachement,
    Service,
    Structure,
    StructureUserObjectPermission,
    Utilisateur,
)

logger = logging.getLogger(__name__)

# --- Connexion: lock-out after repeated failures (as Chorus Pro: 5 failures, one hour) -----------------------


def enregistrer_echec_connexion(*, email: str) -> None:
    """Count one failed login for ``email``; lock the account once the limit is reached."""
    email = Utilisateur.objects.normalize_email(email)
    now = timezone.now()
    with transaction.atomic():
        user = Utilisateur.objects.select_for_update().filter(email=email).first()
        if user is None or user.est_verrouille(now):
            return
        user.echecs_connexion = F("echecs_connexion") + 1
        user.save(update_fields=["echecs_connexion"])
        user.refresh_from_db(fields=["echecs_connexion"])
        if user.echecs_connexion >= settings.CHORUS_ECHECS_CONNEXION_MAX:
            user.verrouille_jusqu_au = now + settings.CHORUS_DUREE_VERROUILLAGE
            user.echecs_connexion = 0
            user.save(update_fields=["verrouille_jusqu_au", "echecs_connexion"])
            logger.warning("Compte %s bloqué jusqu'au %s", user.pk, user.verrouille_jusqu_au)


def reinitialiser_echecs_connexion(*, user: Utilisateur) -> None:
    if user.echecs_connexion or user.verrouille_jusqu_au:
        Utilisateur.objects.filter(pk=user.pk).update(echecs_connexion=0, verrouille_jusqu_au=None)
        user.echecs_connexion = 0
        user.verrouille_jusqu_au = None


# --- Deferred changes (the 30-minute rule) ------------------------------------------------------------------

ROLE_DEMANDEUR = "DEMANDEUR"

CIRCUIT_MODIFICATION = Workflow(
    transitions=[
        Transition(ModificationDifferee.Statut.EN_ATTENTE, ModificationDifferee.Statut.APPLIQUEE, roles={SYSTEME}),
        Transition(
            ModificationDifferee.Statut.EN_ATTENTE,
            ModificationDifferee.Statut.ECHEC,
            roles={SYSTEME},
            motif_obligatoire=True,
        ),
        Transition(
            ModificationDifferee.Statut.EN_ATTENTE,
            ModificationDifferee.Statut.ANNULEE,
            roles={ROLE_DEMANDEUR},
        ),
    ],
    historique=HistoriqueModificationDifferee,
    libelles=ModificationDifferee.Statut,
)

# Which fields of which model may be changed through a deferred change: nothing else can be written this way.
CHAMPS_DIFFERABLES: dict[str, set[str]] = {
    "organisation.utilisateur": {"nom", "prenom", "telephone"},
    "organisation.structure": {
        "raison_sociale", "adresse", "complement_adresse", "code_postal", "ville", "code_pays", "libelle_pays",
        "telephone", "courriel", "code_service_obligatoire", "engagement_obligatoire",
        "service_ou_engagement_obligatoire", "mise_en_paiement_non_remontee", "option_moa", "emetteur_edi",
        "recepteur_edi", "gestionnaire_principal_id", "profils",
    },
    "organisation.service": {"libelle", "engagement_obligatoire", "actif", "adresse", "code_postal", "ville"},
    "organisation.coordonneesbancaires": {"active", "titulaire", "bic"},
    "organisation.mandatfacturation": {"actif"},
}  # fmt: skip


def _cle(model) -> str:
    return model._meta.label_lower


def demander_modification(*, objet, changements: dict, demandeur: Utilisateur, description: str):
    """Store a change to ``objet`` that the beat sweep applies after ``CHORUS_DELAI_MODIFICATION``."""
    autorises = CHAMPS_DIFFERABLES.get(_cle(objet), set())
    interdits = set(changements) - autorises
    if interdits:
        raise ValidationError(f"Ces champs ne peuvent pas être modifiés : {', '.join(sorted(interdits))}.")
    if not changements:
        raise ValidationError("Aucune modification à enregistrer.")
    now = timezone.now()
    with transaction.atomic():
        modification = ModificationDifferee.objects.create(
            demandeur=demandeur,
            content_type=ContentType.objects.get_for_model(objet),
            object_id=objet.pk,
            description=description,
            changements=changements,
            created_at=now,
            effective_at=now + settings.CHORUS_DELAI_MODIFICATION,
        )
        HistoriqueModificationDifferee.ajouter(
            objet=modification,
            acting_user=demandeur,
            role=ROLE_DEMANDEUR,
            statut_precedent="",
            statut=modification.statut,
        )
    return modification


def modifications_en_attente(objet):
    return ModificationDifferee.objects.filter(
        content_type=ContentType.objects.get_for_model(objet),
        object_id=objet.pk,
        statut=ModificationDifferee.Statut.EN_ATTENTE,
    ).order_by("effective_at", "id")


def annuler_modification(*, modification: ModificationDifferee, acting_user: Utilisateur):
    return CIRCUIT_MODIFICATION.transition(
        modification, to=ModificationDifferee.Statut.ANNULEE, acting_user=acting_user, role=ROLE_DEMANDEUR
    )


def _appliquer(modification: ModificationDifferee) -> None:
    model = modification.content_type.model_class()
    label = _cle(model)
    autorises = CHAMPS_DIFFERABLES.get(label, set())
    cible = model._default_manager.select_for_update().get(pk=modification.object_id)
    speciaux = {k: v for k, v in modification.changements.items() if k in _APPLICATEURS.get(label, {})}
    champs = [name for name in modification.changements if name in autorises and name not in speciaux]
    anciennes = {name: getattr(cible, name) for name in champs}
    for name in champs:
        setattr(cible, name, modification.changements[name])
    if champs:
        exclus = [f.name for f in model._meta.fields if f.name not in champs and f.attname not in champs]
        cible.full_clean(exclude=exclus, validate_constraints=False)
        cible.save(update_fields=champs)
    for name, value in speciaux.items():
        _APPLICATEURS[label][name](cible, value)
    apres = _APRES_APPLICATION.get(label)
    if apres is not None:
        apres(cible, anciennes)


def appliquer_modifications_dues(*, limit: int = 1000) -> int:
    """Apply, in order, every pending change that is due. Idempotent and safe with several workers: each row is
    taken with SKIP LOCKED and applied in the transaction that marks it applied."""
    applied = 0
    for _ in range(limit):
        with transaction.atomic():
            modification = (
                ModificationDifferee.objects.select_for_update(skip_locked=True)
                .filter(statut=ModificationDifferee.Statut.EN_ATTENTE, effective_at__lte=timezone.now())
                .order_by("effective_at", "id")
                .first()
            )
            if modification is None:
                break
            try:
                with transaction.atomic():
                    _appliquer(modification)
            except (ObjectDoesNotExist, ValidationError) as exc:
                motif = f"La modification n'a pas pu être appliquée : {exc}"
                CIRCUIT_MODIFICATION.transition(
                    modification,
                    to=ModificationDifferee.Statut.ECHEC,
                    acting_user=None,
                    role=SYSTEME,
                    motif=motif,
                )
                continue
            CIRCUIT_MODIFICATION.transition(
                modification,
                to=ModificationDifferee.Statut.APPLIQUEE,
                acting_user=None,
                role=SYSTEME,
                extra_updates={"appliquee_le": timezone.now()},
            )
            envoyer_email(
                destinataires=[modification.demandeur.email],
                sujet="Chorus Pro - Votre modification a pris effet",
                corps=(
                    f"Bonjour,\n\nLa modification suivante a pris effet le "
                    f"{timezone.localtime():%d/%m/%Y à %H:%M} : {modification.description}.\n\n"
                    "Cordialement,\nL'équipe Chorus Pro"
                ),
            )
            applied += 1
    return applied


# --- Profiles (habilitations) --------------------------------------------------------------------------------

ROLE_GESTIONNAIRE = "GESTIONNAIRE"
ROLE_SUPPORT = "SUPPORT"
ROLE_UTILISATEUR = "UTILISATEUR"


def profils_par_defaut() -> dict[str, str]:
    """A new user gets every profile, in modification, except « Organisation » (the GP's)."""
    return {app: Niveau.MODIFICATION for app in Application if app != Application.ORGANISATION}


def tous_les_profils() -> dict[str, str]:
    return {app: Niveau.MODIFICATION for app in Application}


def _permissions(codenames) -> dict[str, Permission]:
    return {
        p.codename: p
        for p in Permission.objects.filter(content_type__app_label="organisation", codename__in=list(codenames))
    }


def definir_profils(*, utilisateur, structure, profils: dict[str, str | None]) -> None:
    """Set the level of each given application for the user on the structure (None removes the profile)."""
    for application, niveau in profils.items():
        if application not in Application.values:
            raise ValidationError(f"Application inconnue : {application}.")
        if niveau is not None and niveau not in niveaux_possibles(application):
            raise ValidationError(
                f"Le profil « {Application(application).label} » n'existe pas en {Niveau(niveau).label}."
            )
    codenames_touches = [codename(app, n) for app in profils for n in niveaux_possibles(app)]
    perms = _permissions(codenames_touches)
    StructureUserObjectPermission.objects.filter(
        user=utilisateur, content_object=structure, permission__codename__in=codenames_touches
    ).delete()
    StructureUserObjectPermission.objects.bulk_create(
        StructureUserObjectPermission(
            user=utilisateur, content_object=structure, permission=perms[codename(app, niveau)]
        )
        for app, niveau in profils.items()
        if niveau is not None
    )


def profils_de(*, utilisateur, structure) -> dict[str, str]:
    """{application: niveau} for the user on the structure."""
    result = {}
    for code in StructureUserObjectPermission.objects.filter(user=utilisateur, content_object=structure).values_list(
        "permission__codename", flat=True
    ):
        application, _, niveau = code.rpartition("_")
        application = application.upper()
        # Modification wins if, by history, both rows exist.
        if result.get(application) != Niveau.MODIFICATION:
            result[application] = niveau
    return result


# --- Rattachements, structures and approbations: the status machines ------------------------------------------

CIRCUIT_RATTACHEMENT = Workflow(
    transitions=[
        Transition(StatutRattachement.EN_ATTENTE, StatutRattachement.ACTIF, roles={ROLE_GESTIONNAIRE, ROLE_SUPPORT}),
        Transition(
            StatutRattachement.EN_ATTENTE,
            StatutRattachement.REFUSE,
            roles={ROLE_GESTIONNAIRE, ROLE_SUPPORT},
            motif_obligatoire=True,
        ),
        Transition(StatutRattachement.ACTIF, StatutRattachement.INACTIF, roles={ROLE_GESTIONNAIRE}),
    ],
    historique=HistoriqueRattachement,
    libelles=StatutRattachement,
)

CIRCUIT_STRUCTURE = Workflow(
    transitions=[
        Transition(StatutStructure.EN_ATTENTE, StatutStructure.ACTIVE, roles={ROLE_SUPPORT}),
        Transition(StatutStructure.EN_ATTENTE, StatutStructure.REFUSEE, roles={ROLE_SUPPORT}, motif_obligatoire=True),
        Transition(StatutStructure.ACTIVE, StatutStructure.INACTIVE, roles={ROLE_GESTIONNAIRE, ROLE_SUPPORT}),
        Transition(StatutStructure.INACTIVE, StatutStructure.ACTIVE, roles={ROLE_GESTIONNAIRE, ROLE_SUPPORT}),
    ],
    historique=HistoriqueStructure,
    libelles=StatutStructure,
)

CIRCUIT_APPROBATION = Workflow(
    transitions=[
        Transition(StatutApprobation.DEMANDE, StatutApprobation.APPROUVE, roles={ROLE_GESTIONNAIRE, ROLE_SUPPORT}),
        Transition(
            StatutApprobation.DEMANDE,
            StatutApprobation.REFUSE,
            roles={ROLE_GESTIONNAIRE, ROLE_SUPPORT},
            motif_obligatoire=True,
        ),
    ],
    historique=HistoriqueApprobation,
    libelles=StatutApprobation,
)


def _courriel(user, sujet: str, texte: str) -> None:
    envoyer_email(
        destinataires=[user.email],
        sujet=f"Chorus Pro - {sujet}",
        corps=f"Bonjour {user.prenom},\n\n{texte}\n\nCordialement,\nL'équipe Chorus Pro\n",
    )


def _creer_rattachement(*, utilisateur, structure, service=None, statut, commentaire="", acting_user, role):
    rattachement = Rattachement.objects.create(
        utilisateur=utilisateur, structure=structure, service=service, statut=statut, commentaire=commentaire
    )
    HistoriqueRattachement.ajouter(
        objet=rattachement, acting_user=acting_user, role=role, statut_precedent="", statut=statut,
        commentaire=commentaire,
    )  # fmt: skip
    return rattachement


def _creer_approbation(*, type, demandeur, structure, service=None, rattachement=None, commentaire="", donnees=None):
    approbation = Approbation.objects.create(
        type=type,
        demandeur=demandeur,
        structure=structure,
        service=service,
        rattachement=rattachement,
        commentaire=commentaire,
        donnees=donnees or {},
    )
    HistoriqueApprobation.ajouter(
        objet=approbation, acting_user=demandeur, role=ROLE_UTILISATEUR, statut_precedent="",
        statut=approbation.statut, commentaire=commentaire,
    )  # fmt: skip
    for gestionnaire in _approbateurs(approbation):
        _courriel(
            gestionnaire,
            "Une demande attend votre approbation",
            f"{demandeur.get_full_name()} ({demandeur.email}) a fait une demande « {approbation.get_type_display()} » "
            f"pour la structure {structure.raison_sociale}. Retrouvez-la dans le menu Approbations.",
        )
    return approbation


def _approbateurs(approbation):
    if _pour_le_support(approbation):
        return list(Utilisateur.objects.filter(groups__name=queries.GROUPE_SUPPORT, is_active=True))
    return list(queries.utilisateurs_de(approbation.structure).filter(
        Exists(StructureUserObjectPermission.objects.filter(
            user=OuterRef("pk"), content_object=approbation.structure,
            permission__codename=codename(Application.ORGANISATION, Niveau.MODIFICATION),
        )),
        is_active=True,
    ))  # fmt: skip


def creer_structure(
    *,
    acting_user,
    identifiant,
    raison_sociale,
    type_structure,
    statut=StatutStructure.ACTIVE,
    role=ROLE_UTILISATEUR,
    **champs,
):
    structure = Structure(
        type_identifiant=TypeIdentifiant.SIRET,
        identifiant=valider_siret(identifiant),
        raison_sociale=raison_sociale,
        type_structure=type_structure,
        statut=statut,
        **champs,
    )
    structure.full_clean()
    structure.save()
    HistoriqueStructure.ajouter(
        objet=structure, acting_user=acting_user, role=role, statut_precedent="", statut=structure.statut
    )
    return structure


def _devenir_gestionnaire(*, utilisateur, structure):
    Structure.objects.filter(pk=structure.pk).update(gestionnaire_principal=utilisateur)
    structure.gestionnaire_principal = utilisateur
    definir_profils(utilisateur=utilisateur, structure=structure, profils=tous_les_profils())


# --- Account creation and activation -------------------------------------------------------------------------


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
):
    """« Créer un compte »: the account and, depending on the SIRET, a new structure or a request to join one.

    - unknown private SIRET: the structure is created active and the user becomes its GP with every profile;
    - SIRET of an existing structure: a rattachement request (comment required) goes to its GP;
    - unknown public SIRET: the structure is created pending and the request goes to the support desk.
    The account is activated by an e-mailed link before the first login.
    """
    siret = valider_siret(siret)
    if Utilisateur.objects.filter(email=Utilisateur.objects.normalize_email(email)).exists():
        raise ValidationError({"email": "Un compte existe déjà avec cette adresse électronique."})
    structure = Structure.objects.filter(type_identifiant=TypeIdentifiant.SIRET, identifiant=siret).first()
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

    user = Utilisateur.objects.create_user(
        email, password, prenom=prenom, nom=nom, telephone=telephone, is_active=False
    )
    if structure is None and type_structure == TypeStructure.PRIVEE:
        cas = CasCreation.NOUVELLE_STRUCTURE_PRIVEE
        structure = creer_structure(
            acting_user=user, identifiant=siret, raison_sociale=raison_sociale, type_structure=TypeStructure.PRIVEE,
            adresse=adresse, code_postal=code_postal, ville=ville,
        )  # fmt: skip
        _creer_rattachement(
            utilisateur=user, structure=structure, statut=StatutRattachement.ACTIF, acting_user=user,
            role=ROLE_UTILISATEUR,
        )  # fmt: skip
        _devenir_gestionnaire(utilisateur=user, structure=structure)
    elif structure is None:
        cas = CasCreation.NOUVELLE_STRUCTURE_PUBLIQUE
        structure = creer_structure(
            acting_user=user, identifiant=siret, raison_sociale=raison_sociale,
            type_structure=TypeStructure.PUBLIQUE, statut=StatutStructure.EN_ATTENTE,
            adresse=adresse, code_postal=code_postal, ville=ville,
        )  # fmt: skip
        rattachement = _creer_rattachement(
            utilisateur=user, structure=structure, statut=StatutRattachement.EN_ATTENTE, commentaire=commentaire,
            acting_user=user, role=ROLE_UTILISATEUR,
        )  # fmt: skip
        _creer_approbation(
            type=TypeApprobation.CREATION_STRUCTURE_PUBLIQUE, demandeur=user, structure=structure,
            rattachement=rattachement, commentaire=commentaire,
        )  # fmt: skip
    else:
        cas = CasCreation.STRUCTURE_EXISTANTE
        rattachement = _creer_rattachement(
            utilisateur=user, structure=structure, statut=StatutRattachement.EN_ATTENTE, commentaire=commentaire,
            acting_user=user, role=ROLE_UTILISATEUR,
        )  # fmt: skip
        _creer_approbation(
            type=TypeApprobation.CREATION_COMPTE, demandeur=user, structure=structure, rattachement=rattachement,
            commentaire=commentaire,
        )  # fmt: skip
    _courriel_activation(user)
    return user, cas


def _courriel_activation(user) -> None:
    _courriel(
        user,
        "Activez votre compte",
        "Votre compte Chorus Pro a été créé. Pour l'activer, ouvrez le lien suivant :\n\n"
        f"{lien_activation(user)}\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
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
    Utilisateur.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    return user


# --- Rattachements -------------------------------------------------------------------------------------------


def _verifier_cible(structure, service):
    if not structure.est_active:
        raise ValidationError("Cette structure n'est pas active : aucun rattachement n'est possible.")
    if service is not None and (service.structure_id != structure.pk or not service.actif):
        raise ValidationError({"service": "Ce service n'existe pas ou n'est pas actif dans cette structure."})


@transaction.atomic
def demander_rattachement(*, utilisateur, structure, service=None, commentaire: str):
    if not (commentaire or "").strip():
        raise ValidationError({"commentaire": "Le commentaire est obligatoire pour une demande de rattachement."})
    _verifier_cible(structure, service)
    existant = Rattachement.objects.filter(
        utilisateur=utilisateur, structure=structure, service=service,
        statut__in=[StatutRattachement.EN_ATTENTE, StatutRattachement.ACTIF],
    ).exists()  # fmt: skip
    if existant:
        raise ValidationError(
            "Vous êtes déjà rattaché, ou en attente de rattachement, à cette structure ou ce service."
        )
    rattachement = _creer_rattachement(
        utilisateur=utilisateur, structure=structure, service=service, statut=StatutRattachement.EN_ATTENTE,
        commentaire=commentaire, acting_user=utilisateur, role=ROLE_UTILISATEUR,
    )  # fmt: skip
    return _creer_approbation(
        type=TypeApprobation.RATTACHEMENT, demandeur=utilisateur, structure=structure, service=service,
        rattachement=rattachement, commentaire=commentaire,
    )  # fmt: skip


def _exiger_gestion(acting_user, structure):
    if not queries.structures_gerees_par(acting_user).filter(pk=structure.pk).exists():
        raise PermissionDenied("Vous n'avez pas le profil « Organisation modification » sur cette structure.")


@transaction.atomic
def rattacher_utilisateur(*, acting_user, email: str, structure, service=None):
    """The GP attaches an existing account directly (no approbation), with the default profiles."""
    _exiger_gestion(acting_user, structure)
    _verifier_cible(structure, service)
    utilisateur = Utilisateur.objects.filter(email=Utilisateur.objects.normalize_email(email)).first()
    if utilisateur is None:
        raise ValidationError({"email": "Aucun compte n'existe avec cette adresse électronique."})
    if Rattachement.objects.filter(
        utilisateur=utilisateur, structure=structure, service=service, statut=StatutRattachement.ACTIF
    ).exists():
        raise ValidationError({"email": "Cet utilisateur est déjà rattaché à cette structure ou ce service."})
    en_attente = Rattachement.objects.filter(
        utilisateur=utilisateur, structure=structure, service=service, statut=StatutRattachement.EN_ATTENTE
    ).first()
    if en_attente is not None:
        # A pending request for the same target is granted by this direct attachment.
        for approbation in en_attente.approbations.filter(statut=StatutApprobation.DEMANDE):
            decider(approbation=approbation, acting_user=acting_user, approuver=True)
        return en_attente
    rattachement = _creer_rattachement(
        utilisateur=utilisateur, structure=structure, service=service, statut=StatutRattachement.ACTIF,
        acting_user=acting_user, role=ROLE_GESTIONNAIRE,
    )  # fmt: skip
    if not profils_de(utilisateur=utilisateur, structure=structure):
        definir_profils(utilisateur=utilisateur, structure=structure, profils=profils_par_defaut())
    _courriel(utilisateur, "Nouveau rattachement", f"Vous avez été rattaché à la structure {structure.raison_sociale}.")
    return rattachement


@transaction.atomic
def detacher_utilisateur(*, acting_user, rattachement, motif: str = ""):
    _exiger_gestion(acting_user, rattachement.structure)
    if rattachement.utilisateur_id == rattachement.structure.gestionnaire_principal_id:
        raise ValidationError("Le gestionnaire principal ne peut pas être détaché : transférez d'abord son rôle.")
    CIRCUIT_RATTACHEMENT.transition(
        rattachement, to=StatutRattachement.INACTIF, acting_user=acting_user, role=ROLE_GESTIONNAIRE, motif=motif
    )
    reste = Rattachement.objects.filter(
        utilisateur=rattachement.utilisateur, structure=rattachement.structure, statut=StatutRattachement.ACTIF
    ).exists()
    if not reste:
        StructureUserObjectPermission.objects.filter(
            user=rattachement.utilisateur, content_object=rattachement.structure
        ).delete()
    _courriel(
        rattachement.utilisateur,
        "Fin de rattachement",
        f"Vous n'êtes plus rattaché à la structure {rattachement.structure.raison_sociale}.",
    )


# --- Habilitations requests --------------------------------------------------------------------------------


@transaction.atomic
def demander_habilitations(*, utilisateur, structure, profils: dict[str, str | None], commentaire: str = ""):
    """« Gérer mes habilitations »: ask the GP to add, change or remove profiles (None removes)."""
    if not queries.structures_de(utilisateur).filter(pk=structure.pk).exists():
        raise PermissionDenied("Vous n'êtes pas rattaché à cette structure.")
    if not profils:
        raise ValidationError("Choisissez au moins un profil à ajouter ou à supprimer.")
    for application, niveau in profils.items():
        if application not in Application.values or (
            niveau is not None and niveau not in niveaux_possibles(application)
        ):
            raise ValidationError("Profil inconnu.")
    return _creer_approbation(
        type=TypeApprobation.HABILITATIONS, demandeur=utilisateur, structure=structure, commentaire=commentaire,
        donnees={"profils": profils},
    )  # fmt: skip


# --- Decisions -----------------------------------------------------------------------------------------------


def _pour_le_support(approbation) -> bool:
    return (
        approbation.type == TypeApprobation.CREATION_STRUCTURE_PUBLIQUE
        or approbation.structure.gestionnaire_principal_id is None
    )


def role_decideur(acting_user, approbation) -> str:
    """The role in which ``acting_user`` decides on ``approbation``; PermissionDenied if they may not."""
    if _pour_le_support(approbation):
        if queries.est_agent_support(acting_user):
            return ROLE_SUPPORT
        raise PermissionDenied("Seul le support de la plateforme traite cette demande.")
    if queries.structures_gerees_par(acting_user).filter(pk=approbation.structure_id).exists():
        return ROLE_GESTIONNAIRE
    raise PermissionDenied("Vous ne gérez pas cette structure.")


@transaction.atomic
def decider(*, approbation, acting_user, approuver: bool, motif: str = ""):
    """Approve (effective at once) or refuse (motif required) a request; the requester is told by e-mail."""
    role = role_decideur(acting_user, approbation)
    cible = StatutApprobation.APPROUVE if approuver else StatutApprobation.REFUSE
    CIRCUIT_APPROBATION.transition(
        approbation, to=cible, acting_user=acting_user, role=role, motif=motif,
        extra_updates={"approbateur": acting_user, "decided_at": timezone.now(), "motif_refus": motif or ""},
    )  # fmt: skip
    structure = approbation.structure
    demandeur = approbation.demandeur
    rattachement = approbation.rattachement
    if approuver:
        if approbation.type == TypeApprobation.CREATION_STRUCTURE_PUBLIQUE:
            CIRCUIT_STRUCTURE.transition(structure, to=StatutStructure.ACTIVE, acting_user=acting_user, role=role)
        if rattachement is not None:
            CIRCUIT_RATTACHEMENT.transition(
                rattachement, to=StatutRattachement.ACTIF, acting_user=acting_user, role=role
            )
            if structure.gestionnaire_principal_id is None:
                # The first user of a structure without GP (created by this request, or pre-created from the
                # INSEE register) becomes its GP.
                _devenir_gestionnaire(utilisateur=demandeur, structure=structure)
            elif not profils_de(utilisateur=demandeur, structure=structure):
                definir_profils(utilisateur=demandeur, structure=structure, profils=profils_par_defaut())
        if approbation.type == TypeApprobation.HABILITATIONS:
            definir_profils(utilisateur=demandeur, structure=structure, profils=approbation.donnees["profils"])
        texte = (
            f"Votre demande « {approbation.get_type_display()} » pour la structure {structure.raison_sociale} "
            "a été approuvée."
        )
    else:
        if rattachement is not None:
            CIRCUIT_RATTACHEMENT.transition(
                rattachement, to=StatutRattachement.REFUSE, acting_user=acting_user, role=role, motif=motif
            )
        if approbation.type == TypeApprobation.CREATION_STRUCTURE_PUBLIQUE:
            CIRCUIT_STRUCTURE.transition(
                structure, to=StatutStructure.REFUSEE, acting_user=acting_user, role=role, motif=motif
            )
        texte = (
            f"Votre demande « {approbation.get_type_display()} » pour la structure {structure.raison_sociale} "
            f"a été refusée.\n\nMotif : {motif}"
        )
    _courriel(demandeur, "Décision sur votre demande", texte)
    return approbation


# --- Structures, services, bank details, billing mandate, GP transfer ------------------------------------------


@transaction.atomic
def creer_structure_par_utilisateur(*, acting_user, siret, raison_sociale, type_structure, **champs):
    """« Créer une structure »: a private one is active at once with its creator as GP; a public one waits for
    the support desk."""
    siret = valider_siret(siret)
    if Structure.objects.filter(type_identifiant=TypeIdentifiant.SIRET, identifiant=siret).exists():
        raise ValidationError({"siret": "Une structure existe déjà avec ce SIRET : demandez-y un rattachement."})
    if type_structure == TypeStructure.PRIVEE:
        structure = creer_structure(
            acting_user=acting_user, identifiant=siret, raison_sociale=raison_sociale,
            type_structure=TypeStructure.PRIVEE, **champs,
        )  # fmt: skip
        _creer_rattachement(
            utilisateur=acting_user, structure=structure, statut=StatutRattachement.ACTIF, acting_user=acting_user,
            role=ROLE_UTILISATEUR,
        )  # fmt: skip
        _devenir_gestionnaire(utilisateur=acting_user, structure=structure)
        return structure
    structure = creer_structure(
        acting_user=acting_user, identifiant=siret, raison_sociale=raison_sociale,
        type_structure=TypeStructure.PUBLIQUE, statut=StatutStructure.EN_ATTENTE, **champs,
    )  # fmt: skip
    rattachement = _creer_rattachement(
        utilisateur=acting_user, structure=structure, statut=StatutRattachement.EN_ATTENTE, acting_user=acting_user,
        role=ROLE_UTILISATEUR,
    )  # fmt: skip
    _creer_approbation(
        type=TypeApprobation.CREATION_STRUCTURE_PUBLIQUE, demandeur=acting_user, structure=structure,
        rattachement=rattachement,
    )  # fmt: skip
    return structure


def modifier_structure(*, acting_user, structure, changements: dict):
    """Identity, address and parameters of a structure: a deferred change (the 30-minute rule)."""
    _exiger_gestion(acting_user, structure)
    if not structure.est_publique:
        publics = {
            "code_service_obligatoire", "engagement_obligatoire", "service_ou_engagement_obligatoire",
            "mise_en_paiement_non_remontee", "option_moa", "emetteur_edi", "recepteur_edi",
        }  # fmt: skip
        changements = {k: v for k, v in changements.items() if k not in publics}
    return demander_modification(
        objet=structure, changements=changements, demandeur=acting_user,
        description=f"Modification de la structure {structure.raison_sociale}",
    )  # fmt: skip


def changer_statut_structure(*, acting_user, structure, active: bool, motif: str = ""):
    _exiger_gestion(acting_user, structure)
    cible = StatutStructure.ACTIVE if active else StatutStructure.INACTIVE
    return CIRCUIT_STRUCTURE.transition(
        structure, to=cible, acting_user=acting_user, role=ROLE_GESTIONNAIRE, motif=motif
    )


@transaction.atomic
def creer_service(
    *, acting_user, structure, code, libelle, engagement_obligatoire=False, adresse="", code_postal="", ville=""
):
    _exiger_gestion(acting_user, structure)
    code = (code or "").strip().upper()
    if Service.objects.filter(structure=structure, code=code).exists():
        raise ValidationError({"code": "Ce code service existe déjà dans la structure."})
    service = Service(
        structure=structure, code=code, libelle=libelle, engagement_obligatoire=engagement_obligatoire,
        adresse=adresse, code_postal=code_postal, ville=ville,
    )  # fmt: skip
    service.full_clean()
    service.save()
    return service


def modifier_service(*, acting_user, service, changements: dict):
    """Libellé, engagement obligatoire, address, activation: a deferred change."""
    _exiger_gestion(acting_user, service.structure)
    return demander_modification(
        objet=service, changements=changements, demandeur=acting_user,
        description=f"Modification du service {service.code}",
    )  # fmt: skip


def transferer_gestionnaire_principal(*, acting_user, structure, nouveau):
    """The GP hands the role over to another attached user, effective after the delay; the old GP keeps a
    simple user's profiles."""
    if structure.gestionnaire_principal_id != acting_user.pk:
        raise PermissionDenied("Seul le gestionnaire principal peut transférer son rôle.")
    if nouveau.pk == acting_user.pk:
        raise ValidationError({"nouveau": "Vous êtes déjà le gestionnaire principal."})
    if not queries.utilisateurs_de(structure).filter(pk=nouveau.pk, is_active=True).exists():
        raise ValidationError({"nouveau": "Le nouveau gestionnaire doit être un utilisateur actif de la structure."})
    return demander_modification(
        objet=structure, changements={"gestionnaire_principal_id": nouveau.pk}, demandeur=acting_user,
        description=f"Transfert du rôle de gestionnaire principal à {nouveau.get_full_name()}",
    )  # fmt: skip


def _apres_modification_structure(structure, anciennes: dict) -> None:
    if "gestionnaire_principal_id" in anciennes:
        ancien = anciennes["gestionnaire_principal_id"]
        if ancien and ancien != structure.gestionnaire_principal_id:
            definir_profils(
                utilisateur=Utilisateur(pk=ancien), structure=structure,
                profils={**profils_par_defaut(), Application.ORGANISATION: None},
            )  # fmt: skip
        definir_profils(utilisateur=structure.gestionnaire_principal, structure=structure, profils=tous_les_profils())


def demander_modification_habilitations(*, acting_user, utilisateur, structure, profils: dict[str, str | None]):
    """« Gérer les habilitations des utilisateurs »: the GP's change, effective after the delay."""
    _exiger_gestion(acting_user, structure)
    if not queries.utilisateurs_de(structure).filter(pk=utilisateur.pk).exists():
        raise ValidationError("Cet utilisateur n'est pas rattaché à la structure.")
    if utilisateur.pk == structure.gestionnaire_principal_id and profils.get(Application.ORGANISATION, "x") is None:
        raise ValidationError("Le gestionnaire principal garde le profil « Organisation modification ».")
    for application, niveau in profils.items():
        if application not in Application.values or (
            niveau is not None and niveau not in niveaux_possibles(application)
        ):
            raise ValidationError("Profil inconnu.")
    return demander_modification(
        objet=structure, changements={"profils": {"utilisateur": utilisateur.pk, "profils": profils}},
        demandeur=acting_user, description=f"Habilitations de {utilisateur.get_full_name()}",
    )  # fmt: skip


def _appliquer_profils(structure, valeur: dict) -> None:
    utilisateur = Utilisateur.objects.get(pk=valeur["utilisateur"])
    definir_profils(utilisateur=utilisateur, structure=structure, profils=valeur["profils"])


def normaliser_iban(iban: str) -> str:
    return "".join((iban or "").split()).upper()


@transaction.atomic
def ajouter_coordonnees_bancaires(*, acting_user, structure, titulaire: str, iban: str, bic: str):
    """New bank details are recorded at once and become usable on invoices after the delay."""
    _exiger_gestion(acting_user, structure)
    erreurs = {}
    iban = normaliser_iban(iban)
    bic = normaliser_iban(bic)
    try:
        stdnum_iban.validate(iban)
    except stdnum_exceptions.ValidationError:
        erreurs["iban"] = "L'IBAN saisi n'est pas valide (vérifiez sa longueur et sa clé de contrôle)."
    try:
        stdnum_bic.validate(bic)
    except stdnum_exceptions.ValidationError:
        erreurs["bic"] = "Le BIC saisi n'est pas valide (8 ou 11 caractères, par exemple BNPAFRPPXXX)."
    if not (titulaire or "").strip():
        erreurs["titulaire"] = "Le titulaire du compte est obligatoire."
    if not erreurs and CoordonneesBancaires.objects.filter(structure=structure, iban=iban).exists():
        erreurs["iban"] = "Cet IBAN est déjà enregistré pour la structure."
    if erreurs:
        raise ValidationError(erreurs)
    coordonnees = CoordonneesBancaires.objects.create(
        structure=structure, titulaire=titulaire.strip(), iban=iban, bic=bic, created_by=acting_user
    )
    demander_modification(
        objet=coordonnees, changements={"active": True}, demandeur=acting_user,
        description=f"Ajout des coordonnées bancaires {iban[:4]}…{iban[-4:]}",
    )  # fmt: skip
    return coordonnees


def desactiver_coordonnees_bancaires(*, acting_user, coordonnees):
    _exiger_gestion(acting_user, coordonnees.structure)
    return demander_modification(
        objet=coordonnees, changements={"active": False}, demandeur=acting_user,
        description=f"Désactivation des coordonnées bancaires {coordonnees.iban[:4]}…{coordonnees.iban[-4:]}",
    )  # fmt: skip


@transaction.atomic
def souscrire_mandat_facturation(*, acting_user, structure):
    """The billing mandate that entering an invoice on the portal requires; effective after the delay."""
    _exiger_gestion(acting_user, structure)
    mandat, cree = MandatFacturation.objects.get_or_create(structure=structure, defaults={"souscrit_par": acting_user})
    if mandat.actif or modifications_en_attente(mandat).exists():
        raise ValidationError("Le mandat de facturation est déjà souscrit pour cette structure.")
    if not cree:
        MandatFacturation.objects.filter(pk=mandat.pk).update(souscrit_par=acting_user, souscrit_le=timezone.now())
    return demander_modification(
        objet=mandat, changements={"actif": True}, demandeur=acting_user,
        description="Souscription au mandat de facturation",
    )  # fmt: skip


_APPLICATEURS = {"organisation.structure": {"profils": _appliquer_profils}}
_APRES_APPLICATION = {"organisation.structure": _apres_modification_structure}


def modifier_utilisateur(*, acting_user, utilisateur, changements: dict):
    """The GP changes the identity of a user attached to one of their structures: a deferred change."""
    gerees = queries.structures_gerees_par(acting_user)
    if not Rattachement.objects.filter(
        utilisateur=utilisateur, structure__in=gerees, statut=StatutRattachement.ACTIF
    ).exists():
        raise PermissionDenied("Cet utilisateur n'est rattaché à aucune des structures que vous gérez.")
    return demander_modification(
        objet=utilisateur, changements=changements, demandeur=acting_user,
        description=f"Modification de l'utilisateur {utilisateur.get_full_name()}",
    )  # fmt: skip
