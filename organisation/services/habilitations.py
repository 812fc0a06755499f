"""Profiles (habilitations) per application, as django-guardian object permissions."""

import logging

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError

from chorus.securite import journaliser_apres_commit
from organisation.enums import Application, Niveau, codename, niveaux_possibles
from organisation.models import StructureUserObjectPermission
from organisation.queries import applications_ouvertes, codenames_ouverts

logger = logging.getLogger(__name__)


ROLE_GESTIONNAIRE = "GESTIONNAIRE"
ROLE_SUPPORT = "SUPPORT"
ROLE_UTILISATEUR = "UTILISATEUR"


def profils_par_defaut() -> dict[str, str]:
    """A new user gets every profile of an application that exists (``applications_ouvertes``), in modification,
    except « Organisation » (the GP's)."""
    return {app: Niveau.MODIFICATION for app in applications_ouvertes() if app != Application.ORGANISATION}


def tous_les_profils() -> dict[str, str]:
    return {app: Niveau.MODIFICATION for app in applications_ouvertes()}


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
        if niveau is not None and application not in applications_ouvertes():
            raise ValidationError(
                f"Le profil « {Application(application).label} » ne donne accès à aucune application du portail."
            )
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
    journaliser_apres_commit(
        "habilitations.modifiees",
        utilisateur=utilisateur.pk,
        structure=structure.pk,
        profils={str(a): n and str(n) for a, n in profils.items()},
    )


def profils_de(*, utilisateur, structure) -> dict[str, str]:
    """{application: niveau} for the user on the structure."""
    result = {}
    for code in StructureUserObjectPermission.objects.filter(
        user=utilisateur, content_object=structure, permission__codename__in=codenames_ouverts()
    ).values_list("permission__codename", flat=True):
        application, _, niveau = code.rpartition("_")
        application = application.upper()
        # Modification wins if, by history, both rows exist.
        if result.get(application) != Niveau.MODIFICATION:
            result[application] = niveau
    return result
