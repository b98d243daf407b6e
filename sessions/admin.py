"""Admin for sessions: metadata only, read only. Private notes and concerns are not registered, on
purpose: no administrator reads a pair's notes. A session is planned, moved and cancelled from its
page (the invitations follow: updated or cancelling, to both members and the delegate), never
here; nor is it deleted here (that would take the answers given about it with it)."""

from django.contrib import admin

from sessions.models import MentoringSession


@admin.register(MentoringSession)
class MentoringSessionAdmin(admin.ModelAdmin):
    list_display = ["pair", "starts_at", "status", "cancelled_by", "sequence"]
    list_filter = ["status", "pair__programme"]
    list_select_related = ["pair__mentor__employee", "pair__mentee__employee"]
    fields = ["pair", "starts_at", "duration_minutes", "place_kind", "place", "theme", "status", "cancelled_by"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
