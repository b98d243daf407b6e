"""Reads on the directory and the org chart. Each query is bounded: one or two SQL statements,
whatever the size of the company or the depth of the chart."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from mentorat.core.models import DirectoryImport, Employee, User
from mentorat.core.permissions import is_coordinator, is_hr_lead


def employee_of(user) -> Employee | None:
    """The directory record of a login, or None (anonymous, superuser without a record, …)."""
    return getattr(user, "employee", None)  # a missing one-to-one raises an AttributeError subclass


def employee_chain(employee: Employee) -> list[Employee]:
    """The management chain above the employee, direct manager first, top last. One query."""
    ids = employee.ancestor_ids
    if not ids:
        return []
    by_id = Employee.objects.select_related("department", "site").in_bulk(ids)
    return [by_id[pk] for pk in reversed(ids) if pk in by_id]


def employee_subtree(employee: Employee) -> QuerySet[Employee]:
    """Everyone below the employee, at any depth (the employee excluded). One indexed range query:
    paths below ``/1/7/`` sort between ``/1/7/`` and ``/1/70`` ('/' comes just before '0'), which
    uses the path index on SQLite as on PostgreSQL (SQLite's LIKE would not)."""
    upper = employee.path[:-1] + "0"
    return Employee.objects.filter(path__gt=employee.path, path__lt=upper)


def employee_peers(employee: Employee) -> QuerySet[Employee]:
    """Others with the same direct manager (none for someone without a manager)."""
    if employee.manager_id is None:
        return Employee.objects.none()
    return Employee.objects.filter(manager_id=employee.manager_id).exclude(pk=employee.pk)


def level_gap(senior: Employee, junior: Employee) -> int:
    """How many job levels the first is above the second (negative if below)."""
    return senior.job_level - junior.job_level


def in_management_line(a: Employee, b: Employee) -> bool:
    """True when one is anywhere above the other in the chart (no query: paths are on the rows)."""
    return b.path.startswith(a.path) or a.path.startswith(b.path)


def directory_list(*, user: User, search: str = "", department: str = "", site: str = "", status: str = "") -> QuerySet:
    """The directory as a coordinator browses it; filters are optional and combined."""
    if not is_coordinator(user):
        raise Http404
    qs = Employee.objects.select_related("department", "site", "manager", "user")
    if search:
        for word in search.split():
            qs = qs.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word)
                | Q(email__icontains=word) | Q(employee_id__iexact=word) | Q(job_title__icontains=word)
            )
    if department:
        qs = qs.filter(department_id=department)
    if site:
        qs = qs.filter(site_id=site)
    if status == "present":
        qs = qs.present()
    elif status == "left":
        qs = qs.exclude(pk__in=Employee.objects.present().values("pk"))
    return qs


def employee_get_for_user(*, user: User, pk: int) -> Employee:
    """An employee's record: coordinators see anyone, others only themselves; 404 otherwise."""
    qs = Employee.objects.select_related("department", "site", "manager", "user")
    if not is_coordinator(user):
        qs = qs.filter(user=user)
    try:
        return qs.get(pk=pk)
    except Employee.DoesNotExist:
        raise Http404 from None


def directory_overview() -> dict:
    """Headcount of present employees by department, site and level (three grouped queries)."""
    present = Employee.objects.present()
    return {
        "headcount": present.count(),
        "by_department": list(present.values("department__name").annotate(n=Count("pk")).order_by("-n", "department__name")),
        "by_site": list(present.values("site__name").annotate(n=Count("pk")).order_by("-n", "site__name")),
        "by_level": list(present.values("job_level").annotate(n=Count("pk")).order_by("-job_level")),
    }


def directory_import_get_for_user(*, user: User, pk: int) -> DirectoryImport:
    if not is_hr_lead(user):
        raise Http404
    try:
        return DirectoryImport.objects.select_related("uploaded_by").get(pk=pk)
    except DirectoryImport.DoesNotExist:
        raise Http404 from None


def directory_import_recent(*, user: User, limit: int = 10) -> list[DirectoryImport]:
    if not is_hr_lead(user):
        raise Http404
    return list(DirectoryImport.objects.select_related("uploaded_by").defer("content")[:limit])


def locked_accounts() -> list:
    """Login attempts over the failure limit that have not cooled off (django-axes)."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    since = timezone.now() - get_cool_off()
    return list(AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since)
                .order_by("-attempt_time").only("username", "attempt_time", "failures_since_start", "ip_address"))


def audit_entries(*, action: str = "", actor: str = ""):
    """Audit entries, newest first, filtered by action prefix and actor e-mail."""
    from mentorat.core.models import AuditEntry

    qs = AuditEntry.objects.select_related("actor").order_by("-at", "-pk")
    if action:
        qs = qs.filter(action__startswith=action.strip())
    if actor:
        qs = qs.filter(actor__email__iexact=actor.strip())
    return qs
