"""The works chain, declared once beside its status enum: who deposits each cadre, to whom it goes, which cadres
may follow it (``CADRES``), the transition table of a works piece (``TRANSITIONS``), the words and badges of each
status, the actions each role is offered, and the groups of the « Tableau de bord (stock) ».

``services.CIRCUIT`` runs the transition table (``chorus.workflow``); views read the actions and badges from here
and pass them to the templates, which never compare a status themselves. Sources: the seeds 000 (MOE), 001 (MOA)
and 003 (sous-traitance, cotraitance) for the labels and the chains they show (A4 → A15 → A19, A7 → A17 → A20 →
A8, the annexes' statuses); ``chorus-reference.md`` section 1 for the cadres the seeds do not show — those rows
say « référence » in their comment: the assumed rule, kept here to be easy to change.
"""

from dataclasses import dataclass

from django.db import models

from chorus.workflow import SYSTEME, Transition
from facturation.enums import CADRES_PAYABLES_TRAVAUX, Cadre, StatutFacture
from organisation.enums import OptionMoa

# --- Roles: the actors of a dossier, each the role of a history row ------------------------------------------------


class Role(models.TextChoices):
    """The API's ``roleUtilisateur`` (reference 1.2) plus the titulaire / mandataire who validates a sous-traitant's
    or a cotraitant's piece (the API's VALIDATEUR)."""

    FOURNISSEUR = "FOURNISSEUR", "Fournisseur"
    MOE = "MOE", "Maîtrise d'œuvre"
    MOA = "MOA", "Maîtrise d'ouvrage"
    VALIDATEUR = "VALIDATEUR", "Titulaire ou mandataire"
    DESTINATAIRE = "DESTINATAIRE", "Service financier"


# The roles a user chooses in the « Tableau de bord (stock) » and in « Rechercher » (seed 001: « Rôle : Fournisseur
# Maîtrise d'ouvrage Maîtrise d'oeuvre »).
ROLES_TABLEAU_DE_BORD = (Role.FOURNISSEUR, Role.MOE, Role.MOA)


class StatutPiece(models.TextChoices):
    """The statuses of a works piece: Chorus Pro's API codes (reference 1.4, VERIFIED), the portal's labels (seeds
    000 and 001, annexes « Les statuts des factures de travaux »). A payable piece continues as an invoice in
    « Factures reçues »: from « Mise à disposition du destinataire » on, its current status is its invoice's
    (``facturation.enums.StatutFacture``)."""

    BROUILLON = "BROUILLON", "Brouillon"
    ABANDONNEE = "ABANDONNEE", "Abandonnée"  # a draft « Supprimé » by its depositor (its history stays)
    DEPOSEE = "DEPOSEE", "Déposée"
    A_VALIDER_1 = "A_VALIDER_1", "À valider par le titulaire"
    VALIDEE_1 = "VALIDEE_1", "Validée par le titulaire"
    REFUSEE_1 = "REFUSEE_1", "Refusée par le titulaire"
    A_VALIDER_2 = "A_VALIDER_2", "À valider par le mandataire"
    VALIDEE_2 = "VALIDEE_2", "Validée par le mandataire"
    REFUSEE_2 = "REFUSEE_2", "Refusée par le mandataire"
    MISE_A_DISPOSITION_MOE = "MISE_A_DISPOSITION_MOE", "Mise à disposition de la MOE"
    PRISE_EN_COMPTE_MOE = "PRISE_EN_COMPTE_MOE", "Prise en compte MOE"
    MISE_A_DISPOSITION_MOA = "MISE_A_DISPOSITION_MOA", "Mise à disposition de la MOA"
    PRISE_EN_COMPTE_MOA = "PRISE_EN_COMPTE_MOA", "Prise en compte MOA"
    MISE_A_DISPOSITION_FOURNISSEUR = "MISE_A_DISPOSITION_FOURNISSEUR", "Mise à disposition du fournisseur"
    MISE_A_DISPOSITION = "MISE_A_DISPOSITION", "Mise à disposition du destinataire"
    ASSOCIEE = "ASSOCIEE", "Associée"
    REMPLACEE_PAR_A22 = "REMPLACEE_PAR_A22", "Remplacée par un projet de décompte général (procédure tacite)"
    SUSPENDUE = "SUSPENDUE", "Suspendue"
    ERREUR_FOURNISSEUR_SUR_MOE = (
        "ERREUR_FOURNISSEUR_SUR_MOE",
        "Refusée par la MOE pour erreur dans les données d'acheminement",
    )
    ERREUR_FOURNISSEUR_SUR_MOA = (
        "ERREUR_FOURNISSEUR_SUR_MOA",
        "Refusée par la MOA pour erreur dans les données d'acheminement",
    )
    ERREUR_MOE_SUR_MOA = "ERREUR_MOE_SUR_MOA", "Refusée par la MOA pour erreur dans les données d'acheminement"
    ERREUR_MOE_SUR_FOURNISSEUR = (
        "ERREUR_MOE_SUR_FOURNISSEUR",
        "Refusée par le fournisseur pour erreur dans les données d'acheminement",
    )
    ERREUR_MOA_SUR_FOURNISSEUR = (
        "ERREUR_MOA_SUR_FOURNISSEUR",
        "Refusée par le fournisseur pour erreur dans les données d'acheminement",
    )
    REFUSEE_FOURNISSEUR = "REFUSEE_FOURNISSEUR", "Refusée par le fournisseur pour autre motif"


