from chorus.messagerie import TypeMessage, register_type_message
from chorus.navigation import Application, Onglet, register_application, register_onglets
from organisation import queries as org_queries
from organisation.enums import Application as App


def _acteur_travaux(user) -> bool:
    return org_queries.a_application(user, App.FACTURES_TRAVAUX)


register_application(
    Application(
        "FACTURES_TRAVAUX",
        "Factures de travaux",
        "FACTURATION",
        "travaux_synthese",
        "Déposer et suivre les pièces de vos dossiers de facturation de marchés de travaux (fournisseur, MOE, MOA).",
        ordre=40,
        accessible=_acteur_travaux,
    )
)
register_onglets(
    "FACTURES_TRAVAUX",
    "Factures de travaux",
    [
        Onglet("Synthèse", "travaux_synthese"),
        Onglet("Rechercher", "travaux_rechercher"),
        Onglet("Déposer", "travaux_deposer", si="peut_deposer"),
        Onglet("Tableau de bord", "travaux_tableau_de_bord"),
    ],
)

# « Mes messages »: the notifications of the works pieces (``travaux.services._notifier``).
register_type_message(
    TypeMessage("TRAVAUX_A_TRAITER", "Pièce de travaux mise à votre disposition", "Factures de travaux", ordre=40)
)
register_type_message(
    TypeMessage("TRAVAUX_REFUS", "Pièce de travaux refusée ou suspendue", "Factures de travaux", ordre=41)
)
