from django.apps import AppConfig


class TravauxConfig(AppConfig):
    name = "travaux"
    verbose_name = "Travaux"
