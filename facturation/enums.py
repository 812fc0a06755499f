"""Codes of the invoicing domain: Chorus Pro's API values stored, the portal's words displayed."""

from datetime import timedelta

from django.db import models


class Cadre(models.TextChoices):
    """Every cadre de facturation the portal handles: the invoices' (A1, A2, A9, A12) and the works pieces' (A4…A25,
    ``travaux.statuts.CADRES`` says who deposits each and what may follow it). Labels of the works cadres as the
    portal words them (seed 001: « A15 – État d'acompte déposé par une MOE »). A3 (frais de justice), A11 (withdrawn,
    reference 1.1) and A21 (remboursement TIC) have no application here and are left out."""

    A1 = "A1_FACTURE_FOURNISSEUR", "A1 – Dépôt par un fournisseur d'une facture"
    A2 = "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE", "A2 – Dépôt par un fournisseur d'une facture déjà payée"
    A9 = "A9_FACTURE_SOUSTRAITANT", "A9 – Dépôt par un sous-traitant d'une facture"
    A12 = "A12_FACTURE_COTRAITANT", "A12 – Dépôt par un cotraitant d'une facture"
    A4 = "A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR", "A4 – Projet de décompte mensuel déposé par un fournisseur"
    A5 = "A5_ETAT_ACOMPTE_FOURNISSEUR", "A5 – État d'acompte déposé par un fournisseur"
    A6 = "A6_ETAT_ACOMPTE_VALIDE_FOURNISSEUR", "A6 – État d'acompte validé déposé par un fournisseur"
    A7 = "A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR", "A7 – Projet de décompte final déposé par un fournisseur"
    A8 = (
        "A8_DECOMPTE_GENERAL_DEFINITIF_FOURNISSEUR",
        "A8 – Décompte général et définitif signé déposé par un fournisseur",
    )
    A10 = "A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT", "A10 – Projet de décompte mensuel déposé par un sous-traitant"
    A13 = "A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT", "A13 – Projet de décompte mensuel déposé par un cotraitant"
    A14 = "A14_PROJET_DECOMPTE_FINAL_COTRAITANT", "A14 – Projet de décompte final déposé par un cotraitant"
    A15 = "A15_ETAT_ACOMPTE_MOE", "A15 – État d'acompte déposé par une MOE"
    A16 = "A16_ETAT_ACOMPTE_VALIDE_MOE", "A16 – État d'acompte validé déposé par une MOE"
    A17 = "A17_PROJET_DECOMPTE_GENERAL_MOE", "A17 – Projet de décompte général déposé par une MOE"
    A18 = "A18_DECOMPTE_GENERAL_MOE", "A18 – Décompte général déposé par une MOE"
    A19 = "A19_ETAT_ACOMPTE_VALIDE_MOA", "A19 – État d'acompte validé déposé par une MOA"
    A20 = "A20_DECOMPTE_GENERAL_MOA", "A20 – Décompte général déposé par une MOA"
    A22 = (
        "A22_PROJET_DECOMPTE_GENERAL_FOURNISSEUR_PROCEDURE_TACITE",
        "A22 – Projet de décompte général déposé par un fournisseur (procédure tacite)",
    )
    A23 = (
        "A23_DECOMPTE_GENERAL_DEFINITIF_TACITE_FOURNISSEUR",
        "A23 – Décompte général définitif et tacite déposé par un fournisseur",
    )
    A24 = "A24_DECOMPTE_GENERAL_DEFINITIF_TACITE_MOE", "A24 – Décompte général définitif et tacite déposé par une MOE"
    A25 = (
        "A25_DECOMPTE_GENERAL_DEFINITIF_MOE_PROCEDURE_TACITE",
        "A25 – Décompte général définitif déposé par une MOA (procédure tacite)",
    )

    @property
    def code(self) -> str:
        """« A15 »: the short code the portal's screens and BT-23 use."""
        return self.value.split("_", 1)[0]


