from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chorus.api"
    label = "api"
    verbose_name = "API Chorus Pro"
    default_auto_field = "django.db.models.BigAutoField"
