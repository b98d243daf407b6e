"""Accounts, the employee directory and the org chart.

The org chart is stored as a materialised path: ``Employee.path`` lists the primary keys from
the top of the company down to the employee (``/1/7/42/``). The management chain is then one
query by primary key, the whole subtree one indexed prefix query, whatever the company's size.
Paths are recomputed by ``services.orgchart_rebuild_paths`` whenever managers change.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from mentorat.core.scopes import ScopedQuerySet


class UserManager(BaseUserManager.from_queryset(ScopedQuerySet)):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return (email or "").strip().lower()

    def get_by_natural_key(self, email):
        return self.get(email__iexact=(email or "").strip())

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Site-wide roles are flags here; per-programme roles live with the programmes."""
    # The cached values this model's rows feed (mentorat.core.scopes): the user's own navigation and home.
    SCOPED_BY = {"user": "pk"}

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="fr")
    timezone = models.CharField(
        _("time zone"), max_length=64, blank=True, help_text=_("Empty: the site's time zone.")
    )
    is_coordinator = models.BooleanField(
        _("coordinator"), default=False,
        help_text=_("HR programme owner: runs the programmes they created or are assigned to (by programme or by entity)."),
    )
    is_executive = models.BooleanField(
        _("executive"), default=False, help_text=_("Leadership: sees dashboards across programmes.")
    )
    is_hr_lead = models.BooleanField(
        _("HR lead"), default=False,
        help_text=_("Coordinates every programme, manages the directory, assigns roles and reads the roll-up."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=dj_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="core_user_email_ci_unique")]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class Department(models.Model):
    # The cached values this model's rows feed (mentorat.core.scopes): names on the dashboard.
    SCOPED_BY = {"directory": None}
    objects = ScopedQuerySet.as_manager()

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class Site(models.Model):
    """A place of work. Its country decides the public holidays skipped by session scheduling."""
    # The cached values this model's rows feed (mentorat.core.scopes): names on the dashboard.
    SCOPED_BY = {"directory": None}
    objects = ScopedQuerySet.as_manager()

    name = models.CharField(_("name"), max_length=200, unique=True)
    country = models.CharField(_("country"), max_length=2, default="FR", help_text=_("ISO 3166 code, e.g. FR."))
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self):
        return self.name


class EmployeeQuerySet(ScopedQuerySet):
    def present(self, on: datetime.date | None = None):
        """Employees who have not left on ``on`` (today by default)."""
        on = on or dj_timezone.localdate()
        return self.filter(models.Q(leave_date__isnull=True) | models.Q(leave_date__gt=on))


class Employee(models.Model):
    """One person of the HRIS directory, upserted by ``employee_id`` on each import."""
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"directory": None, "user": "user_id"}

    employee_id = models.CharField(_("employee id"), max_length=64, unique=True)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    manager = models.ForeignKey(
        "self", verbose_name=_("manager"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT, related_name="employees"
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT, related_name="employees"
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    job_level = models.PositiveSmallIntegerField(_("job level"), default=0, help_text=_("Higher is more senior."))
    language = models.CharField(_("language"), max_length=8, default="fr")
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="employee",
    )
    # Materialised org-chart path, maintained by services: "/<top pk>/…/<own pk>/".
    path = models.CharField(max_length=2000, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "employee_id"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="core_employee_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(leave_date__isnull=True)
                | models.Q(hire_date__isnull=True)
                | models.Q(leave_date__gte=models.F("hire_date")),
                name="core_employee_leave_after_hire",
            ),
        ]
        indexes = [models.Index(fields=["last_name", "first_name"], name="core_employee_name_idx")]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def ancestor_ids(self) -> list[int]:
        """Primary keys of the management chain, top first, without the employee."""
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return ids[:-1]

    def has_left(self, on: datetime.date | None = None) -> bool:
        on = on or dj_timezone.localdate()
        return self.leave_date is not None and self.leave_date <= on


