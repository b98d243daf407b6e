"""Programmes, their design (objectives, domains, sponsors, charter, milestones, training) and
the volunteers' applications.

Mentor and mentee are roles per programme: an ``Application`` says who volunteers for what.
Pairing (``binomes``) reads approved applications; nothing here imports the apps above.
"""

from __future__ import annotations

import calendar
import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from mentorat.core.models import Employee
from mentorat.core.scopes import ScopedQuerySet

WEEKDAYS = [("mon", _("Monday")), ("tue", _("Tuesday")), ("wed", _("Wednesday")), ("thu", _("Thursday")), ("fri", _("Friday"))]
HALF_DAYS = [("am", _("morning")), ("pm", _("afternoon"))]
SLOTS = [f"{day}-{half}" for day, _label in WEEKDAYS for half, _label2 in HALF_DAYS]
LANGUAGE_CHOICES = [
    ("fr", _("French")), ("en", _("English")), ("de", _("German")), ("es", _("Spanish")),
    ("it", _("Italian")), ("pt", _("Portuguese")), ("nl", _("Dutch")),
]


def slot_label(slot: str):
    """“Monday morning”, translated when displayed (lazy: forms build their choices at import)."""
    day, half = slot.split("-")
    return format_lazy("{} {}", dict(WEEKDAYS)[day], dict(HALF_DAYS)[half])


def in_language(obj, field: str, language: str | None = None) -> str:
    """Programme content is written in French (``field``) and in English (``<field>_en``): the text
    in the reader's language — the active one unless ``language`` is given — or in the other one when
    that is empty (blank counts as empty). Any language but French reads English first."""
    french, english = getattr(obj, field) or "", getattr(obj, f"{field}_en") or ""
    if (language or get_language() or settings.LANGUAGE_CODE).startswith("fr"):
        return french if french.strip() else english
    return english if english.strip() else french


class Bilingual:
    """A model whose content is written in two languages: ``text`` (French) beside ``text_en``."""

    # The fields that must be written in at least one of the two languages.
    REQUIRED_IN_A_LANGUAGE: tuple[str, ...] = ()

    def in_language(self, field: str, language: str | None = None) -> str:
        return in_language(self, field, language)

    def clean_languages(self) -> None:
        """Each required text is written in French, in English or in both; the error names the French field."""
        errors = {name: _("Write it in French, in English or in both.") for name in self.REQUIRED_IN_A_LANGUAGE
                  if not (getattr(self, name) or "").strip() and not (getattr(self, f"{name}_en") or "").strip()}
        if errors:
            raise ValidationError(errors)


def written_in_a_language(model: str, field: str) -> models.CheckConstraint:
    """The database's side of ``Bilingual.clean_languages``: never both languages empty."""
    return models.CheckConstraint(condition=~models.Q(**{field: ""}) | ~models.Q(**{f"{field}_en": ""}),
                                  name=f"{model}_{field}_in_a_language")


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class LearningDomainQuerySet(ScopedQuerySet):
    def offered(self):
        """Domains a new programme or a new application may take: not retired."""
        return self.filter(retired_at__isnull=True)


