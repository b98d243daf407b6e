"""Personal data (GDPR): what is held on a person, erasing it, and the retention of closed
programmes. Each app contributes what it holds through the registries below, filled in its
``AppConfig.ready`` (the core never imports the apps above it):

- ``EXPORTERS``: ``exporter(employee, user) -> dict`` — a section of the person's download.
  Only what is *about the person and theirs to read*: never the other member's private notes,
  never anyone's individual survey answers about them.
- ``ERASERS``: ``eraser(employee, user) -> None`` — removes the person's free texts and links,
  leaving counts (pairs, sessions, answers) so that the KPIs do not change.
- ``RETENTION``: ``purge(cutoff_date) -> int`` — personal content of programmes that ended
  before ``cutoff_date``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mentorat.core.models import AuditEntry, Employee, Notification, NotificationPreference, User

EXPORTERS: list[Callable] = []
ERASERS: list[Callable] = []
RETENTION: list[Callable] = []

ERASED_NAME = "—"


def _core_export(employee: Employee | None, user: User | None) -> dict:
    data = {}
    if user is not None:
        data["account"] = {"email": user.email, "first_name": user.first_name, "last_name": user.last_name,
                           "language": user.language, "time_zone": user.timezone, "coordinator": user.is_coordinator,
                           "executive": user.is_executive, "joined": user.date_joined.isoformat(),
                           "last_login": user.last_login.isoformat() if user.last_login else None}
        data["emails_received"] = [{"kind": n.kind, "due": n.due_at.isoformat(), "status": n.status}
                                   for n in Notification.objects.filter(recipient=user).order_by("due_at")]
        data["emails_turned_off"] = sorted(NotificationPreference.objects.filter(user=user).values_list("kind", flat=True))
        data["actions_recorded"] = [{"at": a.at.isoformat(), "action": a.action, "target": a.target}
                                    for a in AuditEntry.objects.filter(actor=user).order_by("at")]
    if employee is not None:
        data["directory"] = {
            "employee_id": employee.employee_id, "first_name": employee.first_name, "last_name": employee.last_name,
            "email": employee.email, "job_title": employee.job_title, "job_level": employee.job_level,
            "department": str(employee.department or ""), "site": str(employee.site or ""),
            "manager": employee.manager.full_name if employee.manager else None, "language": employee.language,
            "hire_date": employee.hire_date.isoformat() if employee.hire_date else None,
            "leave_date": employee.leave_date.isoformat() if employee.leave_date else None,
            "job_level_changes": [{"on": c.changed_on.isoformat(), "from": c.from_level, "to": c.to_level}
                                  for c in employee.level_changes.order_by("changed_on")],
        }
    return data


def personal_data(*, user: User) -> dict:
    """Everything held on the user, section by section (the user's own download)."""
    from mentorat.core.selectors import employee_of

    employee = employee_of(user)
    data = {"generated_at": timezone.now().isoformat()}
    for exporter in [_core_export, *EXPORTERS]:
        data.update(exporter(employee, user))
    return data


@transaction.atomic
def person_erase(*, actor: User, employee: Employee) -> None:
    """Erase a person: names, e-mail, free texts and account go; their pairs, sessions and
    answers stay as unnamed counts, so every KPI keeps its value. Irreversible; audited
    without the erased name."""
    from mentorat.core.services import audit_log

    user = employee.user
    for eraser in ERASERS:
        eraser(employee, user)
    employee.first_name = ERASED_NAME
    employee.last_name = ERASED_NAME
    employee.email = f"erased-{employee.pk}@invalid.example"
    employee.job_title = ""
    employee.employee_id = f"ERASED-{employee.pk}"
    employee.hire_date = None
    employee.save()
    if user is not None:
        Notification.objects.filter(recipient=user).delete()
        NotificationPreference.objects.filter(user=user).delete()
        user.email = f"erased-{user.pk}@invalid.example"
        user.first_name = user.last_name = ""
        user.is_active = False
        user.is_coordinator = user.is_executive = False
        user.set_unusable_password()
        user.save()
    audit_log(actor=actor, action="person.erase", target=f"employee:{employee.pk}")


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.date:
    now = now or timezone.now()
    months = settings.MENTORAT_RETENTION_MONTHS
    day = timezone.localdate(now)
    month_index = day.month - 1 - months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, 28))


def retention_purge(*, now: datetime.datetime | None = None) -> int:
    """Scheduled: the personal content of programmes that ended more than
    ``MENTORAT_RETENTION_MONTHS`` ago (24 by default) is removed; counts stay."""
    cutoff = retention_cutoff(now)
    return sum(purge(cutoff) for purge in RETENTION)
