from django.contrib import admin

from chorus.api.models import ClientOAuth, CompteTechnique, FluxDepot


@admin.register(ClientOAuth)
class ClientOAuthAdmin(admin.ModelAdmin):
    """Secrets are created by ``manage.py creer_acces_api`` (shown once); here a client is (de)activated."""

    list_display = ["client_id", "libelle", "actif", "created_at"]
    list_filter = ["actif"]
    readonly_fields = ["client_id", "secret_hache", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(CompteTechnique)
class CompteTechniqueAdmin(admin.ModelAdmin):
    list_display = ["login", "structure", "actif", "expiration_mot_de_passe"]
    list_filter = ["actif"]
    search_fields = ["login", "structure__identifiant", "structure__raison_sociale"]
    readonly_fields = ["login", "mot_de_passe_hache", "structure", "utilisateur", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(FluxDepot)
class FluxDepotAdmin(admin.ModelAdmin):
    list_display = ["numero", "structure", "syntaxe", "etat", "created_at", "etat_le"]
    list_filter = ["etat", "syntaxe"]
    search_fields = ["numero", "nom_fichier"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in FluxDepot._meta.fields] + ["factures"]

    def has_add_permission(self, request):
        return False
