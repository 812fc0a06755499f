from chorus.navigation import Application, EntreeMenu, register_application, register_menu_utilisateur

register_application(
    Application(
        code="MON_COMPTE",
        libelle="Mon compte",
        domaine="ORGANISATION",
        url_name="mon_compte",
        description="Consulter et modifier vos informations personnelles et votre mot de passe.",
        ordre=90,
    )
)
register_menu_utilisateur(EntreeMenu(libelle="Mon compte", url_name="mon_compte", ordre=10, icone="fr-icon-user-line"))
