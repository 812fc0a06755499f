from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chorus.api"
    label = "api"
    verbose_name = "API Chorus Pro"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from chorus import demo

        demo.inscrire_chargeur("charger_demo_api", ordre=40)  # the API client and technical account of the demo
