"""Surveys, their answers and the participants' testimonials.

A programme has one survey per (moment, audience): baseline at activation, a one-minute pulse
after each session, mid-point and final reviews, each for mentors (juniors) and for mentees
(seniors). Coordinators edit the questions per programme. Answers are read only in aggregate
(``selectors``): a ``Response`` keeps the respondent's role, department and site as they were
when answering, so the figures do not move when the directory does, and an erased person's
answers still count without naming them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from binomes.models import Pair
from mentorat.core.models import Department, Employee, Site
from mentorat.core.scopes import ScopedQuerySet
from programmes.models import LearningDomain, Programme
from sessions.models import MentoringSession


def _in_language(fr: str, en: str) -> str:
    return (fr or en) if (get_language() or "fr").startswith("fr") else (en or fr)


class Survey(models.Model):
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"results": "programme_id", "programme": "programme_id"}  # the programme: surveys to answer on homes
    objects = ScopedQuerySet.as_manager()

    class Moment(models.TextChoices):
        BASELINE = "baseline", _("baseline (at activation)")
        PULSE = "pulse", _("pulse after each session")
        MIDPOINT = "midpoint", _("mid-point review")
        FINAL = "final", _("final review")

    class Audience(models.TextChoices):
        MENTOR = "mentor", _("mentors (juniors)")
        MENTEE = "mentee", _("mentees (seniors)")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="surveys")
    moment = models.CharField(_("moment"), max_length=10, choices=Moment.choices)
    audience = models.CharField(_("for"), max_length=8, choices=Audience.choices)
    title_fr = models.CharField(_("title in French"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)
    intro_fr = models.TextField(_("introduction in French"), blank=True)
    intro_en = models.TextField(_("introduction in English"), blank=True)
    is_active = models.BooleanField(_("sent"), default=True, help_text=_("Untick to stop sending this survey."))
    # Mid-point and final reviews open on their milestone's date (or these dates when set);
    # baseline and pulse surveys open per pair and per session.
    opens_on = models.DateField(_("opens on"), null=True, blank=True,
                                help_text=_("Empty: the date of the programme's matching milestone."))
    days_open = models.PositiveSmallIntegerField(_("days to answer"), default=21,
                                                 validators=[MinValueValidator(1), MaxValueValidator(120)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme", "moment", "audience"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [models.UniqueConstraint(fields=["programme", "moment", "audience"], name="survey_once_per_moment")]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return _in_language(self.title_fr, self.title_en)

    @property
    def intro(self) -> str:
        return _in_language(self.intro_fr, self.intro_en)


class Question(models.Model):
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"results": "survey__programme_id"}
    objects = ScopedQuerySet.as_manager()

    class Kind(models.TextChoices):
        SCALE = "scale", _("scale from 1 to 5")
        RECOMMEND = "recommend", _("recommendation from 0 to 10")
        SKILL_SELF = "skill_self", _("skill self-rating per learning domain (1–5)")
        SKILL_MENTOR = "skill_mentor", _("mentor's rating of the senior's progress per domain (1–5)")
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        TEXT = "text", _("free text")

    NUMERIC = [Kind.SCALE, Kind.RECOMMEND, Kind.SKILL_SELF, Kind.SKILL_MENTOR]
    PER_DOMAIN = [Kind.SKILL_SELF, Kind.SKILL_MENTOR]
    CHOICES = [Kind.SINGLE, Kind.MULTIPLE]

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("type"), max_length=14, choices=Kind.choices)
    text_fr = models.CharField(_("question in French"), max_length=300)
    text_en = models.CharField(_("question in English"), max_length=300)
    # One choice per line, "French | English".
    choices = models.TextField(_("choices"), blank=True,
                               help_text=_("Single or multiple choice: one choice per line, “French | English”."))
    required = models.BooleanField(_("answer required"), default=True)
    # Which KPI this question feeds (satisfaction, recommendation…); empty for the others.
    measures = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        return _in_language(self.text_fr, self.text_en)

    def choice_list(self) -> list[tuple[str, str]]:
        """[(key, label in the current language)]; the key is the choice's position."""
        result = []
        for index, line in enumerate(line for line in self.choices.splitlines() if line.strip()):
            fr, _sep, en = line.partition("|")
            result.append((str(index + 1), _in_language(fr.strip(), en.strip())))
        return result