class LearningDomain(models.Model):
    """What juniors can teach: generative AI, social media, … A shared catalogue, bilingual, that
    coordinators edit. A retired domain is no longer offered to new programmes and applications but
    stays where it is used (programmes, applications, figures)."""
    # The cached values this model's rows feed (mentorat.core.scopes): names on the dashboard.
    SCOPED_BY = {"catalogue": None}

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name_fr = models.CharField(_("name in French"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120)
    is_default = models.BooleanField(_("offered by default"), default=False)
    retired_at = models.DateTimeField(_("retired on"), null=True, blank=True)

    objects = LearningDomainQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("learning domain")
        verbose_name_plural = _("learning domains")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name in the reader's language, or in the other one when that is empty."""
        return self.name_in(get_language())

    def name_in(self, language: str | None) -> str:
        first, other = (self.name_fr, self.name_en) if (language or "fr").startswith("fr") else (self.name_en, self.name_fr)
        return first or other or self.slug

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Programme(Bilingual, models.Model):
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"programme": "pk", "results": "pk", "sessions": "pk", "goals": "pk", "catalogue": None}
    objects = ScopedQuerySet.as_manager()

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ENROLMENT = "enrolment", _("enrolment open")
        PAIRING = "pairing", _("pairing")
        RUNNING = "running", _("running")
        CLOSED = "closed", _("closed")

    class Cadence(models.IntegerChoices):
        TWO = 2, _("every 2 weeks")
        THREE = 3, _("every 3 weeks")
        FOUR = 4, _("every 4 weeks")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name (URL)"), max_length=80, unique=True)
    description = models.TextField(_("description in French"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    start_date = models.DateField(_("start date"))
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), default=9, validators=[MinValueValidator(6), MaxValueValidator(12)]
    )
    cadence_weeks = models.PositiveSmallIntegerField(_("session cadence"), choices=Cadence.choices, default=Cadence.THREE)
    session_minutes = models.PositiveSmallIntegerField(
        _("session length (minutes)"), default=60, validators=[MinValueValidator(45), MaxValueValidator(60)]
    )
    domains = models.ManyToManyField(LearningDomain, verbose_name=_("learning domains"), related_name="programmes", blank=True)
    # Eligibility (checked when a volunteer applies).
    mentee_min_level = models.PositiveSmallIntegerField(
        _("minimum job level of mentees"), null=True, blank=True, help_text=_("Empty: any level.")
    )
    mentor_max_level = models.PositiveSmallIntegerField(
        _("maximum job level of mentors"), null=True, blank=True, help_text=_("Empty: any level.")
    )
    # Pairing rules (used by the pairing engine).
    exclude_subtree = models.BooleanField(
        _("exclude the mentee's whole reporting subtree"), default=False,
        help_text=_("The direct reporting line is always excluded."),
    )
    exclude_peers = models.BooleanField(_("exclude peers under the same manager"), default=False)
    min_level_gap = models.PositiveSmallIntegerField(
        _("minimum job-level gap"), default=0, help_text=_("0: no minimum.")
    )
    require_shared_language = models.BooleanField(_("the pair must share a language"), default=True)
    require_training = models.BooleanField(_("initial training required before pairing"), default=False)
    # The HR people a junior's concern goes to: only they read its text (not every coordinator, not
    # a superuser). Shown to the junior beside the concern box.
    concern_contacts = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="concern_programmes",
                                              verbose_name=_("HR contacts for concerns"))
    # The part of the org chart that runs it: its coordinators (CoordinatorAssignment) run it.
    entity = models.ForeignKey("core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("entity"), help_text=_("The part of the organisation that runs it."))
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies",
                                    verbose_name=_("copied from"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(condition=models.Q(duration_months__gte=6, duration_months__lte=12), name="programme_duration_6_12"),
            models.CheckConstraint(condition=models.Q(cadence_weeks__in=[2, 3, 4]), name="programme_cadence_2_4"),
            models.CheckConstraint(condition=models.Q(session_minutes__gte=45, session_minutes__lte=60), name="programme_length_45_60"),
        ]

    def __str__(self):
        return self.name

    @property
    def end_date(self) -> datetime.date:
        return add_months(self.start_date, self.duration_months)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.ENROLMENT

    def current_charter(self):
        return self.charters.order_by("-version").first()

    @property
    def display_description(self) -> str:
        return self.in_language("description")


class Objective(Bilingual, models.Model):
    """A measurable objective, tied to a KPI that the evaluation computes."""
    # The cached values this model's rows feed (mentorat.core.scopes): the dashboard's objectives.
    SCOPED_BY = {"programme": "programme_id"}
    objects = ScopedQuerySet.as_manager()

    class Kpi(models.TextChoices):
        SKILL_GAIN = "skill_gain_rate", _("% of mentees reporting a skill gain")
        SATISFACTION = "satisfaction", _("average satisfaction (1–5)")
        RECOMMENDATION = "recommendation_rate", _("% who would recommend the programme")
        NPS = "nps", _("net promoter score")
        COMPLETION = "session_completion", _("% of due sessions held")
        PAIRING_RATE = "pairing_rate", _("% of approved volunteers paired")
        GOALS = "goals_achieved", _("% of pair goals achieved")
        COMMITMENTS = "commitments_kept", _("% of senior commitments kept")
        RETENTION = "mentor_retention_12m", _("% of mentors still employed 12 months after")
        APPLICATIONS = "applications", _("number of applications")
        CROSS_DEPARTMENT = "cross_department_rate", _("% of pairs across departments")
        CROSS_SITE = "cross_site_rate", _("% of pairs across sites")

    # What a target can be, per indicator: (lowest, highest or None for no ceiling). Every
    # indicator not named here is a percentage.
    TARGET_RANGES = {Kpi.NPS: (-100, 100), Kpi.SATISFACTION: (1, 5), Kpi.APPLICATIONS: (0, None)}
    PERCENT_RANGE = (0, 100)

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("objective in French"), max_length=255, blank=True)
    title_en = models.CharField(_("objective in English"), max_length=255, blank=True)
    kpi = models.CharField(_("indicator"), max_length=40, choices=Kpi.choices)
    target = models.DecimalField(_("target"), max_digits=7, decimal_places=1)
    order = models.PositiveSmallIntegerField(default=0)

    REQUIRED_IN_A_LANGUAGE = ("title",)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [written_in_a_language("objective", "title")]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.in_language("title")

    @classmethod
    def target_range(cls, kpi: str) -> tuple[int, int | None]:
        return cls.TARGET_RANGES.get(kpi, cls.PERCENT_RANGE)

    def clean(self):
        """The target must be a value its indicator can take: a percentage from 0 to 100, a net
        promoter score from −100 to 100, a satisfaction from 1 to 5, a count from 0 up; the title is
        written in at least one language."""
        super().clean()
        self.clean_languages()
        if self.target is None or self.kpi not in self.Kpi.values:
            return
        low, high = self.target_range(self.kpi)
        if self.target >= low and (high is None or self.target <= high):
            return
        values = {"kpi": self.Kpi(self.kpi).label, "low": low, "high": high}
        if high is None:
            message = _("For “%(kpi)s” the target is %(low)s or more.") % values
        else:
            message = _("For “%(kpi)s” the target is between %(low)s and %(high)s.") % values
        raise ValidationError({"target": message})


