from django.apps import AppConfig


class SollicitationsConfig(AppConfig):
    name = "sollicitations"
    verbose_name = "Sollicitations"