class ResultRelease(models.Model):
    """A step in which a survey's new responses join its figures (results page, dashboards, CSV).

    Figures never move one answer at a time: responses wait (``Response.released_in`` empty) until
    at least the anonymity threshold of people answered since the last step; then they are released
    together, and a released response can no longer change. Responses that never make a step of
    that size (the last few before the survey closes) are never shown."""
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"results": "survey__programme_id"}
    objects = ScopedQuerySet.as_manager()


    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="releases")
    released_at = models.DateTimeField()
    people = models.PositiveIntegerField()  # people whose responses joined in this step

    class Meta:
        ordering = ["survey", "released_at", "pk"]
        verbose_name = _("release of survey results")
        verbose_name_plural = _("releases of survey results")


class RatingRelease(models.Model):
    """A step in which a programme's new session ratings join the figures, as ``ResultRelease``
    does for survey answers: the ratings with an id above the previous step's ``up_to`` and up to
    this one, once they come from at least the anonymity threshold of people."""
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"results": "programme_id"}
    objects = ScopedQuerySet.as_manager()


    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    released_at = models.DateTimeField()
    up_to = models.PositiveBigIntegerField()
    people = models.PositiveIntegerField()

    class Meta:
        ordering = ["programme", "up_to"]
        verbose_name = _("release of session ratings")
        verbose_name_plural = _("releases of session ratings")
        constraints = [models.UniqueConstraint(fields=["programme", "up_to"], name="rating_release_once")]


class Response(models.Model):
    """One person's answers to one survey (per session for a pulse), editable until it closes or
    its answers join the published results (``released_in``)."""
    # The cached values this model's rows feed (mentorat.core.scopes): the respondent's surveys to
    # answer on their home. The published figures count released rows only (ResultRelease).
    SCOPED_BY = {"pair": "pair_id", "user": "respondent__user_id", "followup": "survey__programme_id"}
    objects = ScopedQuerySet.as_manager()

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # SET_NULL: an erased person's answers stay in the figures, unnamed.
    respondent = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses")
    pair = models.ForeignKey(Pair, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    session = models.ForeignKey(MentoringSession, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=8)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    released_in = models.ForeignKey(ResultRelease, null=True, blank=True, on_delete=models.RESTRICT, related_name="included")

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(fields=["survey", "respondent"], condition=models.Q(session__isnull=True),
                                    name="one_response_per_person_and_survey"),
            models.UniqueConstraint(fields=["survey", "respondent", "session"], condition=models.Q(session__isnull=False),
                                    name="one_pulse_per_person_and_session"),
        ]
        indexes = [models.Index(fields=["survey", "submitted_at"], name="response_survey_time_idx"),
                   # The skill gain finds a senior's baseline through their pair and role.
                   models.Index(fields=["pair", "role"], name="response_pair_role_idx")]


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    domain = models.ForeignKey(LearningDomain, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(null=True, blank=True)  # scales, recommendation, single choice
    choices = models.JSONField(default=list, blank=True)  # multiple choice keys
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question", "domain"], name="one_answer_per_question_and_domain"),
            models.UniqueConstraint(fields=["response", "question"], condition=models.Q(domain__isnull=True),
                                    name="one_answer_per_question"),
        ]
        indexes = [models.Index(fields=["question", "value"], name="answer_question_value_idx")]


class Testimonial(models.Model):
    """A participant's success story, published on the programme page by a coordinator, only with consent."""
    # The cached values this model's rows feed (mentorat.core.scopes): the coordinator's follow-up.
    SCOPED_BY = {"followup": "programme_id"}
    objects = ScopedQuerySet.as_manager()

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("to review")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("not published")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="testimonials")
    author = models.ForeignKey(Employee, null=True, on_delete=models.SET_NULL, related_name="testimonials")
    role = models.CharField(max_length=8)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("your story"))
    consent = models.BooleanField(_("I agree that this story is published on the programme page with my name"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("testimonial")
        verbose_name_plural = _("testimonials")
        constraints = [models.CheckConstraint(condition=~models.Q(status="published") | models.Q(consent=True),
                                              name="testimonial_published_only_with_consent")]
