"""The invoice counters of the Tableaux de bord (``CompteurFactures``), kept by the kit's mechanism
(``chorus.compteurs``: statement triggers of migration 0017, the fold, the check).

An invoice counts on the issued side for (fournisseur, service_fournisseur, statut) and, once it names a recipient,
on the received side for (destinataire, service_destinataire, statut); the dashboards keep the statuses each side
shows (``CompteurFacturesQuerySet``)."""

from chorus.compteurs import Compteur, Projection


def _decrire(cle: dict) -> str:
    service = f", service {cle['service_id']}" if cle["service_id"] else ""
    return f"{cle['cote']} structure {cle['structure_id']}{service}, {cle['statut']}"


COMPTEUR = Compteur(
    nom="facturation_compteurs",
    table="facturation_compteurfactures",
    source="facturation_facture",
    cles=("cote", "structure_id", "service_id", "statut"),
    projections=(
        Projection(("'EMISES'", "fournisseur_id", "service_fournisseur_id", "statut")),
        Projection(("'RECUES'", "destinataire_id", "service_destinataire_id", "statut"), "destinataire_id IS NOT NULL"),
    ),
    nullables=("service_id",),
    libelle="Compteur de factures",
    pluriel="Compteurs des factures",
    unite="facture(s)",
    decrire=_decrire,
)

compacter = COMPTEUR.compacter
ecarts = COMPTEUR.ecarts
corriger = COMPTEUR.corriger
