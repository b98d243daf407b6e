"""Forms of the community of practice: share a learning, review it, filter the published ones."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from programmes.models import LearningDomain
from sessions.models import SharedLearning


class PairChoice(forms.ModelChoiceField):
    def label_from_instance(self, pair):
        return f"{pair.programme.name} — {pair.mentor.employee.full_name} & {pair.mentee.employee.full_name}"


class ShareForm(forms.Form):
    pair = PairChoice(label=_("From the pair"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("What you share"), widget=forms.RadioSelect,
                             choices=[(value, capfirst(label)) for value, label in SharedLearning.Kind.choices],
                             initial=SharedLearning.Kind.LEARNING)
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(label=_("Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("What you learned, the resource and why it helps, or the tip. "
                                       "Nothing about your partner that they have not agreed to share."))
    link = forms.CharField(label=_("Link (optional)"), max_length=500, required=False,
                           widget=forms.URLInput(attrs={"placeholder": "https://"}))
    domain = forms.ModelChoiceField(label=_("Learning domain"), queryset=LearningDomain.objects.offered())
    anonymous = forms.TypedChoiceField(
        label=_("Signed or anonymous"), widget=forms.RadioSelect, coerce=lambda v: v == "1", initial="0",
        choices=[("0", _("With my name")), ("1", _("Anonymous: my name is never shown (the programme and the domain are)"))])
    consent = forms.BooleanField(label=_("I agree this is shown to all employees"), required=False,
                                 help_text=_("A coordinator of your programme reads it first. You can withdraw it at any time."))

    def __init__(self, *args, pairs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pair"].queryset = pairs

    def clean_consent(self):
        if not self.cleaned_data.get("consent"):
            raise forms.ValidationError(_("Tick the box to agree that it is shown to all employees."))
        return True


class ReviewForm(forms.Form):
    message = forms.CharField(label=_("Message to the author"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Required to refuse: the author reads it on their learnings page."))


class FilterForm(forms.Form):
    """The browse page's filters; a wrong value is ignored (the whole list), never an error page."""

    domain = forms.ModelChoiceField(label=_("Learning domain"), queryset=LearningDomain.objects.none(), required=False,
                                    empty_label=_("All domains"), to_field_name="slug")
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, domains=None, families=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = domains if domains is not None else LearningDomain.objects.none()
        self.fields["programme"].choices = [("", _("All programmes"))] + [
            (family["slug"], family["name"] if family["cohorts"] == 1 else
             _("%(name)s (all its cohorts)") % {"name": family["name"]}) for family in families]
        self.fields["kind"].choices = [("", _("All kinds"))] + list(SharedLearning.Kind.choices)
