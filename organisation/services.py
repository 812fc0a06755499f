"""Every operation of the organisation domain that changes state."""

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chorus.mail import envoyer_email
from chorus.workflow import SYSTEME, Transition, Workflow
from organisation.models import HistoriqueModificationDifferee, ModificationDifferee, Utilisateur

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
}


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
    autorises = CHAMPS_DIFFERABLES.get(_cle(model), set())
    cible = model._default_manager.select_for_update().get(pk=modification.object_id)
    champs = [name for name in modification.changements if name in autorises]
    for name in champs:
        setattr(cible, name, modification.changements[name])
    cible.full_clean(exclude=[f.name for f in model._meta.fields if f.name not in champs])
    cible.save(update_fields=champs)


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
