from django.apps import AppConfig


class TravauxConfig(AppConfig):
    name = "travaux"
    verbose_name = "Travaux"

    def ready(self):
        from travaux import navigation  # noqa: F401