class JobLevelChange(models.Model):
    """A change of job level seen by a directory import: promotions are the ones going up."""
    # The cached values this model's rows feed (mentorat.core.scopes).
    SCOPED_BY = {"directory": None}
    objects = ScopedQuerySet.as_manager()


    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.PositiveSmallIntegerField()
    to_level = models.PositiveSmallIntegerField()
    changed_on = models.DateField(default=dj_timezone.localdate, db_index=True)

    class Meta:
        ordering = ["-changed_on"]
        verbose_name = _("job level change")
        verbose_name_plural = _("job level changes")

    @property
    def is_promotion(self) -> bool:
        return self.to_level > self.from_level


class DirectoryImport(models.Model):
    """An uploaded HRIS file: kept between preview and confirmation, then as a record of the import."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("previewed")
        APPLIED = "applied", _("applied")
        REFUSED = "refused", _("refused")
        EXPIRED = "expired", _("expired (never confirmed)")

    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mark_missing_as_left = models.BooleanField(_("mark employees missing from the file as left"), default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEWED)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # When the raw file was dropped (MENTORAT_IMPORT_KEEP_DAYS); the summary stays.
    purged_at = models.DateTimeField(_("file removed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("directory import")
        verbose_name_plural = _("directory imports")

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @staticmethod
    def counts_only(summary: dict | None) -> dict:
        """The summary with its lists emptied (names, addresses, login changes, errors), counts kept."""
        return {key: ([] if isinstance(value, list) else value) for key, value in (summary or {}).items()}


class AuditEntry(models.Model):
    """Who did what to whom, when: coordinator and admin actions. Never private content."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64)
    target = models.CharField(_("target"), max_length=255, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), default=dj_timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"


class Notification(models.Model):
    """The outbox: one row per (kind, object, recipient, due moment), never two.

    No body is stored: each kind renders its message at send time from the object, in the
    recipient's language, so the outbox never holds (or shows) confidential content.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("to send")
        CLAIMED = "claimed", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not needed any more")

    kind = models.CharField(_("kind"), max_length=40)
    object_key = models.CharField(max_length=80)  # "session:42", "pair:7", …
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["kind", "object_key", "recipient", "due_at"], name="notification_once")]
        indexes = [models.Index(fields=["status", "due_at"], name="notification_due_idx")]

    def __str__(self):
        return f"{self.kind} {self.object_key} → {self.recipient_id} @ {self.due_at:%Y-%m-%d %H:%M}"


class NotificationPreference(models.Model):
    """A kind of non-essential message the user turned off."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_notifications")
    kind = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="mute_once")]


class PendingEmailChange(models.Model):
    """A login e-mail change that an import (or an administrator) asked for and that waits for the
    person to confirm it from the old address. Until then the account keeps its login, so nobody
    who can edit the directory can redirect a member's password reset to an address they control."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_email_changes")
    old_email = models.EmailField(_("current e-mail address"))
    new_email = models.EmailField(_("new e-mail address"))
    token = models.CharField(max_length=64, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("asked by"), max_length=32, default="import")  # import | admin
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pending e-mail change")
        verbose_name_plural = _("pending e-mail changes")

    def __str__(self):
        return f"{self.old_email} → {self.new_email}"

    @property
    def is_open(self) -> bool:
        return self.confirmed_at is None and self.cancelled_at is None


class ErasedEmployee(models.Model):
    """An employee id whose person was erased: kept as a keyed digest (never the id in clear), so
    the next HRIS import does not bring the person back."""

    digest = models.CharField(max_length=64, unique=True)
    erased_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        verbose_name = _("erased employee")
        verbose_name_plural = _("erased employees")

    @staticmethod
    def digest_of(employee_id: str) -> str:
        import hashlib
        import hmac

        key = settings.SECRET_KEY.encode()
        return hmac.new(key, (employee_id or "").strip().encode(), hashlib.sha256).hexdigest()
