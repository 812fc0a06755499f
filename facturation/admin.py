from django.contrib import admin

from chorus.admin_lecture_seule import LectureSeuleAdmin
from facturation.models import FluxDepot


@admin.register(FluxDepot)
class FluxDepotAdmin(LectureSeuleAdmin):
    list_display = ["numero", "structure", "syntaxe", "etat", "created_at", "etat_le"]
    list_filter = ["etat", "syntaxe"]
    search_fields = ["numero", "nom_fichier"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "factures"]  # the invoices a flow made (many-to-many)
