"""Pairs [binômes], their life from proposal to end, and what the coordinator forbade."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mentorat.core.models import Employee
from mentorat.core.scopes import ScopedQuerySet
from programmes.models import Application, Programme


class PairingSettings(models.Model):
    """Per-programme pairing choices beyond the programme's hard rules."""

    class Mode(models.TextChoices):
        OPTIMAL = "optimal", _("one-click optimal assignment")
        SHORTLIST = "shortlist", _("the senior picks from a shortlist of 3")

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="pairing_settings")
    mode = models.CharField(_("pairing mode"), max_length=12, choices=Mode.choices, default=Mode.OPTIMAL)
    proposal_days = models.PositiveSmallIntegerField(_("days to confirm a proposal"), default=14)
    shortlist_days = models.PositiveSmallIntegerField(_("days for the senior to choose"), default=7)
    weight_goals = models.PositiveSmallIntegerField(_("weight: goals × expertise"), default=50)
    weight_availability = models.PositiveSmallIntegerField(_("weight: shared availability"), default=20)
    weight_format = models.PositiveSmallIntegerField(_("weight: format"), default=10)
    weight_cross_silo = models.PositiveSmallIntegerField(_("weight: another department or site"), default=10)
    weight_level_gap = models.PositiveSmallIntegerField(_("weight: level gap"), default=10)

    class Meta:
        verbose_name = _("pairing settings")
        verbose_name_plural = _("pairing settings")

    def weights(self) -> dict[str, float]:
        return {
            "goals": float(self.weight_goals), "availability": float(self.weight_availability),
            "format": float(self.weight_format), "cross_silo": float(self.weight_cross_silo),
            "level_gap": float(self.weight_level_gap),
        }


class Pair(models.Model):
    """A mentor and a mentee of one programme. Visible to them only once published."""
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"pair": "pk", "programme": "programme_id",
                 "user": ("mentor__employee__user_id", "mentee__employee__user_id")}
    objects = ScopedQuerySet.as_manager()


    class Status(models.TextChoices):
        PROPOSED = "proposed", _("draft proposal")
        PUBLISHED = "published", _("awaiting confirmation")
        ACTIVE = "active", _("active")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("expired")
        COMPLETED = "completed", _("completed")
        ENDED = "ended", _("ended early")
        DISCARDED = "discarded", _("discarded")

    LIVE = [Status.PROPOSED, Status.PUBLISHED, Status.ACTIVE]
    VISIBLE_TO_MEMBERS = [Status.PUBLISHED, Status.ACTIVE, Status.DECLINED, Status.EXPIRED, Status.COMPLETED, Status.ENDED]

    class Source(models.TextChoices):
        ALGORITHM = "algorithm", _("optimal assignment")
        MANUAL = "manual", _("made by the coordinator")
        SHORTLIST = "shortlist", _("chosen by the senior")
        IMPORT = "import", _("imported")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="pairs")
    mentor = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="pairs_as_mentor")
    mentee = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="pairs_as_mentee")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.ALGORITHM)
    locked = models.BooleanField(_("locked"), default=False)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, default=0)
    breakdown = models.JSONField(_("score by criterion"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    mentor_confirmed_at = models.DateTimeField(null=True, blank=True)
    mentee_confirmed_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.CharField(max_length=8, blank=True)
    # Private to the person who declined and the coordinators: never shown to the other member.
    decline_reason = models.TextField(blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Who ended it (a member or a coordinator): the e-mail that tells the others names a member.
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    end_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pair")
        verbose_name_plural = _("pairs")
        constraints = [
            models.UniqueConstraint(fields=["mentee"], condition=models.Q(status__in=["proposed", "published", "active"]),
                                    name="one_live_pair_per_mentee"),
        ]
        indexes = [models.Index(fields=["programme", "status"], name="pair_programme_status_idx")]

    def __str__(self):
        return f"{self.mentor.employee} ↔ {self.mentee.employee}"

    def role_of(self, employee: Employee) -> str | None:
        if self.mentor.employee_id == employee.pk:
            return "mentor"
        if self.mentee.employee_id == employee.pk:
            return "mentee"
        return None


class ChemistryMeeting(models.Model):
    """The first, informal meeting of a published pair: one time at a time, sent to both members as
    a calendar invitation (stable UID from the pair, SEQUENCE raised on each new time)."""
    # The cached values this model's rows feed (mentorat.core.scopes): the members' homes.
    SCOPED_BY = {"pair": "pair_id"}
    objects = ScopedQuerySet.as_manager()

    pair = models.OneToOneField(Pair, on_delete=models.CASCADE, related_name="chemistry")
    starts_at = models.DateTimeField(_("chemistry meeting"))
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    sequence = models.PositiveIntegerField(default=1)
    cancelled = models.BooleanField(default=False)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("chemistry meeting")
        verbose_name_plural = _("chemistry meetings")

    @property
    def ends_at(self):
        import datetime

        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)


class ForbiddenPair(models.Model):
    """The coordinator forbade these two to be paired in this programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="forbidden_pairs")
    mentor = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "mentor", "mentee"], name="forbidden_once")]


class Shortlist(models.Model):
    """Shortlist mode: the three best eligible mentors offered to a senior, who picks one."""
    # The cached values this model's rows feed (mentorat.core.scopes): the senior's home.
    SCOPED_BY = {"programme": "programme_id", "user": "mentee__employee__user_id"}
    objects = ScopedQuerySet.as_manager()

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="shortlists")
    mentee = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="shortlists")
    options = models.JSONField(default=list)  # [{"mentor": application id, "score": …, "breakdown": {…}}]
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    chosen = models.ForeignKey(Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mentee"], condition=models.Q(closed_at__isnull=True),
                                               name="one_open_shortlist_per_mentee")]


class PairingRunReport(models.Model):
    """What the last run left unpaired, and why (shown on the pairing board)."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="pairing_report")
    ran_at = models.DateTimeField(auto_now=True)
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    unpaired = models.JSONField(default=list)  # [{"application": id, "role": …, "reason": …, "detail": {…}}]
