"""How ``consulter/historique`` names the entries of an invoice's history: the code of a user's action
(``histoAction``) and the wording of what the portal did by itself (``evenement``). Read from the history row
alone (its role, previous and new status, comment), so that no query is needed per entry."""

from chorus.workflow import SYSTEME
from facturation.enums import StatutFacture
from facturation.statuts import DESTINATAIRE, FOURNISSEUR, VALIDEUR

S = StatutFacture

# (role, previous status or None for any, new status) → action code.
ACTIONS = {
    (FOURNISSEUR, S.BROUILLON, S.DEPOSEE): "DEPOT_FACTURE",
    (FOURNISSEUR, S.A_RECYCLER, S.DEPOSEE): "RECYCLAGE_FACTURE",
    (FOURNISSEUR, S.SUSPENDUE, S.COMPLETEE): "COMPLETION_FACTURE",
    (FOURNISSEUR, S.REJETEE, S.REJETEE): "TRAITEMENT_REJET",
    (FOURNISSEUR, S.ERREUR_FOURNISSEUR_SUR_VALIDEUR, S.A_VALIDER_1): "CORRECTION_VALIDEUR",
    (VALIDEUR, S.A_VALIDER_1, S.VALIDEE_1): "VALIDATION_FACTURE",
    (VALIDEUR, S.A_VALIDER_1, S.REFUSEE_1): "REFUS_FACTURE",
    (VALIDEUR, S.A_VALIDER_1, S.ERREUR_FOURNISSEUR_SUR_VALIDEUR): "SIGNALEMENT_ERREUR_VALIDEUR",
}

EVENEMENTS = {
    S.A_VALIDER_1: "Facture transmise au valideur",
    S.MISE_A_DISPOSITION: "Facture mise à disposition du destinataire",
    S.ABSENCE_VALIDATION_1_HORS_DELAI: "Validation tacite : absence de validation dans le délai",
}


def code_action(entree) -> str:
    """``DEPOT_FACTURE``, ``RECYCLAGE_FACTURE``…; a recipient's processing is ``TRAITEMENT_<nouveau statut>``."""
    code = ACTIONS.get((entree.role, entree.statut_precedent, entree.statut))
    if code:
        return code
    if entree.role == DESTINATAIRE:
        return f"TRAITEMENT_{entree.statut}"
    return f"CHANGEMENT_STATUT_{entree.statut}"


def libelle_evenement(entree) -> str:
    """An entry of the portal itself (``SYSTEME``): its comment when it has one, else what it did."""
    if entree.commentaire:
        return entree.commentaire
    libelle = EVENEMENTS.get(entree.statut)
    if libelle:
        return libelle
    role = " (système)" if entree.role == SYSTEME else ""
    return f"Passage au statut « {StatutFacture(entree.statut).label} »{role}"