# The invoices' cadres (« Factures émises », saisie, dépôt, API soumettre); the others are works pieces.
CADRES_FACTURE = (Cadre.A1, Cadre.A2, Cadre.A9, Cadre.A12)
CHOIX_CADRES_FACTURE = [(c.value, c.label) for c in CADRES_FACTURE]
# The works pieces that are payment requests (reference 1.4, rows 5, 6, 8, 12, 14): each continues as an invoice
# (``Facture.TypeDemandePaiement.FACTURE_TRAVAUX``) in the financial service's « Factures reçues ». The works chain
# (``travaux.statuts``) reads this set.
CADRES_PAYABLES_TRAVAUX = (Cadre.A6, Cadre.A8, Cadre.A16, Cadre.A19, Cadre.A23, Cadre.A24, Cadre.A25)
CHOIX_CADRES_RECUS = [(c.value, c.label) for c in (*CADRES_FACTURE, *CADRES_PAYABLES_TRAVAUX)]


CADRES_AVEC_VALIDEUR = {Cadre.A9, Cadre.A12}
# Reference 2.6 (VERIFIED): the titulaire has 15 days to validate a sous-traitant's invoice; then validation is
# tacit. Counted from the invoice's (last) arrival in « À valider », as recorded in its history.
DELAI_VALIDATION_TACITE = timedelta(days=15)


class TypeFacture(models.TextChoices):
    FACTURE = "FACTURE", "Facture"
    AVOIR = "AVOIR", "Avoir"


class TypeTva(models.TextChoices):
    TVA_SUR_DEBIT = "TVA_SUR_DEBIT", "TVA sur les débits"
    TVA_SUR_ENCAISSEMENT = "TVA_SUR_ENCAISSEMENT", "TVA sur les encaissements"
    EXONERATION = "EXONERATION", "Exonération de TVA"
    SANS_TVA = "SANS_TVA", "Sans TVA"


class ModePaiement(models.TextChoices):
    VIREMENT = "VIREMENT", "Virement"
    CHEQUE = "CHEQUE", "Chèque"
    PRELEVEMENT = "PRELEVEMENT", "Prélèvement"
    ESPECE = "ESPECE", "Espèces"
    AUTRE = "AUTRE", "Autre"
    REPORT = "REPORT", "Report"


# UNTDID 4461 codes of BT-81 for each payment mode.
CODE_MOYEN_PAIEMENT = {
    ModePaiement.VIREMENT: "30",
    ModePaiement.CHEQUE: "20",
    ModePaiement.PRELEVEMENT: "49",
    ModePaiement.ESPECE: "10",
    ModePaiement.AUTRE: "1",
    ModePaiement.REPORT: "97",
}


class ModeDepot(models.TextChoices):
    SAISIE = "SAISIE", "Saisie sur le portail"
    DEPOT_PDF = "DEPOT_PDF", "Dépôt d'un PDF"
    DEPOT_XML = "DEPOT_XML", "Dépôt d'un fichier XML"
    SAISIE_API = "SAISIE_API", "Saisie par API"
    DEPOT_PDF_API = "DEPOT_PDF_API", "Dépôt PDF par API"
    FLUX = "FLUX", "Dépôt d'un flux (API ou EDI)"


class StatutFacture(models.TextChoices):
    BROUILLON = "BROUILLON", "Brouillon"
    DEPOSEE = "DEPOSEE", "Déposée"
    A_VALIDER_1 = "A_VALIDER_1", "À valider"
    VALIDEE_1 = "VALIDEE_1", "Validée"
    REFUSEE_1 = "REFUSEE_1", "Refusée par le valideur"
    # The valideur says it is not the right one: the supplier corrects the valideur (« Corriger le valideur »).
    ERREUR_FOURNISSEUR_SUR_VALIDEUR = "ERREUR_FOURNISSEUR_SUR_VALIDEUR", "Erreur fournisseur sur valideur"
    ABSENCE_VALIDATION_1_HORS_DELAI = "ABSENCE_VALIDATION_1_HORS_DELAI", "Absence de validation dans les délais"
    MISE_A_DISPOSITION = "MISE_A_DISPOSITION", "Mise à disposition du destinataire"
    PRISE_EN_COMPTE_DESTINATAIRE = "PRISE_EN_COMPTE_DESTINATAIRE", "Prise en compte destinataire"
    A_RECYCLER = "A_RECYCLER", "À recycler"
    SUSPENDUE = "SUSPENDUE", "Suspendue"
    COMPLETEE = "COMPLETEE", "Complétée"
    REJETEE = "REJETEE", "Rejetée"
    SERVICE_FAIT = "SERVICE_FAIT", "Service fait"
    MANDATEE = "MANDATEE", "Mandatée"
    MISE_A_DISPOSITION_COMPTABLE = "MISE_A_DISPOSITION_COMPTABLE", "Mise à disposition du comptable"
    COMPTABILISEE = "COMPTABILISEE", "Comptabilisée"
    MISE_EN_PAIEMENT = "MISE_EN_PAIEMENT", "Mise en paiement"
    ABANDONNEE = "ABANDONNEE", "Abandonnée"


