"""What the demo loaders (``charger_demo``, ``bac_a_sable``, ``charger_demo_travaux``) build alike: structures
created the way the portal creates them (by their future gestionnaire, or by the support desk), a user attached
by the support desk (``rattachement_actif``, which the tests' factories use too), and a supplier made ready to
invoice at once. Demo data only: the 30-minute delay and the approbations are skipped where the demo must start
ready."""

from django.utils import timezone

from organisation import services
from organisation.enums import StatutRattachement, TypeStructure
from organisation.models import ModificationDifferee, Structure

# The demo suppliers' bank account.
IBAN_DEMO = "FR7630006000011234567890189"
BIC_DEMO = "AGRIFRPP882"


def _adresse(adresse: tuple[str, str, str]) -> dict:
    rue, code_postal, ville = adresse
    return {"adresse": rue, "code_postal": code_postal, "ville": ville}


def structure_privee(gp, siret: str, raison_sociale: str, *, adresse: tuple[str, str, str]) -> Structure:
    """A private structure created on the portal by its future gestionnaire principal.
    ``adresse``: (street, postcode, town)."""
    return services.creer_structure_par_utilisateur(
        acting_user=gp,
        siret=siret,
        raison_sociale=raison_sociale,
        type_structure=TypeStructure.PRIVEE,
        **_adresse(adresse),
    )


def structure_publique(identifiant: str, raison_sociale: str, *, adresse: tuple[str, str, str], **parametres):
    """A public structure created by the support desk, with its routing ``parametres`` (``option_moa``…)."""
    return services.creer_structure(
        acting_user=None,
        identifiant=identifiant,
        raison_sociale=raison_sociale,
        type_structure=TypeStructure.PUBLIQUE,
        role=services.ROLE_SUPPORT,
        **_adresse(adresse),
        **parametres,
    )


def rattachement_actif(utilisateur, structure, *, service=None, role=services.ROLE_SUPPORT):
    """An active rattachement made at once, without a request to approve, by the support desk (or ``role``, as its
    history records it): how the demo and the tests' factories attach a user."""
    return services._creer_rattachement(
        utilisateur=utilisateur,
        structure=structure,
        service=service,
        statut=StatutRattachement.ACTIF,
        acting_user=None,
        role=role,
    )


def rattacher_par_support(utilisateur, structure, *, service=None, gestionnaire: bool = False) -> None:
    """An active rattachement made by the support desk, with the default profiles, or every profile and the
    structure's management when ``gestionnaire``."""
    rattachement_actif(utilisateur, structure, service=service)
    if gestionnaire:
        services._devenir_gestionnaire(utilisateur=utilisateur, structure=structure)
    else:
        services.definir_profils(utilisateur=utilisateur, structure=structure, profils=services.profils_par_defaut())


def pret_a_facturer(gp, structure: Structure) -> None:
    """Bank details and the billing mandate, in effect now instead of in 30 minutes (with every other change the
    gestionnaire has pending)."""
    services.ajouter_coordonnees_bancaires(
        acting_user=gp, structure=structure, titulaire=structure.raison_sociale, iban=IBAN_DEMO, bic=BIC_DEMO
    )
    services.souscrire_mandat_facturation(acting_user=gp, structure=structure)
    ModificationDifferee.objects.filter(demandeur=gp, statut=ModificationDifferee.Statut.EN_ATTENTE).update(
        effective_at=timezone.now()
    )
    services.appliquer_modifications_dues()
