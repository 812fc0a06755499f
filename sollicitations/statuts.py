"""The lifecycle of a sollicitation, declared once beside its status enum: the transition table with the roles
allowed to fire each transition, the word and the badge each side sees, and the actions each side is offered.

``services.CIRCUIT`` runs this table (``chorus.workflow``); views read the words, badges and actions from here, and
the templates never compare a status themselves (``tests/test_gabarits_sans_statut.py``). The machine (RECALLED
in the reference §4, the statuses' words from seed 001) is drawn in ``services``' docstring.
"""

from chorus.workflow import SYSTEME, Transition
from sollicitations.enums import DESTINATAIRE, EMETTEUR, SUPPORT, StatutSollicitation

S = StatutSollicitation

# --- Roles ----------------------------------------------------------------------------------------------------

# EMETTEUR, DESTINATAIRE and SUPPORT (``enums``), SYSTEME (the arrivals). Both receiving sides treat alike.
RECEPTEURS = frozenset({DESTINATAIRE, SUPPORT})
ROLES = (EMETTEUR, DESTINATAIRE, SUPPORT, SYSTEME)

# --- The transition table ---------------------------------------------------------------------------------------


def _transitions() -> list[Transition]:
    t = [
        Transition(S.A_TRAITER, S.EN_COURS, roles=RECEPTEURS),
        # Saving the draft answer again, or assigning to a colleague, while « En cours ».
        Transition(S.EN_COURS, S.EN_COURS, roles=RECEPTEURS),
        Transition(S.MAUVAISE_AFFECTATION, S.A_TRAITER, roles={SYSTEME}),
        Transition(S.REAFFECTEE, S.A_TRAITER, roles={SYSTEME}),
        Transition(S.DEMANDE_INFORMATION, S.A_TRAITER, roles={EMETTEUR}, motif_obligatoire=True),
        Transition(S.RESOLUE, S.CLOTUREE, roles={EMETTEUR}),
        Transition(S.RESOLUE, S.A_TRAITER, roles={EMETTEUR}, motif_obligatoire=True),
    ]
    for source in (S.A_TRAITER, S.EN_COURS):
        t += [
            Transition(source, S.DEMANDE_INFORMATION, roles=RECEPTEURS, motif_obligatoire=True),
            Transition(source, S.RESOLUE, roles=RECEPTEURS, motif_obligatoire=True),
            Transition(source, S.MAUVAISE_AFFECTATION, roles={DESTINATAIRE}),
            Transition(source, S.REAFFECTEE, roles={SUPPORT}),
        ]
    return t


TRANSITIONS: tuple[Transition, ...] = tuple(_transitions())


def cibles(statut: str, role: str | None) -> list[str]:
    """The statuses ``role`` may move a sollicitation to from ``statut``, in the table's order (what
    ``CIRCUIT.transitions_possibles`` answers, without needing the models)."""
    return [t.cible for t in TRANSITIONS if t.source == statut and role in t.roles]


# --- Words and badges -------------------------------------------------------------------------------------------

LIBELLES = dict(S.choices)
# Who sees which word (convention 3): « En cours » is « non visible par le déposant » (seed 001), who keeps
# reading « À traiter » while the receiving side drafts its answer.
LIBELLES_EMETTEUR = {S.EN_COURS: S.A_TRAITER.label}


def libelle(statut: str, *, pour_emetteur: bool = False) -> str:
    if pour_emetteur and statut in LIBELLES_EMETTEUR:
        return LIBELLES_EMETTEUR[statut]
    return LIBELLES.get(statut, statut)


# The DSFR badge of each status in the lists and on the sollicitation's page; none for a status not listed.
BADGES = {
    S.A_TRAITER: "fr-badge--new",
    S.EN_COURS: "fr-badge--info",
    S.DEMANDE_INFORMATION: "fr-badge--warning",
    S.RESOLUE: "fr-badge--success",
    S.CLOTUREE: "",
}
# The sender's badges: « En cours », read « À traiter » by the sender, has shown no badge so far (the pages looked
# its badge up by the displayed word); kept as it renders today.
BADGES_EMETTEUR = {statut: classe for statut, classe in BADGES.items() if statut not in LIBELLES_EMETTEUR}


def badge(statut: str, *, pour_emetteur: bool = False) -> str:
    return (BADGES_EMETTEUR if pour_emetteur else BADGES).get(statut, "")


# --- The sender's actions (« Sollicitations émises », the sollicitation's page) ---------------------------------

REPONDRE = "repondre"
CLOTURER = "cloturer"
RENVOYER = "renvoyer"
ACTIONS_EMETTEUR = {
    (S.DEMANDE_INFORMATION, S.A_TRAITER): REPONDRE,
    (S.RESOLUE, S.CLOTUREE): CLOTURER,
    (S.RESOLUE, S.A_TRAITER): RENVOYER,
}


def actions_emetteur(statut: str) -> list[str]:
    """The sender's actions on a sollicitation at ``statut``, from the table."""
    return [ACTIONS_EMETTEUR[(statut, c)] for c in cibles(statut, EMETTEUR) if (statut, c) in ACTIONS_EMETTEUR]


# --- The receiving side's actions (« Mise à jour de la sollicitation ») -----------------------------------------


def statuts_recepteur(statut: str, role: str | None) -> list[str]:
    """The statuses the treatment form offers to ``role`` (DESTINATAIRE or SUPPORT): its transitions in the table,
    never the transient arrivals (SYSTEME's)."""
    if role not in RECEPTEURS:
        return []
    return cibles(statut, role)