# What the valideur (« Factures à valider ») may filter on: the invoice's current status, grouped. « Validée »
# holds every invoice the validation let through (explicitly or tacitly), whatever the recipient did with it since.
_HORS_VALIDEES = {"BROUILLON", "ABANDONNEE", "DEPOSEE", "A_VALIDER_1", "REFUSEE_1", "ERREUR_FOURNISSEUR_SUR_VALIDEUR"}
STATUTS_VALIDEES = [s for s in StatutFacture if s not in _HORS_VALIDEES]


class MotifRefusValidation(models.TextChoices):
    """The coded motifs of a valideur's refusal (API ``recuperer/motifs/refus/Facture/AValider``). The list itself
    is RECALLED (the reference names the service, not its content): kept here, in one place, easy to change."""

    ERREUR_MONTANT = "ERREUR_MONTANT", "Erreur de montant"
    PRESTATION_NON_CONFORME = "PRESTATION_NON_CONFORME", "Prestation non conforme"
    PRESTATION_NON_REALISEE = "PRESTATION_NON_REALISEE", "Prestation non réalisée"
    ERREUR_VALIDEUR = "ERREUR_VALIDEUR", "Erreur de valideur"
    AUTRE = "AUTRE", "Autre"


# « Factures reçues » (the public recipient): an invoice reaches its recipient at « Mise à disposition du
# destinataire » and stays visible there whatever happens next; never a draft, nor an invoice still « Déposée »,
# « À valider » or refused by the valideur.
STATUTS_RECUS = [
    StatutFacture.MISE_A_DISPOSITION,
    StatutFacture.PRISE_EN_COMPTE_DESTINATAIRE,
    StatutFacture.A_RECYCLER,
    StatutFacture.SUSPENDUE,
    StatutFacture.COMPLETEE,
    StatutFacture.REJETEE,
    StatutFacture.SERVICE_FAIT,
    StatutFacture.MANDATEE,
    StatutFacture.MISE_A_DISPOSITION_COMPTABLE,
    StatutFacture.COMPTABILISEE,
    StatutFacture.MISE_EN_PAIEMENT,
]
# The Synthèse « Factures à traiter »: what awaits the recipient's action (a suspended invoice the supplier
# completed comes back here as « Complétée »).
STATUTS_A_TRAITER_DESTINATAIRE = [
    StatutFacture.MISE_A_DISPOSITION,
    StatutFacture.COMPLETEE,
    StatutFacture.PRISE_EN_COMPTE_DESTINATAIRE,
]

# The recipient's actions (« Traiter la facture ») are declared with the lifecycle: ``facturation.statuts``.


# The recipient's coded motifs, one list per outcome. The webinar « Comment traiter les factures reçues » (seed
# 004) shows the portal's one list of eighteen « Motif de rejet » and which outcome each gives the supplier
# (« Justificatif absent ou insuffisant » → Suspendue; « SE incorrect », « EJ incorrect ou inexistant » → À
# recycler; every other → Rejetée). Its words are kept exactly, split by outcome; ``ORDRE_MOTIFS`` keeps the
# seed's order of the whole list. The motifs are stored as their label in the history (free text), so changing
# this list needs no migration. Kept here, in one place, easy to change.
class MotifRejet(models.TextChoices):
    CREANCIER = "CREANCIER", "Créancier inconnu ou différent de celui de l'EJ"
    COORDONNEES_BANCAIRES = "COORDONNEES_BANCAIRES", "Erreur de coordonnées bancaires"
    LIVRAISON_INCOMPLETE = "LIVRAISON_INCOMPLETE", "Livraison incomplète / non effectuée"
    NON_CONFORME_COMMANDE = "NON_CONFORME_COMMANDE", "Facture non conforme à la commande"
    DOUBLE_FACTURATION = "DOUBLE_FACTURATION", "Double facturation"
    MONTANT_ERRONE = "MONTANT_ERRONE", "Montant de la facture erroné"
    TAUX_TVA_ERRONE = "TAUX_TVA_ERRONE", "Taux de TVA erroné"
    MARCHE_TERMINE = "MARCHE_TERMINE", "Marché terminé"
    SOUS_TRAITANT_NON_DECLARE = "SOUS_TRAITANT_NON_DECLARE", "Sous-traitant / cotraitant non déclaré"
    COMPENSATION_AVOIRS = "COMPENSATION_AVOIRS", "Suppression pour compensation d'avoirs"
    RETRAITEMENT_MANUEL = "RETRAITEMENT_MANUEL", "Retraitement manuel par les services"
    PAIEMENT_REGIE = "PAIEMENT_REGIE", "Transfert pour paiement en régie"
    AUTRE = "AUTRE", "Autres : contacter votre acheteur"
    SUPPRESSION_MASSE = "SUPPRESSION_MASSE", "Suppression en masse"
    MAUVAIS_VALIDEUR = "MAUVAIS_VALIDEUR", "Mauvais valideur"


