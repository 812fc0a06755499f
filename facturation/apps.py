from django.apps import AppConfig


class FacturationConfig(AppConfig):
    name = "facturation"
    verbose_name = "Facturation"

    def ready(self):
        from facturation import navigation  # noqa: F401
