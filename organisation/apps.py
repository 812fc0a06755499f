from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = "Organisation"

    def ready(self):
        from chorus import demo
        from organisation import navigation, signals  # noqa: F401
        from organisation.management.commands.charger_demo import COMPTES_DEMO, MOT_DE_PASSE_DEMO

        demo.inscrire_chargeur("charger_demo", ordre=10)
        demo.inscrire_comptes(COMPTES_DEMO, mot_de_passe=MOT_DE_PASSE_DEMO)
        demo.inscrire_chargeur("charger_demo_api", ordre=40)  # the API client and technical account of the demo
