from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from binomes.models import ForbiddenPair, Pair, PairingSettings, Shortlist
from binomes.services import pair_refusal, reason_text


class PairAdminForm(forms.ModelForm):
    """The admin is one more path to a pair: the same rules apply."""

    class Meta:
        model = Pair
        fields = ["programme", "mentor", "mentee", "status", "locked"]

    def clean(self):
        data = super().clean()
        programme, mentor, mentee = data.get("programme"), data.get("mentor"), data.get("mentee")
        if programme and mentor and mentee and data.get("status") in Pair.LIVE:
            code = pair_refusal(programme=programme, mentor=mentor, mentee=mentee, ignore=self.instance if self.instance.pk else None)
            if code:
                raise ValidationError(reason_text(code))
        return data


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    form = PairAdminForm
    list_display = ["__str__", "programme", "status", "score", "source"]
    list_filter = ["programme", "status", "source"]
    raw_id_fields = ["mentor", "mentee"]
    list_select_related = ["programme", "mentor__employee", "mentee__employee"]

    def get_readonly_fields(self, request, obj=None):
        # An existing pair keeps its members and status here: another member would read its private
        # notes, and a status set by hand would skip what ending a pair does (the product's pages do it).
        return ["programme", "mentor", "mentee", "status"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # Deleting a pair would delete its notes, the junior's concerns and its sessions, and with
        # them the answers given about those sessions (a released figure would move by one person).
        return False


admin.site.register(ForbiddenPair, list_display=["programme", "mentor", "mentee", "created_at"], raw_id_fields=["mentor", "mentee"])
admin.site.register(PairingSettings)
admin.site.register(Shortlist, list_display=["programme", "mentee", "expires_at", "closed_at"], raw_id_fields=["mentee", "chosen"])