class ProgrammeSponsor(Bilingual, models.Model):
    """An executive sponsor of one programme, with the message shown to participants."""
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"programme": "programme_id", "user": "user_id"}
    objects = ScopedQuerySet.as_manager()

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sponsors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sponsorships",
                             verbose_name=_("sponsor"))
    message = models.TextField(_("sponsor message in French"), blank=True)
    message_en = models.TextField(_("sponsor message in English"), blank=True)

    class Meta:
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")
        constraints = [models.UniqueConstraint(fields=["programme", "user"], name="programme_sponsor_once")]

    def __str__(self):
        return str(self.user)

    @property
    def display_message(self) -> str:
        return self.in_language("message")


class CoordinatorAssignment(models.Model):
    """A coordinator's scope: one programme, or every programme of one entity (a department).
    Granted by an HR lead in the roles page, audited. A coordinator also runs the programmes they
    created; an HR lead runs them all."""
    SCOPED_BY = {"user": "user_id"}  # the coordinator's navigation (mentorat.core.scopes)
    objects = ScopedQuerySet.as_manager()

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator_assignments")
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="coordinator_assignments", verbose_name=_("programme"))
    department = models.ForeignKey("core.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+", verbose_name=_("entity"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("coordinator assignment")
        verbose_name_plural = _("coordinator assignments")
        constraints = [
            models.CheckConstraint(condition=models.Q(programme__isnull=True) ^ models.Q(department__isnull=True),
                                   name="coordinator_assignment_one_target"),
            models.UniqueConstraint(fields=["user", "programme"], name="coordinator_programme_once"),
            models.UniqueConstraint(fields=["user", "department"], name="coordinator_department_once"),
        ]

    def __str__(self):
        return f"{self.user} → {self.programme or self.department}"


class Charter(Bilingual, models.Model):
    """One version of the participation charter, in French and in English. Volunteers accept a
    version — both texts, whichever they read; an edit of either text makes a new version."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="charters")
    version = models.PositiveSmallIntegerField()
    text = models.TextField(_("charter in French"), blank=True)
    text_en = models.TextField(_("charter in English"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["programme", "-version"]
        constraints = [models.UniqueConstraint(fields=["programme", "version"], name="charter_version_once"),
                       written_in_a_language("charter", "text")]
        verbose_name = _("charter")
        verbose_name_plural = _("charters")

    REQUIRED_IN_A_LANGUAGE = ("text",)

    def __str__(self):
        return f"{self.programme} v{self.version}"

    def clean(self):
        super().clean()
        self.clean_languages()

    @property
    def display_text(self) -> str:
        return self.in_language("text")


class Milestone(Bilingual, models.Model):
    # The cached values this model's rows feed (mentorat.core.scopes): the participants' homes read
    # their programmes' milestones from the cache.
    SCOPED_BY = {"programme": "programme_id"}
    objects = ScopedQuerySet.as_manager()

    class Kind(models.TextChoices):
        KICKOFF = "kickoff", _("kick-off")
        CHEMISTRY = "chemistry", _("chemistry meetings")
        MIDPOINT = "midpoint", _("mid-point review")
        FINAL = "final", _("final review")
        CELEBRATION = "celebration", _("celebration")
        OTHER = "other", _("other")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title in French"), max_length=200, blank=True)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    date = models.DateField(_("date"))

    REQUIRED_IN_A_LANGUAGE = ("title",)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [written_in_a_language("milestone", "title")]

    def __str__(self):
        return f"{self.display_title} ({self.date})"

    def clean(self):
        """A milestone falls within its programme's dates, both included, and has a title in at
        least one language."""
        super().clean()
        self.clean_languages()
        if self.date is None or self.programme_id is None:
            return
        programme = self.programme
        if not programme.start_date <= self.date <= programme.end_date:
            raise ValidationError({"date": _("A milestone falls within the programme's dates, from %(start)s to %(end)s.") % {
                "start": formats.date_format(programme.start_date, "DATE_FORMAT"),
                "end": formats.date_format(programme.end_date, "DATE_FORMAT")}})

    @property
    def display_title(self) -> str:
        """The title in the reader's language (the English title, or the French one when there is
        none, and the other way round). A generated milestone's title is its kind's label ("lancement",
        "kick-off"), so a title that is still the label in any of our languages is shown as the
        kind's label in the active one ("Kick-off"). A title a coordinator typed is shown as typed."""
        title = self.in_language("title")
        if self.kind != self.Kind.OTHER and title.strip().casefold() in _kind_labels(self.kind):
            return capfirst(str(self.Kind(self.kind).label))
        return title


def _kind_labels(kind: str) -> set[str]:
    """A milestone kind's label in each of the site's languages, case-folded."""
    labels = set()
    for code, _name in settings.LANGUAGES:
        with override(code):
            labels.add(str(Milestone.Kind(kind).label).casefold())
    return labels


class Role(models.TextChoices):
    MENTOR = "mentor", _("mentor (junior)")
    MENTEE = "mentee", _("mentee (senior)")


class TrainingModule(Bilingual, models.Model):
    """Initial training [formation initiale] per role."""

    class Audience(models.TextChoices):
        MENTOR = "mentor", _("mentors")
        MENTEE = "mentee", _("mentees")
        BOTH = "both", _("everyone")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="training_modules")
    audience = models.CharField(_("for"), max_length=8, choices=Audience.choices, default=Audience.BOTH)
    title = models.CharField(_("title in French"), max_length=200, blank=True)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    content = models.TextField(_("content in French"), blank=True)
    content_en = models.TextField(_("content in English"), blank=True)
    link = models.URLField(_("link"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=30)
    order = models.PositiveSmallIntegerField(default=0)

    REQUIRED_IN_A_LANGUAGE = ("title",)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        constraints = [written_in_a_language("training_module", "title")]

    def __str__(self):
        return self.display_title

    def clean(self):
        super().clean()
        self.clean_languages()

    @property
    def display_title(self) -> str:
        return self.in_language("title")

    @property
    def display_content(self) -> str:
        return self.in_language("content")

    def is_for(self, role: str) -> bool:
        return self.audience in (self.Audience.BOTH, role)


class TrainingCompletion(models.Model):
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="completions")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="training_completions")
    completed_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["module", "employee"], name="training_completed_once")]


