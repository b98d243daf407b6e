from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models import Question, Survey, Testimonial

SCALE = [(i, str(i)) for i in range(1, 6)]
RECOMMEND = [(i, str(i)) for i in range(0, 11)]


def _field_name(question_id: int, domain_id: int | None) -> str:
    return f"q{question_id}" + (f"_d{domain_id}" if domain_id else "")


class ResponseForm(forms.Form):
    """One field per question, and per learning domain for the skill questions."""

    def __init__(self, *args, questions, domains, response=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys: dict[str, tuple[int, int | None]] = {}
        initial = {}
        if response is not None:
            for answer in response.answers.all():
                if answer.choices:
                    value = answer.choices
                elif answer.text:
                    value = answer.text
                else:
                    value = answer.value
                initial[_field_name(answer.question_id, answer.domain_id)] = value
        for question in questions:
            targets = domains if question.kind in Question.PER_DOMAIN else [None]
            for domain in targets:
                name = _field_name(question.pk, domain.pk if domain else None)
                label = f"{question.text} — {domain.name}" if domain else question.text
                self.fields[name] = self._field(question, label)
                self.fields[name].initial = initial.get(name)
                self.keys[name] = (question.pk, domain.pk if domain else None)

    @staticmethod
    def _field(question: Question, label: str) -> forms.Field:
        required = question.required
        if question.kind in (Question.Kind.SCALE, Question.Kind.SKILL_SELF, Question.Kind.SKILL_MENTOR):
            return forms.TypedChoiceField(label=label, choices=SCALE, coerce=int, widget=forms.RadioSelect, required=required,
                                          help_text=_("1: not at all · 5: completely"))
        if question.kind == Question.Kind.RECOMMEND:
            return forms.TypedChoiceField(label=label, choices=RECOMMEND, coerce=int, widget=forms.RadioSelect,
                                          required=required, help_text=_("0: not at all likely · 10: extremely likely"))
        if question.kind == Question.Kind.SINGLE:
            return forms.TypedChoiceField(label=label, choices=question.choice_list(), coerce=int, widget=forms.RadioSelect,
                                          required=required)
        if question.kind == Question.Kind.MULTIPLE:
            return forms.MultipleChoiceField(label=label, choices=question.choice_list(), widget=forms.CheckboxSelectMultiple,
                                             required=required)
        return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 3}), required=required, max_length=4000)

    def answers(self) -> dict[tuple[int, int | None], object]:
        return {self.keys[name]: value for name, value in self.cleaned_data.items()}


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title_fr", "title_en", "intro_fr", "intro_en", "is_active", "opens_on", "days_open"]
        widgets = {"opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "intro_fr": forms.Textarea(attrs={"rows": 2}), "intro_en": forms.Textarea(attrs={"rows": 2})}


class QuestionForm(forms.ModelForm):
    measures = forms.ChoiceField(label=_("Counts towards"), required=False,
                                 choices=[("", _("no indicator")), ("satisfaction", _("satisfaction (1–5 scale only)"))])

    class Meta:
        model = Question
        fields = ["order", "kind", "text_fr", "text_en", "choices", "required"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["measures"].initial = self.instance.measures


class TestimonialForm(forms.ModelForm):
    class Meta:
        model = Testimonial
        fields = ["title", "body", "consent"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].required = False
        self.fields["consent"].help_text = _("Without it, only the coordinators read your story.")


class FilterForm(forms.Form):
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, required=False, empty_value=None)
    cohort = forms.TypedChoiceField(label=_("Cohort (start year)"), coerce=int, required=False, empty_value=None)
    department = forms.TypedChoiceField(label=_("Department"), coerce=int, required=False, empty_value=None)
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("all"))]
        self.fields["programme"].choices = every + [(p.pk, p.name) for p in options["programmes"]]
        self.fields["cohort"].choices = every + [(y, str(y)) for y in options["cohorts"]]
        self.fields["department"].choices = every + [(d.pk, d.name) for d in options["departments"]]
        self.fields["site"].choices = every + [(s.pk, s.name) for s in options["sites"]]
        for field in self.fields.values():  # full width of its column: a long programme name wraps the row, not over it
            field.widget.attrs["class"] = "form-select form-select-sm"
