from django.apps import AppConfig


class SollicitationsConfig(AppConfig):
    name = "sollicitations"
    verbose_name = "Sollicitations"

    def ready(self):
        from chorus import demo
        from sollicitations import navigation  # noqa: F401

        demo.inscrire_chargeur("charger_demo_sollicitations", ordre=30)  # after the demo invoices
