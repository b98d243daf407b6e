"""Sessions [séances] of active pairs, their logs and ratings, and what belongs to the pair alone:
private notes, learning goals, the senior's commitments. Plus the junior's concern channel."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binomes.models import Pair
from mentorat.core.models import Employee
from mentorat.core.scopes import ScopedQuerySet
from programmes.models import LearningDomain
from sessions.crypto import EncryptedTextField


class MentoringSession(models.Model):
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"pair": "pair_id", "sessions": "pair__programme_id"}
    objects = ScopedQuerySet.as_manager()

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        MISSED = "missed", _("not held")
        CANCELLED = "cancelled", _("cancelled")

    class Place(models.TextChoices):
        ROOM = "room", _("meeting room")
        VIDEO = "video", _("video call")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="sessions")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=60)
    place_kind = models.CharField(_("where"), max_length=8, choices=Place.choices, default=Place.VIDEO)
    place = models.CharField(_("room or video link"), max_length=300, blank=True)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: goes up on each change.")
    cancelled_by = models.CharField(_("cancelled by"), max_length=12, blank=True)  # mentor | mentee | coordinator
    cancel_reason = models.TextField(_("reason"), blank=True)
    reschedule_reason = models.TextField(blank=True)
    rescheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", verbose_name=_("moved by"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "mentoring_sessions"
        ordering = ["starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["pair", "starts_at"], name="session_pair_start_idx"),
                   models.Index(fields=["status", "starts_at"], name="session_status_start_idx")]

    def __str__(self):
        return f"{self.pair} — {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        import datetime

        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def join_url(self) -> str | None:
        """The video link, only if it is an http(s) address with a host (never ``javascript:``,
        ``data:`` or a relative path): the one form of ``place`` that may become a link."""
        from urllib.parse import urlsplit

        if self.place_kind != self.Place.VIDEO or not self.place:
            return None
        parts = urlsplit(self.place.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in self.place.strip()):
            return None
        return self.place.strip()

    @property
    def room(self) -> str:
        """The meeting room, shown as a place (text), never as a link."""
        return self.place if self.place_kind == self.Place.ROOM else ""


class SessionChange(models.Model):
    """What happened to a session after it was planned: moved, cancelled, offered again, its place
    changed; who did it (and on which side) and why. Shown on the session's page and in the e-mails."""
    # The cached values this model's rows feed (mentorat.core.scopes): the session page's history.
    SCOPED_BY = {"pair": "session__pair_id"}
    objects = ScopedQuerySet.as_manager()

    class Kind(models.TextChoices):
        MOVED = "moved", _("moved")
        CANCELLED = "cancelled", _("cancelled")
        REOFFERED = "reoffered", _("offered again")
        PLACE = "place", _("place changed")

    session = models.ForeignKey(MentoringSession, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sequence = models.PositiveIntegerField()  # the session's SEQUENCE after this change
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_role = models.CharField(max_length=12, blank=True)  # mentor | mentee | delegate | coordinator
    previous_starts_at = models.DateTimeField(null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "mentoring_sessions"
        ordering = ["session", "sequence", "pk"]


class SessionLog(models.Model):
    """What happened, written by either member after the session."""
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"pair": "session__pair_id", "sessions": "session__pair__programme_id"}
    objects = ScopedQuerySet.as_manager()


    session = models.OneToOneField(MentoringSession, on_delete=models.CASCADE, related_name="log")
    held = models.BooleanField(_("the session took place"), default=True)
    actual_minutes = models.PositiveSmallIntegerField(_("actual length (minutes)"), null=True, blank=True,
                                                      validators=[MaxValueValidator(480)])
    topics = models.TextField(_("topics covered"), blank=True)
    learned = models.TextField(_("what was learned"), blank=True)
    exercise = models.TextField(_("practical exercise done"), blank=True)
    next_step = models.TextField(_("next step"), blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    logged_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "mentoring_sessions"


class SessionRating(models.Model):
    """The one-minute two-way rating [feedback bidirectionnel]: each member rates the session."""
    # The cached values this model's rows feed (mentorat.core.scopes): the pair's "to rate" on its members'
    # homes. The published figures count released ratings only (RatingRelease).
    SCOPED_BY = {"pair": "session__pair_id"}
    objects = ScopedQuerySet.as_manager()

    session = models.ForeignKey(MentoringSession, on_delete=models.CASCADE, related_name="ratings")
    role = models.CharField(max_length=8)  # mentor | mentee
    score = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "mentoring_sessions"
        constraints = [
            models.UniqueConstraint(fields=["session", "role"], name="one_rating_per_side"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_1_5"),
        ]


class PrivateNote(models.Model):
    """Readable and writable by the two members of the pair only. Encrypted at rest."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "mentoring_sessions"
        ordering = ["-created_at"]


class LearningGoal(models.Model):
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"pair": "pair_id", "goals": "pair__programme_id"}
    objects = ScopedQuerySet.as_manager()

    class Status(models.TextChoices):
        OPEN = "open", _("to start")
        IN_PROGRESS = "in_progress", _("in progress")
        ACHIEVED = "achieved", _("achieved")
        DROPPED = "dropped", _("dropped")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=200)
    domain = models.ForeignKey(LearningDomain, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("domain"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "mentoring_sessions"
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="goal_progress_0_100")]


class GoalChange(models.Model):
    """One move of a goal (its progress, its status) by a member: the story the bars tell."""

    goal = models.ForeignKey(LearningGoal, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(max_length=8)  # mentor | mentee: who moved it, once the account is gone
    changed_at = models.DateTimeField(default=timezone.now)
    from_progress = models.PositiveSmallIntegerField()
    to_progress = models.PositiveSmallIntegerField()
    from_status = models.CharField(max_length=12, choices=LearningGoal.Status.choices)
    to_status = models.CharField(max_length=12, choices=LearningGoal.Status.choices)
    note = models.CharField(_("what moved it (optional)"), max_length=200, blank=True)

    class Meta:
        app_label = "mentoring_sessions"
        ordering = ["-changed_at", "-pk"]


class Commitment(models.Model):
    """What the senior commits to change after a session, followed to the end of the programme."""
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"pair": "pair_id", "goals": "pair__programme_id"}
    objects = ScopedQuerySet.as_manager()


    class Status(models.TextChoices):
        OPEN = "open", _("in progress")
        KEPT = "kept", _("kept")
        NOT_KEPT = "not_kept", _("not kept")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="commitments")
    session = models.ForeignKey(MentoringSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments")
    text = models.CharField(_("what I will change"), max_length=300)
    due_date = models.DateField(_("by when"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "mentoring_sessions"
        ordering = ["due_date", "pk"]


class Concern(models.Model):
    """The junior's channel to HR: read by the programme's named HR contacts who were named when it
    was sent (``recipients``, the names the junior saw) and still are; nobody else."""
    # The cached values this model's rows feed (mentorat.core.scopes): the follow-up's count of open
    # concerns per pair (never their text, which is encrypted and read by the recipients only).
    SCOPED_BY = {"followup": "pair__programme_id"}
    objects = ScopedQuerySet.as_manager()

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="concerns")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = EncryptedTextField()
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="concerns_received")
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "mentoring_sessions"
        ordering = ["-created_at"]


class Delegate(models.Model):
    """Someone a senior names (an executive assistant) to book and move sessions for them."""
    # The cached values this model's rows feed (mentorat.core.scopes): the delegate's and the senior's pages.
    SCOPED_BY = {"user": ("user_id", "senior__user_id")}
    objects = ScopedQuerySet.as_manager()

    senior = models.OneToOneField(Employee, on_delete=models.CASCADE, related_name="session_delegate")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "mentoring_sessions"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A personal calendar subscription: secret in the URL, revoked by drawing a new one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "mentoring_sessions"


class ReminderTiming(models.Model):
    """When this programme's reminders go out (defaults: 2 days and 2 hours before, a day after)."""

    programme = models.OneToOneField("programmes.Programme", on_delete=models.CASCADE, related_name="reminder_timing")
    first_hours_before = models.PositiveSmallIntegerField(_("first reminder, hours before the session"), default=48,
                                                          validators=[MinValueValidator(1), MaxValueValidator(336)])
    second_hours_before = models.PositiveSmallIntegerField(_("second reminder, hours before (0: none)"), default=2,
                                                           validators=[MaxValueValidator(72)])
    log_hours_after = models.PositiveSmallIntegerField(_("log reminder, hours after the session"), default=24,
                                                       validators=[MinValueValidator(1), MaxValueValidator(336)])

    class Meta:
        app_label = "mentoring_sessions"
        verbose_name = _("reminder timing")


class SharedLearning(models.Model):
    """A learning, a resource or a tip a participant shares beyond their pair (the community of
    practice). Shown to every employee once a coordinator of its programme published it; the author
    chose to sign it or not, and agreed that it is shown to all (``consent``, required). Withdrawn by
    its author: the row is deleted."""

    class Kind(models.TextChoices):
        LEARNING = "learning", _("learning")
        RESOURCE = "resource", _("resource")
        TIP = "tip", _("tip")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("to review")
        PUBLISHED = "published", _("published")
        REJECTED = "rejected", _("not published")

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="shared_learnings")
    # The pair it comes from and its author: read to decide who may withdraw it, never shown when anonymous.
    pair = models.ForeignKey(Pair, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LEARNING)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=4000)
    link = models.URLField(_("link (optional)"), max_length=500, blank=True)
    domain = models.ForeignKey(LearningDomain, on_delete=models.PROTECT, related_name="+", verbose_name=_("learning domain"))
    anonymous = models.BooleanField(_("share it without my name"), default=False)
    consent = models.BooleanField(_("I agree this is shown to all employees"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    review_message = models.TextField(_("message to the author"), max_length=1000, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "mentoring_sessions"
        ordering = ["-published_at", "-created_at", "-pk"]
        verbose_name = _("shared learning")
        verbose_name_plural = _("shared learnings")
        constraints = [models.CheckConstraint(condition=models.Q(consent=True), name="shared_learning_with_consent")]
        indexes = [models.Index(fields=["status", "-published_at"], name="shared_learning_status_idx")]

    def __str__(self):
        return self.title
