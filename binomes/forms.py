from django import forms
from django.utils.translation import gettext_lazy as _

from binomes.models import PairingSettings


class ApplicationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        e = obj.employee
        return f"{e.last_name} {e.first_name} — {e.job_title} ({e.department or '—'})"


class ManualPairForm(forms.Form):
    mentor = ApplicationChoiceField(label=_("Mentor"), queryset=None)
    mentee = ApplicationChoiceField(label=_("Mentee"), queryset=None)

    def __init__(self, *args, mentors, mentees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors
        self.fields["mentee"].queryset = mentees


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why (only the programme team reads this)"), widget=forms.Textarea(attrs={"rows": 3}))


class ChemistryForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time of the chemistry meeting (30 minutes)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("give a date and a time."), "invalid": _("give a date and a time.")},
    )


class EndForm(forms.Form):
    completed = forms.BooleanField(label=_("The pair completed the programme"), required=False)
    reason = forms.CharField(label=_("Reason (required when ending early)"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PairingSettingsForm(forms.ModelForm):
    class Meta:
        model = PairingSettings
        fields = ["mode", "proposal_days", "shortlist_days", "weight_goals", "weight_availability", "weight_format",
                  "weight_cross_silo", "weight_level_gap"]

    def clean(self):
        data = super().clean()
        weights = [data.get(f) or 0 for f in self.Meta.fields if f.startswith("weight_")]
        if sum(weights) == 0:
            raise forms.ValidationError(_("At least one weight must be above zero."))
        for name in ("proposal_days", "shortlist_days"):
            if data.get(name) is not None and not 1 <= data[name] <= 60:
                self.add_error(name, _("Between 1 and 60 days."))
        return data
