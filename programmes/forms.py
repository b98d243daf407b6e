from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.db.models import Q
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from mentorat.core.models import Department, User
from programmes.domains import DEFAULT_DOMAINS
from programmes.models import (
    LANGUAGE_CHOICES,
    SLOTS,
    Application,
    LearningDomain,
    Milestone,
    Objective,
    Programme,
    Role,
    TrainingModule,
    slot_label,
)
from programmes.services import ApplicationData

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TWO_LANGUAGES_HELP = _("Readers see the text in their language, or in the other one when theirs is empty.")


class BilingualFormMixin:
    """Programme content is written in French (``name``) and in English (``name_en``): the two
    fields side by side (one above the other on a phone). ``REQUIRED_IN_A_LANGUAGE`` names the
    fields of a plain form that need at least one of their two languages (a model form leaves that
    to its model's ``clean``)."""

    REQUIRED_IN_A_LANGUAGE: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self._bilingual_names():
            english = self.fields[f"{name}_en"]
            english.help_text = english.help_text or TWO_LANGUAGES_HELP

    def _bilingual_names(self) -> list[str]:
        return [name for name in self.fields if f"{name}_en" in self.fields]

    @property
    def helper(self) -> FormHelper:
        """Built when the form is rendered, so the fields a formset adds (delete) are laid out too."""
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        pairs = set(self._bilingual_names())
        items = []
        for name in self.fields:
            if name.endswith("_en") and name[:-3] in pairs:
                continue
            if name in pairs:
                items.append(Row(Column(name, css_class="col-md-6"), Column(f"{name}_en", css_class="col-md-6")))
            else:
                items.append(name)
        helper.layout = Layout(*items)
        return helper

    def clean(self):
        data = super().clean()
        for name in self.REQUIRED_IN_A_LANGUAGE:
            if not (data.get(name) or "").strip() and not (data.get(f"{name}_en") or "").strip():
                self.add_error(name, _("Write it in French, in English or in both."))
        return data


class DomainChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        if obj.is_retired:
            return _("%(name)s (retired)") % {"name": obj.name}
        return obj.name


