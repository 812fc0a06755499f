"""What the organisation's statuses show, declared once beside their enums: the DSFR badge of a rattachement's
status (« Mes rattachements »; its word is the enum's label) and the answers that page offers the user. Templates
read them from the rows, never compare a status (``tests/test_gabarits_sans_statut.py``)."""

from organisation.enums import StatutRattachement

# Active: success; waiting for the gestionnaire's approval: info; an invitation to answer: new; refused or
# detached: error.
BADGES_RATTACHEMENT = {
    StatutRattachement.ACTIF: "fr-badge--success",
    StatutRattachement.EN_ATTENTE: "fr-badge--info",
    StatutRattachement.INVITE: "fr-badge--new",
}
BADGE_RATTACHEMENT_PAR_DEFAUT = "fr-badge--error"

# The buttons of « Mes rattachements »: (target status, label, DSFR button class), in the page's order. The
# transitions themselves (and who may fire them) are in ``organisation.services.circuits.CIRCUIT_RATTACHEMENT``.
ACTIONS_UTILISATEUR = {
    StatutRattachement.INVITE: [
        (StatutRattachement.ACTIF, "Accepter", "fr-btn--primary"),
        (StatutRattachement.REFUSE, "Refuser", "fr-btn--secondary"),
    ],
}


def badge_rattachement(statut: str) -> str:
    return BADGES_RATTACHEMENT.get(statut, BADGE_RATTACHEMENT_PAR_DEFAUT)


def actions_utilisateur(statut: str) -> list[tuple[str, str, str]]:
    return ACTIONS_UTILISATEUR.get(statut, [])