class Application(models.Model):
    """A volunteer's application [candidature] to one programme, as mentor or mentee."""
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"programme": "programme_id", "user": "employee__user_id"}
    objects = ScopedQuerySet.as_manager()


    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("to review")
        APPROVED = "approved", _("approved")
        WAITLISTED = "waitlisted", _("wait-listed")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Format(models.TextChoices):
        ONSITE = "onsite", _("on site")
        REMOTE = "remote", _("remote")
        EITHER = "either", _("either")

    class Source(models.TextChoices):
        FORM = "form", _("application form")
        IMPORT = "import", _("imported")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="applications")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="applications")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    motivation = models.TextField(_("motivation"), blank=True)
    desired_outcome = models.TextField(_("what I want to be able to do"), blank=True)
    availability = models.JSONField(_("availability"), default=list)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices, default=Format.EITHER)
    languages = models.JSONField(_("languages"), default=list)
    capacity = models.PositiveSmallIntegerField(
        _("mentees I can take"), default=1, validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    charter = models.ForeignKey(Charter, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("charter accepted"))
    charter_accepted_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.FORM)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    review_message = models.TextField(_("message to the applicant"), blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["programme", "employee"], name="one_application_per_person_and_programme"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1, capacity__lte=2), name="application_capacity_1_2"),
        ]
        indexes = [models.Index(fields=["programme", "status", "role"], name="application_queue_idx")]

    def __str__(self):
        return f"{self.employee} — {self.get_role_display()} — {self.programme}"

    @property
    def editable(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def availability_labels(self) -> list[str]:
        """“Monday morning”, never the stored code “mon-am” (an unknown code is shown as stored)."""
        return [str(slot_label(slot)) if slot in SLOTS else slot for slot in self.availability]

    @property
    def language_labels(self) -> list[str]:
        names = dict(LANGUAGE_CHOICES)
        return [str(names.get(code, code)) for code in self.languages]


class ApplicationDomain(models.Model):
    """A domain of an application: the mentor's expertise level, or the mentee's priority (1–3)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="domain_items")
    domain = models.ForeignKey(LearningDomain, on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(3)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "domain"], name="application_domain_once"),
            models.CheckConstraint(condition=models.Q(weight__gte=1, weight__lte=3), name="application_domain_weight_1_3"),
        ]


def new_token() -> str:
    return secrets.token_urlsafe(32)


class ManagerAcknowledgement(models.Model):
    """The junior mentor's line manager acknowledges the time released. Never asked of seniors."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="manager_ack")
    manager = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    requested_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("manager acknowledgement")
        verbose_name_plural = _("manager acknowledgements")
