"""Codes of the sollicitations domain: stored values in capitals, the portal's words as labels.

The statuses are those of Chorus Pro's « Traiter une sollicitation » screen (seed 001: « En cours », « Demande
d'information », « Résolue », « Mauvaise affectation ») around the deposit (« À traiter », the « Etat » column of
« Mes sollicitations à traiter ») and the sender's closing (« Clôturée », the header's « Date de Clôture »).
Chorus Pro's API codes for sollicitation statuses are not published (reference §8, question 5): the codes below
are ours. « Réaffectée » (the support sends a request to a public structure's service) is not in the seeds.
"""

from django.db import models


class StatutSollicitation(models.TextChoices):
    A_TRAITER = "A_TRAITER", "À traiter"
    EN_COURS = "EN_COURS", "En cours"
    DEMANDE_INFORMATION = "DEMANDE_INFORMATION", "Demande d'information"
    RESOLUE = "RESOLUE", "Résolue"
    CLOTUREE = "CLOTUREE", "Clôturée"
    # Transient: the business service hands the request to the support desk, which receives it « À traiter ».
    MAUVAISE_AFFECTATION = "MAUVAISE_AFFECTATION", "Mauvaise affectation"
    # Transient: the support desk hands the request to a public structure's service, which receives it « À traiter ».
    REAFFECTEE = "REAFFECTEE", "Réaffectée par le support"


S = StatutSollicitation

# Who sees which word, the badges and the transition table: the lifecycle, ``sollicitations.statuts``.

# What the sender's Synthèse lists: the requests that wait for the sender (a complement to give, an answer to accept
# or send back).
STATUTS_ATTENTE_EMETTEUR = [S.DEMANDE_INFORMATION, S.RESOLUE]
# « Mes sollicitations à traiter » of the receiving side: new ones, answered complements and sent-back answers (all
# « À traiter ») and those taken in charge (« En cours »).
STATUTS_A_TRAITER = [S.A_TRAITER, S.EN_COURS]


class Acheminement(models.TextChoices):
    """Where a sous-catégorie sends a request (seed 001: « soit au support du portail Chorus Pro soit à un service
    « métier » chargé du traitement des factures reçues »)."""

    SUPPORT = "SUPPORT", "Support Chorus Pro"
    SERVICE_METIER = "SERVICE_METIER", "Service métier de la structure publique désignée"


# Actors of the status machine.
EMETTEUR = "EMETTEUR"  # a user of the sending structure (« Sollicitations émises »)
DESTINATAIRE = "DESTINATAIRE"  # a user of the receiving public structure's service (« Sollicitations reçues »)
SUPPORT = "SUPPORT"  # an agent of the platform's support desk

LIBELLES_ROLES = {EMETTEUR: "Déposant", DESTINATAIRE: "Service destinataire", SUPPORT: "Support Chorus Pro"}

# Attachments: what Chorus Pro's sollicitation screen accepts is not documented; these limits are ours (the 10 Mo
# per file is the portal's rule for invoices' attachments).
TAILLE_MAX_PIECE = 10 * 1024 * 1024
MAX_PIECES_PAR_ENVOI = 5
MAX_PIECES_PAR_SOLLICITATION = 20
LONGUEUR_MAX_NOM_FICHIER = 100
