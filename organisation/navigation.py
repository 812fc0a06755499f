from django.urls import reverse

from chorus.messagerie import TypeMessage, register_type_message
from chorus.navigation import (
    Application,
    EntreeMenu,
    Onglet,
    SourceApprobations,
    register_action_publique,
    register_application,
    register_approbations,
    register_menu_utilisateur,
    register_onglets,
)
from chorus.workflow import TransitionInterdite
from organisation import queries, services
from organisation.enums import Application as App
from organisation.enums import Niveau


def _gestionnaire(user) -> bool:
    return queries.a_application(user, App.ORGANISATION, Niveau.MODIFICATION)


for application in [
    Application(
        "MON_COMPTE",
        "Mon compte",
        "ORGANISATION",
        "mon_compte",
        "Consulter et modifier vos informations personnelles et votre mot de passe.",
        ordre=90,
    ),
    Application(
        "MES_RATTACHEMENTS",
        "Mes rattachements",
        "ORGANISATION",
        "mes_rattachements",
        "Les structures et services auxquels vous êtes rattaché ; demander un rattachement.",
        ordre=10,
    ),
    Application(
        "MES_HABILITATIONS",
        "Mes habilitations",
        "ORGANISATION",
        "mes_habilitations",
        "Vos profils par structure ; demander l'ajout ou la suppression d'un profil.",
        ordre=20,
    ),
    Application(
        "UTILISATEURS",
        "Utilisateurs de mes structures",
        "ORGANISATION",
        "utilisateurs",
        "Consulter, rattacher et détacher les utilisateurs de vos structures.",
        ordre=30,
        accessible=_gestionnaire,
    ),
    Application(
        "GERER_STRUCTURES",
        "Gérer mes structures",
        "ORGANISATION",
        "mes_structures",
        "Consulter vos structures ; créer une structure ; modifier, activer ou désactiver celles que vous gérez, "
        "leurs services, coordonnées bancaires et mandat de facturation ; modifier le numéro de SIRET.",
        ordre=25,
    ),
    Application(
        "HISTORIQUE_GESTIONNAIRE",
        "Historique des actions du gestionnaire",
        "ORGANISATION",
        "historique_gestionnaire",
        "Les rattachements, approbations, habilitations et modifications de vos structures : qui, quand, quoi.",
        ordre=50,
        accessible=_gestionnaire,
    ),
    Application(
        "GERER_HABILITATIONS",
        "Gérer les habilitations des utilisateurs",
        "ORGANISATION",
        "gerer_habilitations",
        "Ajouter, modifier ou supprimer les profils des utilisateurs.",
        ordre=40,
        accessible=_gestionnaire,
    ),
]:
    register_application(application)


def _agent_support(user) -> bool:
    # Support agents are staff: nobody else is asked about their groups (no query more on the Domaines page).
    return user.is_staff and queries.est_agent_support(user)


register_application(
    Application(
        "REINITIALISER_DOUBLE_AUTHENTIFICATION",
        "Réinitialiser une double authentification",
        "ORGANISATION",
        "reinitialiser_double_authentification",
        "Support : supprimer la double authentification d'un utilisateur qui a perdu son application et ses codes "
        "de secours.",
        ordre=95,
        accessible=_agent_support,
    )
)


def _raccordements(user) -> bool:
    # The pages' own rule (``structures_raccordees_par``: a user attached to some services only never works with the
    # structure's raccordements); the profiles, read once per request, decide first: most users cost no query.
    if not (queries.a_application(user, App.RACCORDEMENTS) or _gestionnaire(user)):
        return False
    return queries.structures_raccordees_par(user, Niveau.CONSULTATION).exists()


