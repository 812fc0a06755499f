"""The two applications of the « Sollicitations » domain on the Domaines page, and their tab bars."""

from chorus.messagerie import TypeMessage, register_type_message
from chorus.navigation import Application, Onglet, register_application, register_onglets
from organisation import queries as org_queries
from organisation.enums import Application as App
from sollicitations import queries


def _emises(user) -> bool:
    return org_queries.a_application(user, App.SOLLICITATIONS_EMISES)


def _recues(user) -> bool:
    return queries.acces_recues(user)


register_application(
    Application(
        "SOLLICITATIONS_EMISES",
        "Sollicitations émises",
        "SOLLICITATIONS",
        "sollicitations_emises",
        "Poser une question à une entité publique ou au support Chorus Pro, et suivre les réponses.",
        ordre=10,
        accessible=_emises,
    )
)
register_application(
    Application(
        "SOLLICITATIONS_RECUES",
        "Sollicitations reçues",
        "SOLLICITATIONS",
        "sollicitations_recues",
        "Traiter les sollicitations adressées à vos structures et services (ou au support Chorus Pro).",
        ordre=20,
        accessible=_recues,
    )
)


register_onglets(
    "SOLLICITATIONS_EMISES",
    "Sollicitations émises",
    [
        Onglet("Synthèse", "sollicitations_emises"),
        Onglet("Rechercher", "rechercher_sollicitations_emises"),
        Onglet("Saisir une sollicitation", "saisir_sollicitation", si="peut_saisir"),
    ],
)
register_onglets(
    "SOLLICITATIONS_RECUES",
    "Sollicitations reçues",
    [
        Onglet("Synthèse", "sollicitations_recues"),
        Onglet("Rechercher", "rechercher_sollicitations_recues"),
        Onglet("Tableau de bord", "tableau_de_bord_sollicitations"),
        Onglet("Statistiques", "statistiques_sollicitations"),
    ],
)

# « Mes messages »: the notifications of the sollicitations (``sollicitations.services.circuit.courriel``).
register_type_message(
    TypeMessage(
        "SOLLICITATION_SUIVI",
        "Suivi de mes sollicitations (dépôt, demande d'information, réponse)",
        "Sollicitations émises",
        ordre=50,
    )
)
register_type_message(
    TypeMessage(
        "SOLLICITATION_A_TRAITER",
        "Sollicitation à traiter (nouvelle, relancée, transférée, assignée, clôturée)",
        "Sollicitations reçues",
        ordre=60,
    )
)