S = StatutPiece

# Where a piece waits for the actor it was sent to, by that actor's role: « Mise à disposition … », then « Prise en
# compte … » once that actor took it on. The payable piece's « Mise à disposition du destinataire » is its invoice's.
MISE_A_DISPOSITION = {
    Role.MOE: S.MISE_A_DISPOSITION_MOE,
    Role.MOA: S.MISE_A_DISPOSITION_MOA,
    Role.FOURNISSEUR: S.MISE_A_DISPOSITION_FOURNISSEUR,
    Role.DESTINATAIRE: S.MISE_A_DISPOSITION,
}
PRISE_EN_COMPTE = {Role.MOE: S.PRISE_EN_COMPTE_MOE, Role.MOA: S.PRISE_EN_COMPTE_MOA}
EN_ATTENTE = {
    role: [statut, *([PRISE_EN_COMPTE[role]] if role in PRISE_EN_COMPTE else [])]
    for role, statut in MISE_A_DISPOSITION.items()
    if role != Role.DESTINATAIRE
}
STATUTS_EN_ATTENTE = [s for statuts in EN_ATTENTE.values() for s in statuts]


def erreur_acheminement(deposant: str, recevant: str) -> str:
    """« Refusée par <recevant> pour erreur dans les données d'acheminement » of a piece from ``deposant``: the
    API's ERREUR_<DEPOSANT>_SUR_<RECEVANT>."""
    return S(f"ERREUR_{deposant}_SUR_{recevant}")


ERREURS_ACHEMINEMENT = [s for s in S if s.startswith("ERREUR_")]
# A draft, or an abandoned one: seen only by its depositing structure (``travaux.models``).
BROUILLONS = (S.BROUILLON, S.ABANDONNEE)

# --- The cadres: who deposits, to whom, what may follow ---------------------------------------------------------


@dataclass(frozen=True)
class RegleCadre:
    """One row of the works chain.

    ``deposant``: the role that deposits the cadre; ``recevant``: the role it is sent to (DESTINATAIRE: a payable
    piece, which continues in « Factures reçues »); ``validateur``: the titulaire (A_VALIDER_1) or mandataire
    (A_VALIDER_2) who validates it first; ``initial``: it may open a dossier (« Dépôt initial »); ``suivantes``: the
    cadres that may be deposited « à partir de » it; ``moa``: True when it goes through a MOA (the dossier's MOA
    must be « avec MOA » or « exclusivement MOA »), False when it exists for a « sans MOA » structure, None when the
    MOA option does not matter; ``remplace``: it replaces the previous piece (status « Remplacée … ») instead of
    making it « Associée »."""

    cadre: str
    deposant: str
    recevant: str
    initial: bool = False
    suivantes: tuple[str, ...] = ()
    validateur: str = ""
    moa: bool | None = None
    remplace: bool = False

    @property
    def payable(self) -> bool:
        return self.recevant == Role.DESTINATAIRE

    @property
    def code(self) -> str:
        return Cadre(self.cadre).code

    @property
    def libelle(self) -> str:
        return Cadre(self.cadre).label


