"""Deferred changes (the 30-minute rule): requested, cancelled, applied when due."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from chorus.messagerie import notifier
from chorus.securite import journaliser_apres_commit
from chorus.workflow import SYSTEME, Transition, Workflow
from organisation import queries
from organisation.enums import Application
from organisation.models import (
    CHAMPS_ADRESSE,
    HistoriqueModificationDifferee,
    ModificationDifferee,
    Structure,
    Utilisateur,
)
from organisation.services.habilitations import definir_profils, profils_par_defaut, tous_les_profils

logger = logging.getLogger(__name__)


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
        "raison_sociale",
        *CHAMPS_ADRESSE,
        "telephone",
        "courriel",
        "numero_rcs",
        "numero_tva",
        # Only through « Mettre à jour depuis la base INSEE » (``modifier_structure`` refuses it).
        "non_diffusible",
        *Structure.PARAMETRES_PUBLICS,
        "gestionnaire_principal_id",
        "profils",
    },
    "organisation.service": {"libelle", "engagement_obligatoire", "actif", "adresse", "code_postal", "ville"},
    "organisation.coordonneesbancaires": {"active", "titulaire", "bic"},
    "organisation.mandatfacturation": {"actif"},
}


def _cle(model) -> str:
    return model._meta.label_lower


MESSAGE_IDENTITE = (
    "L'identité d'un utilisateur (nom, prénom, téléphone) ne peut être modifiée que par lui-même, "
    "depuis « Mon compte », ou par le support Chorus Pro."
)


def peut_modifier_identite(*, demandeur, utilisateur) -> bool:
    """An identity is portal-wide: a gestionnaire of one structure must not rename someone who also works for
    others, so only the person (« Mon compte ») or the support desk changes it."""
    return demandeur is not None and (demandeur.pk == utilisateur.pk or queries.est_agent_support(demandeur))


def demander_modification(*, objet, changements: dict, demandeur: Utilisateur, description: str):
    """Store a change to ``objet`` that the beat sweep applies after ``CHORUS_DELAI_MODIFICATION``."""
    autorises = CHAMPS_DIFFERABLES.get(_cle(objet), set())
    interdits = set(changements) - autorises
    if interdits:
        raise ValidationError(f"Ces champs ne peuvent pas être modifiés : {', '.join(sorted(interdits))}.")
    if not changements:
        raise ValidationError("Aucune modification à enregistrer.")
    if isinstance(objet, Utilisateur) and not peut_modifier_identite(demandeur=demandeur, utilisateur=objet):
        raise PermissionDenied(MESSAGE_IDENTITE)
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
        HistoriqueModificationDifferee.ajouter_creation(
            objet=modification,
            acting_user=demandeur,
            role=ROLE_DEMANDEUR,
            statut=modification.statut,
        )
    return modification


def modifications_en_attente(objet):
    return ModificationDifferee.objects.filter(
        content_type=ContentType.objects.get_for_model(objet),
        object_id=objet.pk,
        statut=ModificationDifferee.Statut.EN_ATTENTE,
    ).order_by("effective_at", "id")


# How long a change that was not applied stays listed beside the pending ones (the history keeps it for good).
ECHECS_AFFICHES_PENDANT = timedelta(days=30)


def modifications_en_echec(objet):
    """Recent changes of ``objet`` that were not applied, with their reason (``derniere_erreur``)."""
    return ModificationDifferee.objects.filter(
        content_type=ContentType.objects.get_for_model(objet),
        object_id=objet.pk,
        statut=ModificationDifferee.Statut.ECHEC,
        effective_at__gte=timezone.now() - ECHECS_AFFICHES_PENDANT,
    ).order_by("-effective_at", "-id")


def modifications_non_appliquees_de(demandeur):
    """The recent changes ``demandeur`` asked for that were not applied, whatever their target: the requester sees
    them on « Mon compte » even after losing access to the structure concerned."""
    return ModificationDifferee.objects.filter(
        demandeur=demandeur,
        statut=ModificationDifferee.Statut.ECHEC,
        effective_at__gte=timezone.now() - ECHECS_AFFICHES_PENDANT,
    ).order_by("-effective_at", "-id")


def annuler_modification(*, modification: ModificationDifferee, acting_user: Utilisateur):
    return CIRCUIT_MODIFICATION.transition(
        modification, to=ModificationDifferee.Statut.ANNULEE, acting_user=acting_user, role=ROLE_DEMANDEUR
    )


# The fields « Mode d'émission et de réception » changes: a « Raccordements » profile is enough to ask for them.
CHAMPS_MODE_ECHANGE = {"emetteur_edi", "recepteur_edi", "mise_en_paiement_non_remontee"}


class DroitsRetires(Exception):
    """The requester may no longer make the change when it is due: it is refused, nothing is applied."""


def _refus_des_droits(modification: ModificationDifferee, cible) -> str:
    """Why the requester may no longer make this change, or "" when they still may. Rights are checked again when
    the change applies: in 30 minutes the requester may have lost the GP role, a profile or their attachment."""
    demandeur = modification.demandeur
    changements = modification.changements
    if not demandeur.is_active:
        return "le compte du demandeur n'est plus actif"
    if isinstance(cible, Utilisateur):
        # An identity is changed only by the person or the support (``peut_modifier_identite``): a change a
        # gestionnaire queued before that rule is refused when it comes due.
        if peut_modifier_identite(demandeur=demandeur, utilisateur=cible):
            return ""
        return "seul l'utilisateur lui-même ou le support Chorus Pro peut modifier son identité"
    structure = cible if _cle(type(cible)) == "organisation.structure" else cible.structure
    if "gestionnaire_principal_id" in changements:
        if structure.gestionnaire_principal_id != demandeur.pk:
            return "le demandeur n'est plus le gestionnaire principal de la structure"
        nouveau = changements["gestionnaire_principal_id"]
        if not queries.utilisateurs_de(structure).filter(pk=nouveau, is_active=True).exists():
            return "le nouveau gestionnaire n'est plus un utilisateur actif de la structure"
    if set(changements) <= CHAMPS_MODE_ECHANGE:
        if not queries.structures_raccordees_par(demandeur).filter(pk=structure.pk).exists():
            return "le demandeur n'a plus le profil « Raccordements » en modification sur la structure"
    elif not queries.structures_gerees_par(demandeur).filter(pk=structure.pk).exists():
        return "le demandeur n'a plus le profil « Organisation modification » sur la structure"
    if "profils" in changements and not (
        queries.utilisateurs_de(structure).filter(pk=changements["profils"]["utilisateur"]).exists()
    ):
        return "l'utilisateur concerné n'est plus rattaché à la structure"
    return ""


def _appliquer(modification: ModificationDifferee) -> None:
    model = modification.content_type.model_class()
    label = _cle(model)
    autorises = CHAMPS_DIFFERABLES.get(label, set())
    cible = model._default_manager.select_for_update().get(pk=modification.object_id)
    refus = _refus_des_droits(modification, cible)
    if refus:
        raise DroitsRetires(refus)
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
    if model is Utilisateur and champs:
        # An identity change of an account (names, telephone) is a security event: who asked, which fields.
        journaliser_apres_commit(
            "compte.modifie",
            utilisateur=cible.pk,
            par=modification.demandeur_id,
            champs=sorted(champs),
            modification=modification.pk,
        )


def _echouer(modification: ModificationDifferee, motif: str, *, tentatives: int) -> None:
    """Mark the change « Non appliquée » through the transition engine (history with the motive) and tell the
    requester why, so they can ask again."""
    CIRCUIT_MODIFICATION.transition(
        modification,
        to=ModificationDifferee.Statut.ECHEC,
        acting_user=None,
        role=SYSTEME,
        motif=motif,
        extra_updates={"tentatives": tentatives, "derniere_erreur": motif},
    )
    notifier(
        [modification.demandeur],
        evenement="ORGANISATION_MODIFICATION",
        sujet="Chorus Pro - Votre modification n'a pas pris effet",
        corps=(
            f"Bonjour,\n\nLa modification suivante n'a pas pris effet : {modification.description}.\n"
            f"Motif : {motif}\n\nVous pouvez la demander à nouveau si elle est toujours nécessaire.\n\n"
            "Cordialement,\nL'équipe Chorus Pro"
        ),
    )


def appliquer_modifications_dues(*, limit: int = 1000) -> int:
    """Apply, in order, every pending change that is due. Idempotent and safe with several workers: each row is
    taken with SKIP LOCKED and applied in the transaction that marks it applied.

    A change that cannot apply for good (target gone, invalid value) or whose requester lost the right to make it is
    marked « Non appliquée » at once. Any other error counts one attempt and the sweep goes on with the next changes;
    after ``CHORUS_MODIFICATION_TENTATIVES_MAX`` attempts (one per sweep) the change is marked « Non appliquée ».
    Until then the later changes of the same target wait, so that changes of one object still apply in order."""
    applied = 0
    maximum = settings.CHORUS_MODIFICATION_TENTATIVES_MAX
    cibles_en_attente: set[tuple[int, int]] = set()
    for _ in range(limit):
        with transaction.atomic():
            dues = ModificationDifferee.objects.select_for_update(skip_locked=True).filter(
                statut=ModificationDifferee.Statut.EN_ATTENTE, effective_at__lte=timezone.now()
            )
            for content_type_id, object_id in cibles_en_attente:
                dues = dues.exclude(content_type_id=content_type_id, object_id=object_id)
            modification = dues.select_related("demandeur").order_by("effective_at", "id").first()
            if modification is None:
                break
            tentatives = modification.tentatives + 1
            try:
                with transaction.atomic():
                    _appliquer(modification)
            except DroitsRetires as exc:
                _echouer(modification, f"Modification refusée à son application : {exc}.", tentatives=tentatives)
                continue
            except ValidationError as exc:
                motif = f"La modification n'a pas pu être appliquée : {' '.join(exc.messages)}"
                _echouer(modification, motif, tentatives=tentatives)
                continue
            except ObjectDoesNotExist as exc:
                _echouer(modification, f"La modification n'a pas pu être appliquée : {exc}", tentatives=tentatives)
                continue
            except Exception as exc:  # noqa: BLE001 - any other failure counts an attempt instead of stopping the sweep
                logger.exception("Modification différée %s : tentative %s en échec", modification.pk, tentatives)
                raison = f"erreur technique ({type(exc).__name__})"
                if tentatives >= maximum:
                    motif = f"La modification n'a pas pu être appliquée après {tentatives} tentatives : {raison}."
                    _echouer(modification, motif, tentatives=tentatives)
                else:
                    ModificationDifferee.objects.filter(pk=modification.pk).update(
                        tentatives=tentatives,
                        derniere_erreur=f"Tentative {tentatives} sur {maximum} en échec : {raison}.",
                    )
                    cibles_en_attente.add((modification.content_type_id, modification.object_id))
                continue
            CIRCUIT_MODIFICATION.transition(
                modification,
                to=ModificationDifferee.Statut.APPLIQUEE,
                acting_user=None,
                role=SYSTEME,
                extra_updates={"appliquee_le": timezone.now(), "tentatives": tentatives},
            )
            notifier(
                [modification.demandeur],
                evenement="ORGANISATION_MODIFICATION",
                sujet="Chorus Pro - Votre modification a pris effet",
                corps=(
                    f"Bonjour,\n\nLa modification suivante a pris effet le "
                    f"{timezone.localtime():%d/%m/%Y à %H:%M} : {modification.description}.\n\n"
                    "Cordialement,\nL'équipe Chorus Pro"
                ),
            )
            applied += 1
    return applied


def _apres_modification_structure(structure, anciennes: dict) -> None:
    if "gestionnaire_principal_id" in anciennes:
        ancien = anciennes["gestionnaire_principal_id"]
        if ancien and ancien != structure.gestionnaire_principal_id:
            definir_profils(
                utilisateur=Utilisateur(pk=ancien),
                structure=structure,
                profils={**profils_par_defaut(), Application.ORGANISATION: None},
            )
        definir_profils(utilisateur=structure.gestionnaire_principal, structure=structure, profils=tous_les_profils())


def _appliquer_profils(structure, valeur: dict) -> None:
    utilisateur = Utilisateur.objects.get(pk=valeur["utilisateur"])
    definir_profils(utilisateur=utilisateur, structure=structure, profils=valeur["profils"])


_APPLICATEURS = {"organisation.structure": {"profils": _appliquer_profils}}
_APRES_APPLICATION = {"organisation.structure": _apres_modification_structure}
