"""The lifecycle of an invoice, declared once beside its status enum: the transition table with the role allowed to
fire each transition, the word and the badge each status shows, and the actions each page offers per role.

``services.CIRCUIT`` runs this table (``chorus.workflow``); views read the actions and badges from here and pass
them to the templates, which never compare a status themselves (``tests/test_gabarits_sans_statut.py``). The rules
are RECALLED from the reference (sections 2.1–2.6), kept in this one module so that they are easy to change.
"""

from typing import NamedTuple

from chorus.workflow import SYSTEME, Transition
from facturation.enums import StatutFacture

S = StatutFacture

# --- Roles: who fires a transition (the history's « role ») ----------------------------------------------------

FOURNISSEUR = "FOURNISSEUR"
DESTINATAIRE = "DESTINATAIRE"
VALIDEUR = "VALIDEUR"
# SYSTEME (chorus.workflow): routing, the valideur's step and the tacit validation.

# --- The transition table ----------------------------------------------------------------------------------------

# The recipient's processing steps, and its three outcomes that send the invoice back to the supplier (each with a
# coded motif, ``enums.MOTIFS_DESTINATAIRE``).
TRAITEMENT_DESTINATAIRE = [
    S.PRISE_EN_COMPTE_DESTINATAIRE,
    S.SERVICE_FAIT,
    S.MANDATEE,
    S.MISE_A_DISPOSITION_COMPTABLE,
    S.COMPTABILISEE,
    S.MISE_EN_PAIEMENT,
]
MOTIF_OBLIGATOIRE = [S.SUSPENDUE, S.A_RECYCLER, S.REJETEE]


def _transitions() -> list[Transition]:
    t = [
        Transition(S.BROUILLON, S.DEPOSEE, roles={FOURNISSEUR}),
        Transition(S.BROUILLON, S.ABANDONNEE, roles={FOURNISSEUR}),
        Transition(S.DEPOSEE, S.MISE_A_DISPOSITION, roles={SYSTEME}),
        Transition(S.DEPOSEE, S.A_VALIDER_1, roles={SYSTEME}),
        Transition(S.A_VALIDER_1, S.VALIDEE_1, roles={VALIDEUR}),
        Transition(S.A_VALIDER_1, S.REFUSEE_1, roles={VALIDEUR}, motif_obligatoire=True),
        Transition(S.A_VALIDER_1, S.ERREUR_FOURNISSEUR_SUR_VALIDEUR, roles={VALIDEUR}, motif_obligatoire=True),
        Transition(S.ERREUR_FOURNISSEUR_SUR_VALIDEUR, S.A_VALIDER_1, roles={FOURNISSEUR}),
        Transition(S.VALIDEE_1, S.MISE_A_DISPOSITION, roles={SYSTEME}),
        # Reference 2.6: without the valideur's decision within 15 days, validation is tacit.
        Transition(S.A_VALIDER_1, S.ABSENCE_VALIDATION_1_HORS_DELAI, roles={SYSTEME}),
        Transition(S.ABSENCE_VALIDATION_1_HORS_DELAI, S.MISE_A_DISPOSITION, roles={SYSTEME}),
        Transition(S.SUSPENDUE, S.COMPLETEE, roles={FOURNISSEUR}),
        Transition(S.A_RECYCLER, S.DEPOSEE, roles={FOURNISSEUR}),
    ]
    for source in (S.MISE_A_DISPOSITION, S.PRISE_EN_COMPTE_DESTINATAIRE, S.COMPLETEE):
        for cible in [*TRAITEMENT_DESTINATAIRE, *MOTIF_OBLIGATOIRE]:
            if cible != source:
                t.append(Transition(source, cible, roles={DESTINATAIRE}, motif_obligatoire=cible in MOTIF_OBLIGATOIRE))
    suites = {
        S.SERVICE_FAIT: [S.MANDATEE, S.MISE_A_DISPOSITION_COMPTABLE, S.MISE_EN_PAIEMENT, S.REJETEE, S.SUSPENDUE],
        S.MANDATEE: [S.MISE_A_DISPOSITION_COMPTABLE, S.COMPTABILISEE, S.MISE_EN_PAIEMENT],
        S.MISE_A_DISPOSITION_COMPTABLE: [S.COMPTABILISEE, S.MISE_EN_PAIEMENT],
        S.COMPTABILISEE: [S.MISE_EN_PAIEMENT],
    }
    for source, cibles in suites.items():
        for cible in cibles:
            t.append(Transition(source, cible, roles={DESTINATAIRE}, motif_obligatoire=cible in MOTIF_OBLIGATOIRE))
    return t


TRANSITIONS: tuple[Transition, ...] = tuple(_transitions())


def cibles(statut: str, role: str) -> list[str]:
    """The statuses ``role`` may move an invoice to from ``statut``, in the table's order (what
    ``CIRCUIT.transitions_possibles`` answers, without needing the models)."""
    return [t.cible for t in TRANSITIONS if t.source == statut and role in t.roles]


# --- Words and badges -----------------------------------------------------------------------------------------

LIBELLES = dict(S.choices)


def libelle(statut: str) -> str:
    return LIBELLES.get(statut, statut)


