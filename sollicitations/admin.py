"""The referential of categories is edited here (``actif`` hides an entry from new sollicitations without touching
the existing ones). Sollicitations themselves are read-only: their statuses change through
``sollicitations.services`` only."""

from django.contrib import admin

from chorus.admin_lecture_seule import HistoriqueInline
from sollicitations.models import Categorie, HistoriqueSollicitation, Sollicitation, SousCategorie


class SousCategorieInline(admin.TabularInline):
    model = SousCategorie
    extra = 0
    fields = ["code", "libelle", "acheminement", "actif", "ordre"]


@admin.register(Categorie)
class CategorieAdmin(admin.ModelAdmin):
    list_display = ["libelle", "code", "actif", "ordre"]
    list_filter = ["actif"]
    inlines = [SousCategorieInline]


@admin.register(SousCategorie)
class SousCategorieAdmin(admin.ModelAdmin):
    list_display = ["libelle", "categorie", "acheminement", "actif", "ordre"]
    list_filter = ["categorie", "acheminement", "actif"]
    search_fields = ["libelle", "code"]


class HistoriqueSollicitationInline(HistoriqueInline):
    model = HistoriqueSollicitation
    fields = ["created_at", "acting_user", "role", "statut_precedent", "statut", "motif", "commentaire"]


@admin.register(Sollicitation)
class SollicitationAdmin(admin.ModelAdmin):
    list_display = ["numero", "date_depot", "statut", "structure_emettrice", "au_support", "structure_destinataire"]
    list_filter = ["statut", "au_support", "categorie"]
    search_fields = ["numero", "objet", "structure_emettrice__raison_sociale", "structure_emettrice__identifiant"]
    list_select_related = ["structure_emettrice", "structure_destinataire"]
    inlines = [HistoriqueSollicitationInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
