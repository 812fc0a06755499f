"""Admin pages for the rows only the services write (outbox messages, requests, deferred changes, histories): the
back office reads them and never adds one, so that no status or history escapes the transition engine."""

from django.contrib import admin


class LectureSeuleAdmin(admin.ModelAdmin):
    """Every field read-only, no « Ajouter »."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


class HistoriqueInline(admin.TabularInline):
    """An append-only history (``chorus.history``) under its object: the subclass names the ``model`` and the
    ``fields`` shown, all read-only; no row is added or deleted here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False
