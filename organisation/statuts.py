"""What the organisation's statuses show, declared once beside their enums: the DSFR badge of a rattachement's
status (« Mes rattachements »; its word is the enum's label). Templates read it from the rows, never compare a
status (``tests/test_gabarits_sans_statut.py``). A rattachement offers no action on that page."""

from organisation.enums import StatutRattachement

# Active: success; waiting for the gestionnaire's approval: info; refused or detached: error.
BADGES_RATTACHEMENT = {
    StatutRattachement.ACTIF: "fr-badge--success",
    StatutRattachement.EN_ATTENTE: "fr-badge--info",
}
BADGE_RATTACHEMENT_PAR_DEFAUT = "fr-badge--error"


def badge_rattachement(statut: str) -> str:
    return BADGES_RATTACHEMENT.get(statut, BADGE_RATTACHEMENT_PAR_DEFAUT)
