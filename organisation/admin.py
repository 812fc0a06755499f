from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from chorus.admin_lecture_seule import HistoriqueInline, LectureSeuleAdmin
from organisation.models import (
    Approbation,
    CompteTechnique,
    EtablissementInsee,
    HistoriqueModificationDifferee,
    ModificationDifferee,
    Rattachement,
    Service,
    Structure,
    Utilisateur,
)


@admin.register(Utilisateur)
class UtilisateurAdmin(UserAdmin):
    ordering = ["nom", "prenom"]
    list_display = ["email", "prenom", "nom", "is_active", "is_staff", "verrouille_jusqu_au"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["email", "nom", "prenom"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["prenom", "nom", "telephone"]}),
        (
            "Connexion",
            {
                "fields": [
                    "is_active",
                    "echecs_connexion",
                    "verrouille_jusqu_au",
                    "last_login",
                    "double_authentification",
                ]
            },
        ),
        ("Droits", {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "prenom", "nom", "password1", "password2"]})]
    # Changed only through the transition engine (« Mon compte », the support's reset): history and security log.
    readonly_fields = ["double_authentification"]


# The second factor's devices change only through organisation.services.double_authentification (history, security
# log, the account's state kept in step): not through the admin pages django-otp registers.
for _modele in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_modele):
        admin.site.unregister(_modele)


class HistoriqueModificationInline(HistoriqueInline):
    model = HistoriqueModificationDifferee
    fields = ["created_at", "acting_user", "role", "statut_precedent", "statut", "motif", "empreinte"]


@admin.register(ModificationDifferee)
class ModificationDiffereeAdmin(LectureSeuleAdmin):
    list_display = ["description", "demandeur", "statut", "created_at", "effective_at", "appliquee_le"]
    list_filter = ["statut"]
    inlines = [HistoriqueModificationInline]


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["raison_sociale", "identifiant", "type_structure", "statut", "gestionnaire_principal"]
    list_filter = ["type_structure", "statut", "option_moa"]
    search_fields = ["raison_sociale", "identifiant"]
    raw_id_fields = ["gestionnaire_principal"]
    readonly_fields = ["statut"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "libelle", "structure", "actif", "engagement_obligatoire"]
    list_filter = ["actif"]
    search_fields = ["code", "libelle", "structure__raison_sociale"]
    raw_id_fields = ["structure"]


@admin.register(Rattachement)
class RattachementAdmin(LectureSeuleAdmin):
    list_display = ["utilisateur", "structure", "service", "statut", "created_at"]
    list_filter = ["statut"]
    search_fields = ["utilisateur__email", "structure__raison_sociale"]


@admin.register(Approbation)
class ApprobationAdmin(LectureSeuleAdmin):
    list_display = ["type", "statut", "demandeur", "structure", "created_at", "decided_at"]
    list_filter = ["type", "statut"]


@admin.register(EtablissementInsee)
class EtablissementInseeAdmin(admin.ModelAdmin):
    list_display = ["siret", "raison_sociale", "ville", "est_public", "actif"]
    search_fields = ["siret", "raison_sociale"]


@admin.register(CompteTechnique)
class CompteTechniqueAdmin(admin.ModelAdmin):
    list_display = ["login", "structure", "actif", "expiration_mot_de_passe"]
    list_filter = ["actif"]
    search_fields = ["login", "structure__identifiant", "structure__raison_sociale"]
    readonly_fields = ["login", "mot_de_passe_hache", "structure", "utilisateur", "created_at"]

    def has_add_permission(self, request):
        return False