C = Cadre
F, MOE, MOA, DEST = Role.FOURNISSEUR, Role.MOE, Role.MOA, Role.DESTINATAIRE
_REGLES = [
    # En cours de marché (seeds 000, 001, 003): A4 → A15 → A19 → service financier.
    RegleCadre(C.A4, F, MOE, initial=True, suivantes=(C.A15, C.A16)),
    RegleCadre(C.A15, MOE, MOA, suivantes=(C.A19,), moa=True),
    RegleCadre(C.A19, MOA, DEST, moa=True),
    # « Structure sans MOA » (seed 001 names the option; the chain is the reference's): the MOE's validated état
    # d'acompte goes straight to the service financier.
    RegleCadre(C.A16, MOE, DEST, moa=False),
    # Référence 1.3: no MOE on the contract (A5 to the MOA), neither MOE nor MOA (A6 to the service financier).
    RegleCadre(C.A5, F, MOA, initial=True, suivantes=(C.A19,), moa=True),
    RegleCadre(C.A6, F, DEST, initial=True),
    # Fin de marché (seeds 000, 001): A7 → A17 → A20 → mis à disposition du fournisseur → A8 → service financier.
    RegleCadre(C.A7, F, MOE, initial=True, suivantes=(C.A17, C.A18, C.A22)),
    RegleCadre(C.A17, MOE, MOA, suivantes=(C.A20,), moa=True),
    RegleCadre(C.A20, MOA, F, suivantes=(C.A8,), moa=True),
    RegleCadre(C.A8, F, DEST),
    # Référence 1.3, « sans MOA »: the MOE's décompte général goes to the fournisseur for signature.
    RegleCadre(C.A18, MOE, F, suivantes=(C.A8,), moa=False),
    # Sous-traitant (seed 003: « Elle arrive au titulaire pour validation et transmission à la MOE ») and cotraitant
    # (« visée par le mandataire du marché »); référence 1.3 for the cadres.
    RegleCadre(C.A10, F, MOE, initial=True, suivantes=(C.A15, C.A16), validateur=S.A_VALIDER_1),
    RegleCadre(C.A13, F, MOE, initial=True, suivantes=(C.A15, C.A16), validateur=S.A_VALIDER_2),
    RegleCadre(C.A14, F, MOE, initial=True, suivantes=(C.A17, C.A18, C.A22), validateur=S.A_VALIDER_2),
    # Procédure tacite (seed 001 lists A24 and A25; the flow is the reference's, 1.3): the fournisseur replaces its
    # unanswered projet de décompte final by a projet de décompte général sent to the MOA; the MOA then notifies
    # the DGD (A25), or, without answer, the fournisseur (A23) or the MOE (A24) deposits the tacit DGD.
    RegleCadre(C.A22, F, MOA, suivantes=(C.A25, C.A23, C.A24), moa=True, remplace=True),
    RegleCadre(C.A25, MOA, DEST, moa=True),
    RegleCadre(C.A23, F, DEST),
    RegleCadre(C.A24, MOE, DEST),
]
CADRES: dict[str, RegleCadre] = {r.cadre: r for r in _REGLES}
# The chain and the list of payable cadres must agree (checked at import, even under ``python -O``).
if {c for c, r in CADRES.items() if r.payable} != set(CADRES_PAYABLES_TRAVAUX):
    raise RuntimeError("travaux.statuts : les cadres payables de la chaîne diffèrent de CADRES_PAYABLES_TRAVAUX.")

CADRES_INITIAUX = [r.cadre for r in _REGLES if r.initial]
CHOIX_CADRES = [(r.cadre, r.libelle) for r in sorted(_REGLES, key=lambda r: int(r.code[1:]))]


