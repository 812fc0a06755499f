from django.apps import AppConfig


class ChorusConfig(AppConfig):
    name = "chorus"
    verbose_name = "Portail"

    def ready(self):
        # Connect the worker heartbeat and register the e-mail outbox handler in every process.
        from chorus import mail, outbox, signals  # noqa: F401

        outbox.inscrire(mail.TYPE_COURRIEL, mail.envoyer_maintenant)

        from chorus import navigation

        # « Mes messages »: every user reads their own notifications (the domain apps register their types).
        navigation.register_application(
            navigation.Application(
                "MES_MESSAGES",
                "Mes messages",
                "ORGANISATION",
                "mes_messages",
                "Les notifications du portail qui vous sont adressées ; choisir celles reçues aussi par courriel.",
                ordre=15,
            )
        )
        navigation.register_onglets(
            "MES_MESSAGES",
            "Mes messages",
            [
                navigation.Onglet("Mes messages", "mes_messages"),
                navigation.Onglet("Préférences", "preferences_messages"),
            ],
        )
