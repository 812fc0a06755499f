from django.apps import AppConfig


class SollicitationsConfig(AppConfig):
    name = "sollicitations"
    verbose_name = "Sollicitations"

    def ready(self):
        from sollicitations import navigation  # noqa: F401