def regle(cadre: str) -> RegleCadre | None:
    return CADRES.get(cadre)


def codes(cadres) -> str:
    return ", ".join(Cadre(c).code for c in cadres)


def sans_moa(option_moa: str | None) -> bool:
    """The dossier's MOA is « sans MOA » (or there is none): the MOE's pieces go to the service financier (A16) or
    to the fournisseur (A18) directly."""
    return option_moa in (None, "", OptionMoa.SANS_MOA)


# --- The transition table -------------------------------------------------------------------------------------


def _transitions() -> list[Transition]:
    deposants = {F, MOE, MOA}
    t = [Transition(S.BROUILLON, S.DEPOSEE, roles=deposants), Transition(S.BROUILLON, S.ABANDONNEE, roles=deposants)]
    # Routing (the system): to the validateur, or to the actor the cadre goes to.
    for cible in (S.A_VALIDER_1, S.A_VALIDER_2, *MISE_A_DISPOSITION.values()):
        t.append(Transition(S.DEPOSEE, cible, roles={SYSTEME}))
    # The titulaire (1) or mandataire (2) validates a sous-traitant's / cotraitant's piece, or refuses it.
    for a_valider, validee, refusee in (
        (S.A_VALIDER_1, S.VALIDEE_1, S.REFUSEE_1),
        (S.A_VALIDER_2, S.VALIDEE_2, S.REFUSEE_2),
    ):
        t.append(Transition(a_valider, validee, roles={Role.VALIDATEUR}))
        t.append(Transition(a_valider, refusee, roles={Role.VALIDATEUR}, motif_obligatoire=True))
        t.append(Transition(validee, S.MISE_A_DISPOSITION_MOE, roles={SYSTEME}))
    # The actor a piece waits for: takes it on (MOE, MOA), associates the next piece (by depositing it), refuses it
    # for an error in the routing data (seed 000: « Une pièce peut être refusée uniquement si existence d'une
    # erreur de destinataire »), suspends it when information is missing.
    for recevant, statuts in EN_ATTENTE.items():
        for source in statuts:
            if recevant in PRISE_EN_COMPTE and source != PRISE_EN_COMPTE[recevant]:
                t.append(Transition(source, PRISE_EN_COMPTE[recevant], roles={recevant}))
            # Procédure tacite: after an A22 the MOA left unanswered, the fournisseur (A23) or the MOE (A24)
            # deposits the tacit DGD, which associates the A22 (référence 1.3).
            associent = {recevant, F, MOE} if recevant == MOA else {recevant}
            t.append(Transition(source, S.ASSOCIEE, roles=associent))
            t.append(Transition(source, S.SUSPENDUE, roles={recevant}, motif_obligatoire=True))
            for deposant in (F, MOE, MOA):
                if deposant != recevant and f"ERREUR_{deposant}_SUR_{recevant}" in S.values:
                    t.append(
                        Transition(
                            source, erreur_acheminement(deposant, recevant), roles={recevant}, motif_obligatoire=True
                        )
                    )
    # Seed 001 annex: the fournisseur may refuse a décompte général « pour autre motif ».
    t.append(Transition(S.MISE_A_DISPOSITION_FOURNISSEUR, S.REFUSEE_FOURNISSEUR, roles={F}, motif_obligatoire=True))
    # Procédure tacite: the fournisseur replaces its projet de décompte final the MOE left unanswered.
    for source in EN_ATTENTE[MOE]:
        t.append(Transition(source, S.REMPLACEE_PAR_A22, roles={F}))
    # The depositor completes its suspended piece (it waits again for the same actor) and corrects the routing data
    # of a piece refused for them (« Corriger et redéposer »: it is routed again).
    for recevant, statut in MISE_A_DISPOSITION.items():
        if recevant != Role.DESTINATAIRE:
            t.append(Transition(S.SUSPENDUE, statut, roles=deposants - {recevant}))
    for erreur in ERREURS_ACHEMINEMENT:
        t.append(Transition(erreur, S.DEPOSEE, roles={Role(erreur.split("_")[1])}))
    return t


