from django.contrib import admin

from facturation.models import FluxDepot


@admin.register(FluxDepot)
class FluxDepotAdmin(admin.ModelAdmin):
    list_display = ["numero", "structure", "syntaxe", "etat", "created_at", "etat_le"]
    list_filter = ["etat", "syntaxe"]
    search_fields = ["numero", "nom_fichier"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in FluxDepot._meta.fields] + ["factures"]

    def has_add_permission(self, request):
        return False