class ProgrammeForm(BilingualFormMixin, forms.ModelForm):
    domains = DomainChoiceField(
        label=_("Learning domains on offer"), queryset=LearningDomain.objects.all(),
        widget=forms.CheckboxSelectMultiple, required=False,
    )

    class Meta:
        model = Programme
        fields = [
            "name", "slug", "description", "description_en", "entity", "start_date", "duration_months", "cadence_weeks",
            "session_minutes",
            "domains", "mentee_min_level", "mentor_max_level", "exclude_subtree", "exclude_peers",
            "min_level_gap", "require_shared_language", "require_training",
        ]
        widgets = {"start_date": DATE, "description": forms.Textarea(attrs={"rows": 3}),
                   "description_en": forms.Textarea(attrs={"rows": 3})}

    concern_contacts = forms.CharField(
        label=_("HR contacts for concerns"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E-mail addresses, one a line. Only these people read the concerns juniors raise; "
                    "juniors see their names beside the concern box."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Retired domains are offered no more; those the programme has stay (they may be kept).
        offered = Q(retired_at__isnull=True)
        if self.instance.pk:
            offered |= Q(pk__in=self.instance.domains.values("pk"))
        self.fields["domains"].queryset = LearningDomain.objects.filter(offered)
        if self.instance.pk:
            self.fields["slug"].disabled = True
            self.initial.setdefault("concern_contacts", "\n".join(
                self.instance.concern_contacts.order_by("email").values_list("email", flat=True)))

    def clean_concern_contacts(self):
        """The users named, one e-mail address a line; an unknown address names its line."""
        users, errors = [], []
        for number, line in enumerate(self.cleaned_data["concern_contacts"].splitlines(), start=1):
            email = line.strip()
            if not email:
                continue
            user = User.objects.filter(email__iexact=email, is_active=True).first()
            if user is None:
                errors.append(_("line %(n)s: nobody who can log in has the address “%(email)s”.") % {"n": number, "email": email})
            else:
                users.append(user)
        if errors:
            raise forms.ValidationError(errors)
        return users


class ProgrammeCreateForm(BilingualFormMixin, forms.ModelForm):
    domains = DomainChoiceField(
        label=_("Learning domains on offer"), queryset=LearningDomain.objects.offered(),
        widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("None ticked: the default domains. The catalogue of domains has its own page."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domains"].initial = [
            d.pk for d in self.fields["domains"].queryset if d.slug in {code for code, *_names in DEFAULT_DOMAINS}]

    class Meta:
        model = Programme
        fields = ["name", "slug", "description", "description_en", "entity", "start_date", "duration_months", "cadence_weeks",
                  "session_minutes"]
        widgets = {"start_date": DATE, "description": forms.Textarea(attrs={"rows": 3}),
                   "description_en": forms.Textarea(attrs={"rows": 3})}


class CloseForm(forms.Form):
    confirm = forms.BooleanField(label=_("I understand: the programme closes for good and all of the above happens now"))


class CopyForm(forms.Form):
    name = forms.CharField(label=_("Name of the new cohort"), max_length=200)
    slug = forms.SlugField(label=_("Short name (URL)"), max_length=80)
    start_date = forms.DateField(label=_("Start date"), widget=DATE)


class BilingualModelForm(BilingualFormMixin, forms.ModelForm):
    """The form of one objective, milestone or training module: at least one title is the model's rule."""


ObjectiveFormSet = inlineformset_factory(
    Programme, Objective, form=BilingualModelForm, fields=["title", "title_en", "kpi", "target"], extra=1, can_delete=True,
)
MilestoneFormSet = inlineformset_factory(
    Programme, Milestone, form=BilingualModelForm, fields=["kind", "title", "title_en", "date"], extra=1, can_delete=True,
    widgets={"date": DATE},
)
def _https_urls(field, **kwargs):
    if field.name == "link":
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


TrainingFormSet = inlineformset_factory(
    Programme, TrainingModule, form=BilingualModelForm,
    fields=["audience", "title", "title_en", "content", "content_en", "link", "duration_minutes"], extra=1,
    can_delete=True, widgets={"content": forms.Textarea(attrs={"rows": 2}), "content_en": forms.Textarea(attrs={"rows": 2})},
    formfield_callback=_https_urls,
)


class CharterForm(BilingualFormMixin, forms.Form):
    REQUIRED_IN_A_LANGUAGE = ("text",)

    text = forms.CharField(label=_("Participation charter in French"), widget=forms.Textarea(attrs={"rows": 12}), required=False)
    text_en = forms.CharField(label=_("Participation charter in English"), widget=forms.Textarea(attrs={"rows": 12}),
                              required=False)


class SponsorAddForm(BilingualFormMixin, forms.Form):
    email = forms.EmailField(label=_("Sponsor's e-mail address"))
    message = forms.CharField(label=_("Sponsor message in French"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    message_en = forms.CharField(label=_("Sponsor message in English"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(_("Nobody in the directory has this e-mail address."))
        self.cleaned_data["user"] = user
        return email


class SponsorMessageForm(BilingualFormMixin, forms.Form):
    message = forms.CharField(label=_("Your message to the participants, in French"), widget=forms.Textarea(attrs={"rows": 5}),
                              required=False)
    message_en = forms.CharField(label=_("Your message to the participants, in English"),
                                 widget=forms.Textarea(attrs={"rows": 5}), required=False)


LEVEL_CHOICES = {
    Role.MENTOR: [(0, "—"), (1, _("1 · working knowledge")), (2, _("2 · solid")), (3, _("3 · expert"))],
    Role.MENTEE: [(0, "—"), (1, _("1 · nice to have")), (2, _("2 · important")), (3, _("3 · top priority"))],
}


class ApplicationForm(forms.Form):
    """Mentor or mentee application. One field per domain of the programme: a level for mentors,
    a priority for mentees."""

    availability = forms.MultipleChoiceField(
        label=_("When you are available (weekly slots)"), widget=forms.CheckboxSelectMultiple,
        choices=[(slot, slot_label(slot)) for slot in SLOTS],
    )
    format = forms.ChoiceField(label=_("Format"), choices=Application.Format.choices, widget=forms.RadioSelect)
    languages = forms.MultipleChoiceField(label=_("Languages you can hold a session in"), choices=LANGUAGE_CHOICES,
                                          widget=forms.CheckboxSelectMultiple)
    capacity = forms.TypedChoiceField(label=_("How many mentees you can take"), choices=[(1, "1"), (2, "2")], coerce=int, initial=1)
    motivation = forms.CharField(label=_("Your motivation"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    desired_outcome = forms.CharField(label=_("What you want to be able to do at the end"),
                                      widget=forms.Textarea(attrs={"rows": 3}), required=False)
    accept_charter = forms.BooleanField(label=_("I have read and accept the participation charter"))

    def __init__(self, *args, programme: Programme, role: str, application: Application | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme, self.role = programme, role
        label = _("Your level in %(domain)s") if role == Role.MENTOR else _("Your priority for %(domain)s")
        existing = {item.domain.slug: item.weight for item in application.domain_items.all()} if application else {}
        self.domain_fields = []
        for domain in sorted(programme.domains.all(), key=lambda d: d.name.lower()):
            if domain.is_retired and domain.slug not in existing:
                continue  # retired: offered to no new choice, kept where already chosen
            name = f"domain_{domain.slug}"
            self.fields[name] = forms.TypedChoiceField(
                label=label % {"domain": domain.name}, choices=LEVEL_CHOICES[role], coerce=int, initial=existing.get(domain.slug, 0),
                required=False, empty_value=0,
            )
            self.domain_fields.append(name)
        if role == Role.MENTEE:
            del self.fields["capacity"]
            del self.fields["motivation"]
            self.fields["desired_outcome"].required = True
        else:
            del self.fields["desired_outcome"]
            self.fields["motivation"].required = True
        if application is not None:
            for name in ["availability", "format", "languages", "capacity", "motivation", "desired_outcome"]:
                if name in self.fields:
                    self.fields[name].initial = getattr(application, name)
        # Fields in reading order: domains first.
        order = self.domain_fields + [n for n in self.fields if n not in self.domain_fields]
        self.order_fields(order)

    def clean(self):
        data = super().clean()
        if self.domain_fields and not any(data.get(name) for name in self.domain_fields):
            self.add_error(self.domain_fields[0], _("Choose at least one learning domain."))
        return data

    def to_data(self) -> ApplicationData:
        data = self.cleaned_data
        return ApplicationData(
            domains={name[len("domain_"):]: data[name] for name in self.domain_fields if data.get(name)},
            availability=data["availability"], format=data["format"], languages=data["languages"],
            capacity=data.get("capacity") or 1, motivation=data.get("motivation", ""),
            desired_outcome=data.get("desired_outcome", ""),
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("waitlist", _("Wait-list")), ("decline", _("Decline"))],
                                 label=_("Decision"))
    message = forms.CharField(label=_("Message to the applicant (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class QueueFilterForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("All"))] + list(Role.choices), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All"))] + list(Application.Status.choices), required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False)
    training = forms.ChoiceField(label=_("Training"), required=False,
                                 choices=[("", _("All")), ("done", _("done")), ("missing", _("not done"))])


class DomainCreateForm(forms.Form):
    slug = forms.SlugField(label=_("Code"), max_length=60,
                           help_text=_("Lower-case letters, digits and hyphens; it never changes (imports and the API use it)."))
    name_fr = forms.CharField(label=_("Name in French"), max_length=120)
    name_en = forms.CharField(label=_("Name in English"), max_length=120)


class DomainRenameForm(forms.Form):
    name_fr = forms.CharField(label=_("Name in French"), max_length=120)
    name_en = forms.CharField(label=_("Name in English"), max_length=120)