TRANSITIONS: tuple[Transition, ...] = tuple(_transitions())


def cibles(statut: str, role: str) -> list[str]:
    return [t.cible for t in TRANSITIONS if t.source == statut and role in t.roles]


# --- Words and badges -----------------------------------------------------------------------------------------

LIBELLES = dict(S.choices)


LIBELLES_FACTURE = dict(StatutFacture.choices)


def libelle(statut: str) -> str:
    """A works piece's status, or its invoice's once payable (``facturation``'s words)."""
    return LIBELLES.get(statut) or LIBELLES_FACTURE.get(statut, statut)


BADGES = {
    **{s: "fr-badge--new" for s in MISE_A_DISPOSITION.values()},
    S.A_VALIDER_1: "fr-badge--new",
    S.A_VALIDER_2: "fr-badge--new",
    S.PRISE_EN_COMPTE_MOE: "fr-badge--info",
    S.PRISE_EN_COMPTE_MOA: "fr-badge--info",
    S.ASSOCIEE: "fr-badge--success",
    S.VALIDEE_1: "fr-badge--success",
    S.VALIDEE_2: "fr-badge--success",
    S.SUSPENDUE: "fr-badge--warning",
    S.REMPLACEE_PAR_A22: "fr-badge--info",
    **{s: "fr-badge--error" for s in (*ERREURS_ACHEMINEMENT, S.REFUSEE_1, S.REFUSEE_2, S.REFUSEE_FOURNISSEUR)},
    "REJETEE": "fr-badge--error",
    "MISE_EN_PAIEMENT": "fr-badge--success",
}


def badge(statut: str) -> str:
    return BADGES.get(statut, "")


# --- Tableau de bord (stock): the groups of seed 001, each a set of current statuses ------------------------------

STATUTS_REFUSES = [*ERREURS_ACHEMINEMENT, S.REFUSEE_1, S.REFUSEE_2, S.REFUSEE_FOURNISSEUR, "REJETEE"]
GROUPES_TABLEAU_DE_BORD = {
    "BROUILLON": ("Brouillon", [S.BROUILLON]),  # an abandoned draft is counted nowhere
    "ERREUR_ACHEMINEMENT": ("Erreur d'acheminement", ERREURS_ACHEMINEMENT),
    "MISE_A_DISPOSITION": (
        "Mise à disposition",
        [
            S.MISE_A_DISPOSITION_MOE,
            S.MISE_A_DISPOSITION_MOA,
            S.MISE_A_DISPOSITION_FOURNISSEUR,
            S.MISE_A_DISPOSITION,
            S.A_VALIDER_1,
            S.A_VALIDER_2,
        ],
    ),
    "VALIDEE": ("Validée", [S.VALIDEE_1, S.VALIDEE_2]),
    "REFUSEE": ("Refusée / Rejetée", [S.REFUSEE_1, S.REFUSEE_2, S.REFUSEE_FOURNISSEUR, "REJETEE"]),
    "ASSOCIEE": (
        "Associée / Prise en compte",
        [S.ASSOCIEE, S.PRISE_EN_COMPTE_MOE, S.PRISE_EN_COMPTE_MOA, S.REMPLACEE_PAR_A22],
    ),
    "SUSPENDUE": ("Suspendue", [S.SUSPENDUE, "SUSPENDUE"]),
    "DEPOSEE": ("Déposée", [S.DEPOSEE]),
    "EN_COURS_DESTINATAIRE": (
        "En cours de traitement par le destinataire",
        [
            "PRISE_EN_COMPTE_DESTINATAIRE",
            "SERVICE_FAIT",
            "MANDATEE",
            "MISE_A_DISPOSITION_COMPTABLE",
            "COMPTABILISEE",
            "A_RECYCLER",
            "COMPLETEE",
        ],
    ),
    "MISE_EN_PAIEMENT": ("Mise en paiement", ["MISE_EN_PAIEMENT"]),
}
