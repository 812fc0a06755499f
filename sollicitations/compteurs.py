"""The received sollicitations' counters of the Tableau de bord (``CompteurSollicitations``), kept by the kit's
mechanism (``chorus.compteurs``: statement triggers of migration 0004, the fold, the check).

A sollicitation counts for its receiving structure and service or, once routed to the support desk, for the desk
(structure ``SUPPORT``, no service): the two sides of ``Sollicitation.objects.recues_par``."""

from chorus.compteurs import Compteur, Projection
from sollicitations.models import SUPPORT

COMPTEUR = Compteur(
    nom="sollicitations_compteurs",
    table="sollicitations_compteursollicitations",
    source="sollicitations_sollicitation",
    cles=("structure_id", "service_id", "statut"),
    projections=(
        Projection(("structure_destinataire_id", "service_destinataire_id", "statut"), "NOT au_support"),
        Projection((str(SUPPORT), "NULL::bigint", "statut"), "au_support"),
    ),
    nullables=("service_id",),
    libelle="Compteur de sollicitations reçues",
    pluriel="Compteurs des sollicitations reçues",
    unite="sollicitation(s)",
)
