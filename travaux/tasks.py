from chorus.compteurs import taches
from travaux import compteurs

# The Tableau de bord's counters: the fold (every minute) and the check (at night), ``chorus.compteurs``.
compacter_compteurs, verifier_compteurs = taches(compteurs.COMPTEUR, __name__)
