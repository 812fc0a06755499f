"""The two applications of the « Sollicitations » domain on the Domaines page."""

from chorus.navigation import Application, register_application


def _emises(user) -> bool:
    from organisation import queries
    from organisation.enums import Application as App

    return queries.a_application(user, App.SOLLICITATIONS_EMISES)


def _recues(user) -> bool:
    from sollicitations import queries

    return queries.acces_recues(user)


register_application(
    Application(
        "SOLLICITATIONS_EMISES", "Sollicitations émises", "SOLLICITATIONS", "sollicitations_emises",
        "Poser une question à une entité publique ou au support Chorus Pro, et suivre les réponses.", ordre=10,
        accessible=_emises,
    )
)  # fmt: skip
register_application(
    Application(
        "SOLLICITATIONS_RECUES", "Sollicitations reçues", "SOLLICITATIONS", "sollicitations_recues",
        "Traiter les sollicitations adressées à vos structures et services (ou au support Chorus Pro).", ordre=20,
        accessible=_recues,
    )
)  # fmt: skip
