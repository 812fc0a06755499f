from django.apps import AppConfig


class ChorusConfig(AppConfig):
    name = "chorus"
    verbose_name = "Portail"

    def ready(self):
        # Connect the worker heartbeat and register the e-mail outbox handler in every process.
        from chorus import mail, outbox, signals  # noqa: F401

        outbox.inscrire(mail.TYPE_COURRIEL, mail.envoyer_maintenant)
