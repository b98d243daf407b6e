from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.models import LearningDomain
from sessions.models import Commitment, LearningGoal

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LogForm(forms.Form):
    held = forms.TypedChoiceField(label=_("Did the session take place?"), choices=[("1", _("yes")), ("0", _("no"))],
                                  coerce=lambda v: v == "1", widget=forms.RadioSelect, initial="1")
    actual_minutes = forms.IntegerField(label=_("Actual length (minutes)"), min_value=5, max_value=480, required=False)
    topics = forms.CharField(label=_("Topics covered"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    learned = forms.CharField(label=_("What was learned"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    exercise = forms.CharField(label=_("Practical exercise done"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    next_step = forms.CharField(label=_("Next step"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Your rating of this session"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(i, str(i)) for i in range(1, 6)])
    comment = forms.CharField(label=_("A word for your partner (optional)"), required=False, max_length=500,
                              help_text=_("Your partner reads it in your pair space; your rating stays yours."))


class RescheduleForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("New date and time"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why cancel?"), max_length=300)


class ReofferForm(forms.Form):
    """A cancelled session offered again at a new time (the others get the invitation)."""

    starts_at = forms.DateTimeField(label=_("New date and time"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    reason = forms.CharField(label=_("A word for the others (optional)"), max_length=300, required=False)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Private note (only the two of you can read it)"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteDeleteForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, delete this note for both of us (this cannot be undone)"))


class GoalForm(forms.ModelForm):
    class Meta:
        model = LearningGoal
        fields = ["title", "domain", "status", "progress"]

    def __init__(self, *args, pair=None, **kwargs):
        super().__init__(*args, **kwargs)
        if pair is not None:
            self.fields["domain"].queryset = LearningDomain.objects.filter(programmes=pair.programme)


class GoalMoveForm(forms.Form):
    """Move an existing goal: one per goal on the pair space, each with ids of its own (``auto_id``)."""

    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100,
                                  widget=forms.NumberInput(attrs={"step": 5}))
    status = forms.ChoiceField(label=_("Status"), choices=LearningGoal.Status.choices)
    note = forms.CharField(label=_("What moved it (optional)"), max_length=200, required=False)

    def __init__(self, *args, goal: LearningGoal, **kwargs):
        kwargs.setdefault("auto_id", f"goal{goal.pk}-%s")
        kwargs.setdefault("initial", {"progress": goal.progress, "status": goal.status})
        super().__init__(*args, **kwargs)
        self.goal_pk = goal.pk


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["text", "due_date"]
        widgets = {"due_date": DATE}


class ConcernForm(forms.Form):
    body = forms.CharField(label=_("Tell the HR team (the senior never sees this)"), widget=forms.Textarea(attrs={"rows": 3}))


class DelegateForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of your delegate (empty to remove)"), required=False)


class ReminderTimingForm(forms.ModelForm):
    class Meta:
        from sessions.models import ReminderTiming

        model = ReminderTiming
        fields = ["first_hours_before", "second_hours_before", "log_hours_after"]

    def clean(self):
        data = super().clean()
        first, second = data.get("first_hours_before"), data.get("second_hours_before")
        if first and second and second >= first:
            self.add_error("second_hours_before", _("The second reminder comes after the first: fewer hours before."))
        return data


class PlaceForm(forms.Form):
    place_kind = forms.ChoiceField(label=_("Where"), choices=[("room", _("meeting room")), ("video", _("video call"))])
    place = forms.CharField(label=_("Room or video link"), max_length=300, required=False,
                            help_text=_("A neutral room, away from the senior's office, works best."))
    theme = forms.CharField(label=_("Theme"), max_length=200, required=False)


class DelegatePlaceForm(forms.Form):
    """Where the senior meets, for the delegate: no theme (the pair's content)."""

    place_kind = PlaceForm.base_fields["place_kind"]
    place = PlaceForm.base_fields["place"]
