from django.contrib import admin

from chorus.admin_lecture_seule import LectureSeuleAdmin
from chorus.models import OutboxMessage, Publication, WorkerHeartbeat


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["titre", "rubrique", "date_publication", "publiee"]
    list_filter = ["rubrique", "publiee"]
    search_fields = ["titre", "resume"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(LectureSeuleAdmin):
    list_display = ["id", "kind", "statut", "tentatives", "created_at", "disponible_le", "traite_le"]
    list_filter = ["statut", "kind"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "last_seen"]
