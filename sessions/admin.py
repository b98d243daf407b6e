"""Admin for sessions: metadata only. Private notes and concerns are not registered, on purpose:
no administrator reads a pair's notes."""

from django.contrib import admin

from sessions.models import MentoringSession


@admin.register(MentoringSession)
class MentoringSessionAdmin(admin.ModelAdmin):
    list_display = ["pair", "starts_at", "status", "cancelled_by", "sequence"]
    list_filter = ["status", "pair__programme"]
    list_select_related = ["pair__mentor__employee", "pair__mentee__employee"]
    fields = ["pair", "starts_at", "duration_minutes", "place_kind", "place", "theme", "status", "cancelled_by"]
    readonly_fields = ["pair"]
