from django.contrib import admin

from chorus.api.models import ClientOAuth


@admin.register(ClientOAuth)
class ClientOAuthAdmin(admin.ModelAdmin):
    """Secrets are created (and shown once) by ``manage.py creer_acces_api``; here a client is (de)activated."""

    list_display = ["client_id", "libelle", "actif", "created_at"]
    list_filter = ["actif"]
    readonly_fields = ["client_id", "secret_hache", "created_at"]

    def has_add_permission(self, request):
        return False
