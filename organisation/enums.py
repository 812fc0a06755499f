"""Codes of the organisation domain: Chorus Pro's API values stored, the portal's words displayed."""

from django.db import models


class TypeIdentifiant(models.TextChoices):
    SIRET = "SIRET", "SIRET"
    UE_HORS_FRANCE = "UE_HORS_FRANCE", "Structure européenne hors France"
    HORS_UE = "HORS_UE", "Structure hors UE"
    RIDET = "RIDET", "RIDET"
    TAHITI = "TAHITI", "Numéro Tahiti"
    AUTRE = "AUTRE", "En cours d'immatriculation"
    PARTICULIER = "PARTICULIER", "Particulier"


# The types a structure may be created with on the portal: a public structure is always SIRET (INSEE's register);
# « En cours d'immatriculation » (AUTRE) is not offered. A particulier's identifier is given by the portal.
TYPES_IDENTIFIANT_PRIVES = [
    TypeIdentifiant.SIRET,
    TypeIdentifiant.UE_HORS_FRANCE,
    TypeIdentifiant.HORS_UE,
    TypeIdentifiant.RIDET,
    TypeIdentifiant.TAHITI,
    TypeIdentifiant.PARTICULIER,
]

# The annuaire's numeric scheme for TypeIdentifiant (1 SIRET ... 6 Autre).
CODE_ANNUAIRE_IDENTIFIANT = {
    TypeIdentifiant.SIRET: 1,
    TypeIdentifiant.UE_HORS_FRANCE: 2,
    TypeIdentifiant.HORS_UE: 3,
    TypeIdentifiant.RIDET: 4,
    TypeIdentifiant.TAHITI: 5,
    TypeIdentifiant.AUTRE: 6,
}


class TypeStructure(models.TextChoices):
    PRIVEE = "PRIVEE", "Privée"
    PUBLIQUE = "PUBLIQUE", "Publique"


class StatutStructure(models.TextChoices):
    EN_ATTENTE = "EN_ATTENTE", "En attente de validation"
    ACTIVE = "ACTIVE", "Active"
    INACTIVE = "INACTIVE", "Inactive"
    REFUSEE = "REFUSEE", "Création refusée"


class OptionMoa(models.TextChoices):
    SANS_MOA = "SANS_MOA", "Structure sans MOA"
    AVEC_MOA = "AVEC_MOA", "Structure avec MOA"
    MOA_UNIQUEMENT = "MOA_UNIQUEMENT", "Structure exclusivement MOA"


class Application(models.TextChoices):
    """The applications a profile (habilitation) opens, in Chorus Pro's order."""

    FACTURES_EMISES = "FACTURES_EMISES", "Factures émises"
    FACTURES_RECUES = "FACTURES_RECUES", "Factures reçues"
    FACTURES_A_VALIDER = "FACTURES_A_VALIDER", "Factures à valider"
    FACTURES_TRAVAUX = "FACTURES_TRAVAUX", "Factures de travaux"
    SOLLICITATIONS_EMISES = "SOLLICITATIONS_EMISES", "Sollicitations émises"
    SOLLICITATIONS_RECUES = "SOLLICITATIONS_RECUES", "Sollicitations reçues"
    ENGAGEMENTS = "ENGAGEMENTS", "Engagements"
    RACCORDEMENTS = "RACCORDEMENTS", "Raccordements"
    MES_MESSAGES = "MES_MESSAGES", "Mes messages"
    ORGANISATION = "ORGANISATION", "Organisation"


class Niveau(models.TextChoices):
    CONSULTATION = "consultation", "consultation"
    MODIFICATION = "modification", "modification"


def codename(application: str, niveau: str) -> str:
    """Guardian permission codename of a profile: ``factures_emises_modification``."""
    return f"{application.lower()}_{niveau}"


def niveaux_possibles(application: str) -> list[str]:
    # « Organisation » exists only in modification (the GP's profile by default).
    if application == Application.ORGANISATION:
        return [Niveau.MODIFICATION]
    return [Niveau.CONSULTATION, Niveau.MODIFICATION]


PROFILS = [(codename(app, niveau), f"{app.label} {niveau}") for app in Application for niveau in niveaux_possibles(app)]


class StatutRattachement(models.TextChoices):
    EN_ATTENTE = "EN_ATTENTE", "En attente d'approbation"
    # The gestionnaire's « Rattacher un utilisateur » invites: nothing applies until the user accepts.
    INVITE = "INVITE", "Invitation à accepter"
    ACTIF = "ACTIF", "Actif"
    REFUSE = "REFUSE", "Refusé"
    INACTIF = "INACTIF", "Détaché"


class TypeApprobation(models.TextChoices):
    CREATION_COMPTE = "CREATION_COMPTE", "Création de compte"
    RATTACHEMENT = "RATTACHEMENT", "Demande de rattachement"
    CREATION_STRUCTURE_PUBLIQUE = "CREATION_STRUCTURE_PUBLIQUE", "Création d'une structure publique"
    HABILITATIONS = "HABILITATIONS", "Gérer mes habilitations"
    CHANGEMENT_SIRET = "CHANGEMENT_SIRET", "Modifier mon numéro de SIRET"


class StatutApprobation(models.TextChoices):
    DEMANDE = "DEMANDE", "Demandé"
    APPROUVE = "APPROUVE", "Approuvé"
    REFUSE = "REFUSE", "Refusé"


class StatutRaccordement(models.TextChoices):
    """A technical account's or an API client's state, as its history records it (« Raccordements »)."""

    ACTIF = "ACTIF", "Actif"
    RENOUVELE = "RENOUVELE", "Secret renouvelé"
    REVOQUE = "REVOQUE", "Révoqué"


class StatutDoubleAuthentification(models.TextChoices):
    """Whether an account's second factor (TOTP application and recovery codes) is on."""

    INACTIVE = "INACTIVE", "Inactive"
    ACTIVE = "ACTIVE", "Active"
    # Off, as INACTIVE, but by the support desk (a lost phone): the history and the page say so.
    REINITIALISEE = "REINITIALISEE", "Réinitialisée par le support"
