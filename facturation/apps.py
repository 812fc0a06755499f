from django.apps import AppConfig


class FacturationConfig(AppConfig):
    name = "facturation"
    verbose_name = "Facturation"

    def ready(self):
        from chorus import compteurs, demo
        from facturation import navigation  # noqa: F401
        from facturation.api import tasks  # noqa: F401  (the flux tasks, under their historical names)
        from facturation.compteurs import COMPTEUR

        compteurs.inscrire(COMPTEUR)  # the check of ``manage.py verifier_compteurs``
        demo.inscrire_chargeur("charger_demo_factures", ordre=20)  # after the accounts and structures
        demo.inscrire_chargeur("charger_demo_flux", ordre=45)  # after the demo's technical account (40)
