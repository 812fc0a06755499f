"""The works pieces' counters of the « Tableau de bord (stock) » (``CompteurPieces``), kept by the kit's mechanism
(``chorus.compteurs``: statement triggers of migration 0006, the fold, the check).

A piece counts once per role of the Tableau de bord its dossier has (fournisseur, and MOE, MOA when there is one),
for the piece's copy of that actor and its « état courant »; a draft (or an abandoned one) also keeps its depositing
structure, the only one that sees it."""

from chorus.compteurs import Compteur, Projection
from travaux.models import CHAMPS_ROLE
from travaux.statuts import BROUILLONS

_DEPOSANT_D_UN_BROUILLON = f"CASE WHEN statut IN ({', '.join(repr(str(s)) for s in BROUILLONS)}) THEN deposant_id END"

COMPTEUR = Compteur(
    nom="travaux_compteurs",
    table="travaux_compteurpieces",
    source="travaux_piecetravaux",
    cles=("role", "structure_id", "etat_courant", "deposant_id"),
    projections=tuple(
        Projection((f"'{role}'", f"{champ}_id", "etat_courant", _DEPOSANT_D_UN_BROUILLON), f"{champ}_id IS NOT NULL")
        for role, champ in CHAMPS_ROLE.items()
    ),
    nullables=("deposant_id",),
    libelle="Compteur de pièces de travaux",
    pluriel="Compteurs des pièces de travaux",
    unite="pièce(s)",
)