# The DSFR badge of each status in the lists of the recipient (« Factures reçues ») and of the valideur
# (« Factures à valider »); the supplier's lists show the word alone. A status absent from a role's map wears that
# role's default: none for the recipient, « success » for the valideur (the invoice went through validation).
BADGES = {
    DESTINATAIRE: {
        S.MISE_A_DISPOSITION: "fr-badge--new",
        S.COMPLETEE: "fr-badge--new",
        S.PRISE_EN_COMPTE_DESTINATAIRE: "fr-badge--info",
        S.SUSPENDUE: "fr-badge--warning",
        S.A_RECYCLER: "fr-badge--warning",
        S.REJETEE: "fr-badge--error",
    },
    VALIDEUR: {
        S.A_VALIDER_1: "fr-badge--new",
        S.REFUSEE_1: "fr-badge--error",
        S.ERREUR_FOURNISSEUR_SUR_VALIDEUR: "fr-badge--error",
    },
}
BADGE_PAR_DEFAUT = {DESTINATAIRE: "", VALIDEUR: "fr-badge--success"}


def badge(statut: str, role: str) -> str:
    return BADGES[role].get(statut, BADGE_PAR_DEFAUT[role])


# --- The supplier's actions (« Factures émises », the invoice's suivi) -------------------------------------------

RECYCLER = "recycler"
CORRIGER_VALIDEUR = "corriger_valideur"
COMPLETER = "completer"
TRAITER_REJET = "traiter_rejet"

# Each supplier's transition offered on the suivi, by its action (the draft's own transitions are on its page).
ACTIONS_FOURNISSEUR = {
    (S.A_RECYCLER, S.DEPOSEE): RECYCLER,
    (S.ERREUR_FOURNISSEUR_SUR_VALIDEUR, S.A_VALIDER_1): CORRIGER_VALIDEUR,
    (S.SUSPENDUE, S.COMPLETEE): COMPLETER,
}


def actions_fournisseur(statut: str, *, rejet_traite: bool = False) -> list[str]:
    """The supplier's actions on an invoice at ``statut``: its transitions in the table, and « Traiter le rejet »
    of a rejected invoice not yet acknowledged (no transition: the status stays « Rejetée »)."""
    actions = [
        ACTIONS_FOURNISSEUR[(statut, cible)]
        for cible in cibles(statut, FOURNISSEUR)
        if (statut, cible) in ACTIONS_FOURNISSEUR
    ]
    if statut == S.REJETEE and not rejet_traite:
        actions.append(TRAITER_REJET)
    return actions


# --- The valideur's actions (« Factures à valider ») ---------------------------------------------------------------

VALIDER = "valider"
REFUSER = "refuser"
# « Refuser » leads to « Refusée » or, with the motif « Erreur de valideur », to « Erreur fournisseur sur valideur ».
ACTIONS_VALIDEUR = {S.VALIDEE_1: VALIDER, S.REFUSEE_1: REFUSER, S.ERREUR_FOURNISSEUR_SUR_VALIDEUR: REFUSER}


def actions_valideur(statut: str) -> list[str]:
    actions = []
    for cible in cibles(statut, VALIDEUR):
        action = ACTIONS_VALIDEUR.get(cible)
        if action and action not in actions:
            actions.append(action)
    return actions


def attend_validation(statut: str) -> bool:
    """The invoice waits for its valideur's decision (and the days of tacit validation run)."""
    return bool(actions_valideur(statut))


# --- The recipient's actions (« Factures reçues », « Traiter la facture ») -----------------------------------------

# The recipient's action that leads to each status (the button of « Traiter la facture »), in display order.
ACTIONS_DESTINATAIRE = {
    S.PRISE_EN_COMPTE_DESTINATAIRE: "Prendre en compte",
    S.SERVICE_FAIT: "Service fait",
    S.MANDATEE: "Mandater",
    S.MISE_A_DISPOSITION_COMPTABLE: "Mise à disposition du comptable",
    S.COMPTABILISEE: "Comptabiliser",
    S.MISE_EN_PAIEMENT: "Mettre en paiement",
    S.SUSPENDUE: "Suspendre",
    S.A_RECYCLER: "Mettre à recycler",
    S.REJETEE: "Rejeter",
}


class ActionDestinataire(NamedTuple):
    """(target status, button label): unpacks as a pair."""

    statut: str
    libelle: str

    @property
    def secondaire(self) -> bool:
        # The outcomes that send the invoice back to the supplier are the secondary buttons.
        return self.statut in MOTIF_OBLIGATOIRE


def actions_destinataire(statut: str, *, mise_en_paiement_remontee: bool = True) -> list[ActionDestinataire]:
    """The recipient's actions from ``statut``, read from the transition table, in the order of
    ``ACTIONS_DESTINATAIRE``. A recipient whose structure does not report the « Mise en paiement » status
    (``Structure.mise_en_paiement_non_remontee``) is not offered « Mettre en paiement »."""
    possibles = set(cibles(statut, DESTINATAIRE))
    if not mise_en_paiement_remontee:
        possibles.discard(S.MISE_EN_PAIEMENT)
    return [ActionDestinataire(cible, texte) for cible, texte in ACTIONS_DESTINATAIRE.items() if cible in possibles]