class MotifSuspension(models.TextChoices):
    JUSTIFICATIF = "JUSTIFICATIF", "Justificatif absent ou insuffisant"


class MotifRecyclage(models.TextChoices):
    SE_INCORRECT = "SE_INCORRECT", "SE incorrect"
    EJ_INCORRECT = "EJ_INCORRECT", "EJ incorrect ou inexistant"


# The seed's list as the portal shows it, whatever the outcome.
ORDRE_MOTIFS = [
    MotifRecyclage.SE_INCORRECT,
    MotifRecyclage.EJ_INCORRECT,
    MotifRejet.CREANCIER,
    MotifRejet.COORDONNEES_BANCAIRES,
    MotifRejet.LIVRAISON_INCOMPLETE,
    MotifRejet.NON_CONFORME_COMMANDE,
    MotifRejet.DOUBLE_FACTURATION,
    MotifSuspension.JUSTIFICATIF,
    MotifRejet.MONTANT_ERRONE,
    MotifRejet.TAUX_TVA_ERRONE,
    MotifRejet.MARCHE_TERMINE,
    MotifRejet.SOUS_TRAITANT_NON_DECLARE,
    MotifRejet.COMPENSATION_AVOIRS,
    MotifRejet.RETRAITEMENT_MANUEL,
    MotifRejet.PAIEMENT_REGIE,
    MotifRejet.AUTRE,
    MotifRejet.SUPPRESSION_MASSE,
    MotifRejet.MAUVAIS_VALIDEUR,
]


MOTIFS_DESTINATAIRE = {
    StatutFacture.SUSPENDUE: MotifSuspension,
    StatutFacture.A_RECYCLER: MotifRecyclage,
    StatutFacture.REJETEE: MotifRejet,
}


class TypePieceJointe(models.TextChoices):
    FACTURE = "FACTURE", "Facture"
    BON_DE_COMMANDE = "BON_DE_COMMANDE", "Bon de commande"
    BON_DE_LIVRAISON = "BON_DE_LIVRAISON", "Bon de livraison"
    DEVIS = "DEVIS", "Devis"
    CONTRAT = "CONTRAT", "Contrat"
    JUSTIFICATIF = "JUSTIFICATIF", "Justificatif"
    AUTRE = "AUTRE", "Autre"


TAUX_TVA = ["20", "10", "8.5", "5.5", "2.1", "0"]

# Units of a line (BT-130, UN/ECE recommendation 20) as people read them; the code stays in the data and the XML.
LIBELLES_UNITES = {
    "C62": "unité",
    "H87": "pièce",
    "HUR": "heure",
    "DAY": "jour",
    "WEE": "semaine",
    "MON": "mois",
    "ANN": "année",
    "KGM": "kg",
    "TNE": "tonne",
    "MTR": "m",
    "MTK": "m²",
    "MTQ": "m³",
    "LTR": "l",
    "KMT": "km",
    "SET": "lot",
    "LS": "forfait",
}


def libelle_unite(code: str) -> str:
    """« m² » for ``MTK``; a code the list does not know prints as it is."""
    return LIBELLES_UNITES.get(code, code)
