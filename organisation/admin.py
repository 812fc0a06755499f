from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from organisation.models import HistoriqueModificationDifferee, ModificationDifferee, Utilisateur


@admin.register(Utilisateur)
class UtilisateurAdmin(UserAdmin):
    ordering = ["nom", "prenom"]
    list_display = ["email", "prenom", "nom", "is_active", "is_staff", "verrouille_jusqu_au"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["email", "nom", "prenom"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["prenom", "nom", "telephone"]}),
        ("Connexion", {"fields": ["is_active", "echecs_connexion", "verrouille_jusqu_au", "last_login"]}),
        ("Droits", {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "prenom", "nom", "password1", "password2"]})]


class HistoriqueInline(admin.TabularInline):
    model = HistoriqueModificationDifferee
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "acting_user", "role", "statut_precedent", "statut", "motif", "empreinte"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ModificationDifferee)
class ModificationDiffereeAdmin(admin.ModelAdmin):
    list_display = ["description", "demandeur", "statut", "created_at", "effective_at", "appliquee_le"]
    list_filter = ["statut"]
    readonly_fields = [f.name for f in ModificationDifferee._meta.fields]
    inlines = [HistoriqueInline]

    def has_add_permission(self, request):
        return False
