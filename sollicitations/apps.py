from django.apps import AppConfig


class SollicitationsConfig(AppConfig):
    name = "sollicitations"
    verbose_name = "Sollicitations"

    def ready(self):
        from chorus import compteurs, demo
        from sollicitations import navigation  # noqa: F401
        from sollicitations.compteurs import COMPTEUR

        compteurs.inscrire(COMPTEUR)  # the check of ``manage.py verifier_compteurs``
        demo.inscrire_chargeur("charger_demo_sollicitations", ordre=30)  # after the demo invoices
