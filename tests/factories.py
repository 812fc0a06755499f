"""Every test factory of the project, in one place."""

import io
import random
import string
from pathlib import Path

import factory
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from organisation import demo
from organisation import queries as org_queries
from organisation import services as org_services
from organisation.enums import StatutStructure, TypeIdentifiant, TypeStructure
from organisation.models import EtablissementInsee, Service, Structure, Utilisateur

MOT_DE_PASSE = "Mot-de-passe-solide-2026"
ECHANTILLON_SIRENE = Path(__file__).parent / "organisation" / "data" / "sirene_sample.csv"


class UtilisateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utilisateur
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@exemple.fr")
    prenom = factory.Faker("first_name", locale="fr_FR")
    nom = factory.Faker("last_name", locale="fr_FR")
    telephone = "01 02 03 04 05"
    password = factory.django.Password(MOT_DE_PASSE)

    class Params:
        verrouille = factory.Trait(
            verrouille_jusqu_au=factory.LazyFunction(
                lambda: timezone.now().replace(microsecond=0) + timezone.timedelta(hours=1)
            )
        )
        # An agent of the support desk, as the demo makes them: staff, in the « Support » group (below).
        agent_support = factory.Trait(is_staff=True)

    groupe_support = factory.Maybe(
        "agent_support",
        yes_declaration=factory.PostGeneration(
            lambda utilisateur, create, extracted, **kwargs: utilisateur.groups.add(
                Group.objects.get_or_create(name=org_queries.GROUPE_SUPPORT)[0]
            )
        ),
    )


def _cle_luhn(chiffres: str) -> str:
    """The digit that completes ``chiffres`` into a number satisfying Luhn's checksum (the SIRET's key)."""
    total = 0
    for position, caractere in enumerate(reversed(chiffres)):
        valeur = int(caractere)
        if position % 2 == 0:  # doubled: the check digit will take position 0
            valeur *= 2
            if valeur > 9:
                valeur -= 9
        total += valeur
    return str((10 - total % 10) % 10)


def siret_aleatoire() -> str:
    """A valid SIRET: a SIREN (8 random digits and its Luhn key), a NIC of 4 random digits, and the Luhn key of
    the 14 digits (never La Poste's SIREN, which follows another rule)."""
    while True:
        debut = "".join(random.choices(string.digits, k=8))
        siren = debut + _cle_luhn(debut)
        if siren != "356000000":
            debut = siren + "".join(random.choices(string.digits, k=4))
            return debut + _cle_luhn(debut)


def structure_privee(gp, raison_sociale="ACME SAS", **champs):
    """A structure created by ``gp`` through « Créer une structure »: they are its GP. Private and with a random
    SIRET unless ``champs`` says otherwise (``siret``, ``type_structure``, its address…)."""
    champs = {"siret": siret_aleatoire(), "type_structure": TypeStructure.PRIVEE, **champs}
    return org_services.creer_structure_par_utilisateur(acting_user=gp, raison_sociale=raison_sociale, **champs)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    type_identifiant = TypeIdentifiant.SIRET
    identifiant = factory.LazyFunction(siret_aleatoire)
    raison_sociale = factory.Faker("company", locale="fr_FR")
    type_structure = TypeStructure.PRIVEE
    statut = StatutStructure.ACTIVE
    adresse = factory.Faker("street_address", locale="fr_FR")
    code_postal = factory.Faker("postcode", locale="fr_FR")
    ville = factory.Faker("city", locale="fr_FR")

    class Params:
        publique = factory.Trait(type_structure=TypeStructure.PUBLIQUE)
        inactive = factory.Trait(statut=StatutStructure.INACTIVE)
        en_attente = factory.Trait(statut=StatutStructure.EN_ATTENTE)
        refusee = factory.Trait(statut=StatutStructure.REFUSEE)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    structure = factory.SubFactory(StructureFactory, publique=True)
    code = factory.Sequence(lambda n: f"SERVICE{n:04d}")
    libelle = factory.Sequence(lambda n: f"Service n° {n}")
    actif = True

    class Params:
        inactif = factory.Trait(actif=False)


def base_insee_exemple():
    """The portal's INSEE base filled from the sample extract by its own import (``manage.py import_sirene``):
    the Ville de Paris (21750001600019) among others."""
    call_command("import_sirene", str(ECHANTILLON_SIRENE), stdout=io.StringIO())


class EtablissementInseeFactory(factory.django.DjangoModelFactory):
    """A row of the imported INSEE base (``manage.py import_sirene``); private and active unless told."""

    class Meta:
        model = EtablissementInsee

    siret = factory.LazyFunction(siret_aleatoire)
    raison_sociale = factory.Faker("company", locale="fr_FR")
    adresse = factory.Faker("street_address", locale="fr_FR")
    code_postal = factory.Faker("postcode", locale="fr_FR")
    ville = factory.Faker("city", locale="fr_FR")
    categorie_juridique = "5710"
    est_public = False
    actif = True

    class Params:
        publique = factory.Trait(categorie_juridique="7220", est_public=True)
        ferme = factory.Trait(actif=False)


def rattacher(gp, utilisateur, structure, service=None):
    """The usual way a user ends up attached: the gestionnaire's invitation (« Rattacher un utilisateur »), accepted
    by the user in « Mes rattachements »."""
    invitation = org_services.rattacher_utilisateur(
        acting_user=gp, email=utilisateur.email, structure=structure, service=service
    )
    org_services.repondre_invitation(utilisateur=utilisateur, rattachement=invitation, accepter=True)
    return invitation


def habiliter(utilisateur, structure, *, profils=None, service=None, role=org_services.ROLE_SUPPORT):
    """Attach ``utilisateur`` to ``structure`` (or only to its ``service``) at once, as the support desk does, then
    give it ``profils`` ({application: niveau}; None: attached without any profile). ``role``: who attached it, as
    the attachment's history records it."""
    demo.rattachement_actif(utilisateur, structure, service=service, role=role)
    if profils is not None:
        org_services.definir_profils(utilisateur=utilisateur, structure=structure, profils=profils)
    return utilisateur


def utilisateur_de(structure, *, profils=None, service=None, role=org_services.ROLE_SUPPORT, **utilisateur):
    """A new user (``utilisateur``: its fields) attached to ``structure`` with ``profils`` (``habiliter``)."""
    return habiliter(UtilisateurFactory(**utilisateur), structure, profils=profils, service=service, role=role)
