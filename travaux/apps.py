from django.apps import AppConfig


class TravauxConfig(AppConfig):
    name = "travaux"
    verbose_name = "Travaux"

    def ready(self):
        from chorus import compteurs, demo
        from organisation.management.commands.charger_demo import MOT_DE_PASSE_DEMO
        from travaux import navigation  # noqa: F401
        from travaux.compteurs import COMPTEUR
        from travaux.management.commands.charger_demo_travaux import COMPTES_DEMO_TRAVAUX

        compteurs.inscrire(COMPTEUR)  # the check of ``manage.py verifier_compteurs``
        # After the demo invoices (20): that loader only runs into a database without invoices, and a works
        # dossier's payable pieces are invoices.
        demo.inscrire_chargeur("charger_demo_travaux", ordre=25)
        demo.inscrire_comptes(COMPTES_DEMO_TRAVAUX, mot_de_passe=MOT_DE_PASSE_DEMO)