register_application(
    Application(
        "RACCORDEMENTS",
        "Raccordements",
        "RACCORDEMENT",
        "raccordements_comptes",
        "Comptes techniques et clients de l'API, suivi des flux déposés, mode d'émission et de réception de vos "
        "structures.",
        ordre=10,
        accessible=_raccordements,
    )
)
register_onglets(
    "RACCORDEMENTS",
    "Raccordements",
    [
        Onglet("Comptes techniques", "raccordements_comptes"),
        Onglet("Clients API", "raccordements_clients"),
        Onglet("Mode d'émission et de réception", "raccordements_mode_echange"),
    ],
)

register_menu_utilisateur(EntreeMenu(libelle="Mon compte", url_name="mon_compte", ordre=10))
register_menu_utilisateur(EntreeMenu(libelle="Mes rattachements", url_name="mes_rattachements", ordre=20))
register_menu_utilisateur(EntreeMenu(libelle="Mes habilitations", url_name="mes_habilitations", ordre=30))

register_action_publique(EntreeMenu(libelle="Créer un compte", url_name="creer_compte", ordre=10))
register_action_publique(EntreeMenu(libelle="Annuaire des structures publiques", url_name="annuaire", ordre=20))


def _compter(user) -> int:
    return queries.approbations_a_traiter(user).count()


def _lister(user) -> list[dict]:
    return [
        {
            "id": f"ORGANISATION:{a.pk}",
            "etat": a.get_statut_display(),
            "description": a.get_type_display(),
            "demandeur": a.demandeur.get_full_name(),
            "structure": a.structure.raison_sociale,
            "service": a.service.libelle if a.service_id else "",
            "date": a.created_at,
            "url": reverse("approbation", args=[a.pk]),
        }
        for a in queries.approbations_a_traiter(user)[:200]
    ]


def _decider(user, ids, approuver, motif) -> tuple[int, list[str]]:
    """Each selected request is decided on its own (its own transaction and e-mail); one that the user may not
    decide, or that someone already decided, is reported and the others go through."""
    from django.core.exceptions import PermissionDenied

    nombre, erreurs = 0, []
    a_traiter = list(queries.approbations_a_traiter(user).filter(pk__in=ids))
    if len(a_traiter) < len(set(ids)):
        erreurs.append("Certaines demandes sélectionnées ont déjà été traitées ou ne vous sont pas adressées.")
    for approbation in a_traiter:
        if approbation.demandeur_id == user.pk:
            erreurs.append(f"{approbation.get_type_display()} : vous ne pouvez pas décider de votre propre demande.")
            continue
        try:
            services.decider(approbation=approbation, acting_user=user, approuver=approuver, motif=motif)
        except (PermissionDenied, TransitionInterdite) as exc:
            message = exc.message if isinstance(exc, TransitionInterdite) else str(exc)
            erreurs.append(f"{approbation.get_type_display()} de {approbation.demandeur.get_full_name()} : {message}")
        else:
            nombre += 1
    return nombre, erreurs


register_approbations(SourceApprobations(code="ORGANISATION", compter=_compter, lister=_lister, decider=_decider))


# « Mes messages »: the notifications of accounts, rattachements and structures (``organisation.services``).
for type_message in [
    TypeMessage("ORGANISATION_APPROBATION", "Demande qui attend mon approbation", "Organisation", ordre=70),
    TypeMessage("ORGANISATION_DECISION", "Décision sur mes demandes", "Organisation", ordre=71),
    TypeMessage(
        "ORGANISATION_RATTACHEMENT", "Rattachement à une structure ou fin de rattachement", "Organisation", ordre=72
    ),
    TypeMessage("ORGANISATION_MODIFICATION", "Modification de structure qui a pris effet", "Organisation", ordre=73),
    TypeMessage(
        "ORGANISATION_DOUBLE_AUTHENTIFICATION",
        "Activation, désactivation ou réinitialisation de ma double authentification",
        "Organisation",
        ordre=74,
    ),
    TypeMessage(
        "RACCORDEMENTS_EXPIRATION", "Mot de passe d'un compte technique bientôt expiré", "Raccordements", ordre=80
    ),
]:
    register_type_message(type_message)
