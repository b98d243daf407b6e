"""Writes on the directory: the HRIS import, org-chart paths, accounts, audit entries."""

from __future__ import annotations

import datetime
import secrets
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorat.core import outbox
from mentorat.core.directory_file import FIELDS, parse_directory_file
from mentorat.core.hierarchy import compute_paths, find_cycles
from mentorat.core.models import (
    AuditEntry,
    Department,
    DirectoryImport,
    Employee,
    JobLevelChange,
    NotificationPreference,
    Site,
    User,
)

BATCH = 1000


def audit_log(*, actor: User | None, action: str, target: str = "", details: dict | None = None) -> AuditEntry:
    """Record a coordinator or admin action. ``details`` must never hold private content."""
    return AuditEntry.objects.create(actor=actor, action=action, target=target[:255], details=details or {})


@dataclass
class ImportReport:
    """What an import did, or would do on a dry run. ``errors`` non-empty means nothing was written."""

    created: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    left: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    applied: bool = False
    names: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary_line(self) -> str:
        return _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(left)s marked as left.") % {
            "created": len(self.created), "updated": len(self.updated),
            "unchanged": self.unchanged, "left": len(self.left),
        }

    def as_dict(self, limit: int = 500) -> dict:
        return {
            "created": [[eid, self.names.get(eid, "")] for eid in self.created[:limit]],
            "created_count": len(self.created),
            "updated": [[eid, self.names.get(eid, ""), fields] for eid, fields in self.updated[:limit]],
            "updated_count": len(self.updated),
            "unchanged": self.unchanged,
            "left": [[eid, self.names.get(eid, "")] for eid in self.left[:limit]],
            "left_count": len(self.left),
            "errors": self.errors,
            "warnings": self.warnings,
            "applied": self.applied,
        }


def _line_of(rows_by_id, employee_id):
    row = rows_by_id.get(employee_id)
    return row.line if row else None


def directory_import(
    *, data: bytes, dry_run: bool, today: datetime.date | None = None,
    mark_missing_as_left: bool = False, actor: User | None = None,
) -> ImportReport:
    """Upsert the directory from an HRIS export, all or nothing.

    Every error of the file is collected (``line N: …``) before anything is written; with any
    error, or with ``dry_run``, the database is untouched. Optional columns absent from the file
    leave the matching fields as they are. A leave date that appears counts as "marked as left";
    with ``mark_missing_as_left`` every present employee absent from the file leaves today.
    Accounts follow the directory: one login per employee (no usable password until they reset
    it), deactivated when the employee has left (superusers excepted).
    """
    today = today or timezone.localdate()
    report = ImportReport()
    parsed = parse_directory_file(data)
    report.warnings = parsed.warnings
    report.errors = list(parsed.errors)
    if not parsed.rows:
        report.errors.sort(key=_error_sort_key)
        return report
    rows = parsed.rows
    columns = parsed.columns

    def error(line, message):
        report.errors.append(_("line %(line)s: %(message)s") % {"line": line, "message": message})

    rows_by_id = {}
    for row in rows:
        if not row.employee_id:
            continue
        if row.employee_id in rows_by_id:
            error(row.line, _("employee id %(id)s already appears on line %(first)s.")
                  % {"id": row.employee_id, "first": rows_by_id[row.employee_id].line})
        else:
            rows_by_id[row.employee_id] = row
    first_line_of_email = {}
    for row in rows:
        if not row.email:
            continue
        if row.email in first_line_of_email and first_line_of_email[row.email] != row.line:
            error(row.line, _("e-mail %(email)s already appears on line %(first)s (case is ignored).")
                  % {"email": row.email, "first": first_line_of_email[row.email]})
        else:
            first_line_of_email.setdefault(row.email, row.line)

    existing = {
        e.employee_id: e
        for e in Employee.objects.select_related("department", "site").only(
            *[f for f in FIELDS if f not in ("manager_id",)], "manager_id", "department__name", "site__name",
            "user_id", "path", "depth",
        )
    }
    eid_by_pk = {e.pk: eid for eid, e in existing.items()}

    # Final e-mails: the file's over the database's; two employees may not share one.
    final_email = {eid: e.email.lower() for eid, e in existing.items()}
    final_email.update({eid: row.email for eid, row in rows_by_id.items()})
    owners = Counter(final_email.values())
    for eid, row in rows_by_id.items():
        if row.email and owners[row.email] > 1 and first_line_of_email.get(row.email) == row.line:
            others = sorted(o for o, mail in final_email.items() if mail == row.email and o != eid and o not in rows_by_id)
            if others:
                error(row.line, _("e-mail %(email)s is already used by employee %(other)s.")
                      % {"email": row.email, "other": others[0]})

    # Managers: known, not oneself, no cycle once the file is applied.
    parents = {eid: eid_by_pk.get(e.manager_id) for eid, e in existing.items()}
    if "manager_id" in columns:
        for eid, row in rows_by_id.items():
            manager = row.manager_id or None
            if manager == eid:
                error(row.line, _("employee %(id)s is given as their own manager.") % {"id": eid})
                manager = None
            elif manager and manager not in rows_by_id and manager not in existing:
                error(row.line, _("manager id %(manager)s is unknown (neither in the file nor in the directory).")
                      % {"manager": manager})
                manager = None
            parents[eid] = manager
    else:
        for eid in rows_by_id:
            parents.setdefault(eid, None)
    for cycle in find_cycles(parents):
        described = " → ".join(cycle + [cycle[0]])
        lines = sorted(filter(None, (_line_of(rows_by_id, member) for member in cycle)))
        error(lines[0] if lines else 1, _("manager cycle: %(cycle)s.") % {"cycle": described})
    if report.errors:
        report.errors.sort(key=_error_sort_key)
        return report

    # Plan.
    simple_fields = ["first_name", "last_name", "email", "job_title", "job_level", "language", "hire_date", "leave_date"]
    changes: dict[str, dict] = {}
    for eid, row in rows_by_id.items():
        report.names[eid] = f"{row.first_name} {row.last_name}"
        current = existing.get(eid)
        if current is None:
            report.created.append(eid)
            continue
        diff = {}
        for name in simple_fields:
            if name in columns and getattr(current, name) != getattr(row, name):
                diff[name] = getattr(row, name)
        if "department" in columns and (current.department.name if current.department else "") != row.department:
            diff["department"] = row.department
        if "site" in columns and (current.site.name if current.site else "") != row.site:
            diff["site"] = row.site
        if "manager_id" in columns and eid_by_pk.get(current.manager_id) != (row.manager_id or None):
            diff["manager_id"] = row.manager_id or None
        if not diff:
            report.unchanged += 1
            continue
        changes[eid] = diff
        if "leave_date" in diff and current.leave_date is None and row.leave_date is not None:
            report.left.append(eid)
        else:
            report.updated.append((eid, sorted(diff)))
    missing_leavers = []
    if mark_missing_as_left:
        for eid, current in existing.items():
            if eid not in rows_by_id and current.leave_date is None:
                missing_leavers.append(current)
                report.left.append(eid)
                report.names[eid] = current.full_name
    if dry_run:
        return report

    try:
        with transaction.atomic():
            _apply(rows_by_id, columns, existing, changes, missing_leavers, today)
            audit_log(actor=actor, action="directory.import", details={
                "created": len(report.created), "updated": len(report.updated),
                "unchanged": report.unchanged, "left": len(report.left),
            })
    except IntegrityError as exc:
        report.errors.append(_("line 1: the directory could not be updated (%(error)s); nothing was written.") % {"error": exc})
        return report
    report.applied = True
    return report


def _error_sort_key(message: str):
    digits = "".join(ch for ch in message.split(":", 1)[0] if ch.isdigit())
    return (int(digits) if digits else 0, message)


def _named(model, names: set[str]) -> dict[str, object]:
    names = {name for name in names if name}
    known = {obj.name: obj for obj in model.objects.filter(name__in=names)}
    missing = [model(name=name) for name in sorted(names - known.keys())]
    if missing:
        model.objects.bulk_create(missing, batch_size=BATCH)
        known.update({obj.name: obj for obj in model.objects.filter(name__in=[m.name for m in missing])})
    return known


def _apply(rows_by_id, columns, existing, changes, missing_leavers, today):
    departments = _named(Department, {row.department for row in rows_by_id.values()})
    sites = _named(Site, {row.site for row in rows_by_id.values()})

    new = []
    for eid, row in rows_by_id.items():
        if eid in existing:
            continue
        new.append(Employee(
            employee_id=eid, first_name=row.first_name, last_name=row.last_name, email=row.email,
            department=departments.get(row.department), site=sites.get(row.site), job_title=row.job_title,
            job_level=row.job_level, language=row.language, hire_date=row.hire_date, leave_date=row.leave_date,
        ))
    Employee.objects.bulk_create(new, batch_size=BATCH)
    pk_by_eid = dict(Employee.objects.values_list("employee_id", "pk"))

    to_update = []
    update_fields = set()
    level_changes = []
    for eid, diff in changes.items():
        employee = existing[eid]
        if "job_level" in diff:
            level_changes.append(JobLevelChange(employee=employee, from_level=employee.job_level,
                                                to_level=diff["job_level"], changed_on=today))
        for name, value in diff.items():
            if name == "department":
                employee.department = departments.get(value)
            elif name == "site":
                employee.site = sites.get(value)
            elif name == "manager_id":
                continue
            else:
                setattr(employee, name, value)
            update_fields.add(name)
        to_update.append(employee)
    for employee in missing_leavers:
        employee.leave_date = today
        update_fields.add("leave_date")
        to_update.append(employee)
    if to_update and update_fields:
        Employee.objects.bulk_update(to_update, sorted(update_fields | {"updated_at"}), batch_size=BATCH)
    JobLevelChange.objects.bulk_create(level_changes, batch_size=BATCH)

    # Managers, then paths, from the final state of the whole directory.
    if "manager_id" in columns:
        manager_rows = [
            (pk_by_eid[eid], pk_by_eid[row.manager_id] if row.manager_id else None)
            for eid, row in rows_by_id.items()
            if (eid not in existing and row.manager_id) or "manager_id" in changes.get(eid, {})
        ]
        _set_columns(Employee, ["manager"], manager_rows)
    orgchart_rebuild_paths()
    _sync_accounts(rows_by_id, pk_by_eid, today, missing_leavers)


def _set_columns(model, columns: list[str], rows: list[tuple]) -> None:
    """``UPDATE`` many rows by primary key: each row is ``(pk, value, …)`` in ``columns`` order.

    Plain SQL in chunks (``CASE pk WHEN … THEN … END``): Django's ``bulk_update`` builds an
    expression per value and spent minutes on a 50,000-employee import; this takes seconds.
    """
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    fields = [model._meta.get_field(name) for name in columns]
    chunk = max(1, 900 // (2 * len(columns) + 1))  # stays under SQLite's parameter limit
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            assignments, params = [], []
            for position, field in enumerate(fields, start=1):
                assignments.append(f"{connection.ops.quote_name(field.column)} = CASE id "
                                   + " ".join(["WHEN %s THEN %s"] * len(part)) + " END")
                for row in part:
                    params.extend([row[0], field.get_db_prep_value(row[position], connection)])
            params.extend(row[0] for row in part)
            cursor.execute(f"UPDATE {table} SET {', '.join(assignments)} WHERE id IN ({', '.join(['%s'] * len(part))})", params)


def orgchart_rebuild_paths() -> int:
    """Recompute every materialised path and depth; write only those that changed. Returns that count."""
    rows = list(Employee.objects.values_list("pk", "manager_id", "path", "depth"))
    computed = compute_paths({pk: manager for pk, manager, _, _ in rows})
    stale = [(pk, *computed[pk]) for pk, _, path, depth in rows if (path, depth) != computed[pk]]
    _set_columns(Employee, ["path", "depth"], stale)
    return len(stale)


def _sync_accounts(rows_by_id, pk_by_eid, today, missing_leavers):
    """One account per employee of the file: link by e-mail, create, or update, and (de)activate."""
    employees = {
        e.employee_id: e
        for e in Employee.objects.only(
            "pk", "employee_id", "email", "first_name", "last_name", "language", "leave_date", "user_id"
        )
        if e.employee_id in rows_by_id
    }
    users_by_pk = {u.pk: u for u in User.objects.only(
        "pk", "email", "first_name", "last_name", "is_active", "is_superuser", "language")}
    users_by_email = {u.email.lower(): u for u in users_by_pk.values()}
    linked = set(Employee.objects.filter(user__isnull=False).values_list("user_id", flat=True))

    to_create, to_link, to_update = [], [], []
    for eid, employee in employees.items():
        active = not employee.has_left(today)
        user = users_by_pk.get(employee.user_id)
        if user is None:
            candidate = users_by_email.get(employee.email.lower())
            if candidate is not None and candidate.pk not in linked:
                user = candidate
                employee.user_id = user.pk
                linked.add(user.pk)
                to_link.append(employee)
        if user is None:
            to_create.append((employee, User(
                email=employee.email.lower(), first_name=employee.first_name, last_name=employee.last_name,
                language=employee.language if employee.language in ("fr", "en") else "en",
                is_active=active, password=UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20),
            )))
            continue
        wanted = {
            "email": employee.email.lower(), "first_name": employee.first_name, "last_name": employee.last_name,
            "is_active": active or user.is_superuser,
        }
        if any(getattr(user, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(user, name, value)
            to_update.append(user)
    for employee in missing_leavers:
        user = users_by_pk.get(employee.user_id)
        if user is not None and user.is_active and not user.is_superuser:
            user.is_active = False
            to_update.append(user)
    if to_update:
        User.objects.bulk_update(to_update, ["email", "first_name", "last_name", "is_active"], batch_size=BATCH)
    if to_create:
        User.objects.bulk_create([user for _employee, user in to_create], batch_size=BATCH)
        if any(user.pk is None for _employee, user in to_create):  # databases that return no ids from bulk inserts
            created = dict(User.objects.values_list("email", "pk"))
            for _employee, user in to_create:
                user.pk = created[user.email]
        for employee, user in to_create:
            employee.user_id = user.pk
            to_link.append(employee)
    _set_columns(Employee, ["user"], [(employee.pk, employee.user_id) for employee in to_link])


def directory_import_preview(*, filename: str, data: bytes, uploaded_by: User, mark_missing_as_left: bool) -> DirectoryImport:
    """Store an upload and what it would do; nothing in the directory changes."""
    report = directory_import(data=data, dry_run=True, mark_missing_as_left=mark_missing_as_left)
    return DirectoryImport.objects.create(
        filename=filename[:255], content=data, uploaded_by=uploaded_by, mark_missing_as_left=mark_missing_as_left,
        status=DirectoryImport.Status.PREVIEWED if report.ok else DirectoryImport.Status.REFUSED,
        summary=report.as_dict(),
    )


def directory_import_confirm(*, batch: DirectoryImport, actor: User) -> ImportReport:
    """Apply a previewed upload. Re-checked against the directory as it is now; refused if it changed badly."""
    if batch.status != DirectoryImport.Status.PREVIEWED:
        raise ValueError("Only a previewed import can be confirmed.")
    report = directory_import(
        data=bytes(batch.content), dry_run=False, mark_missing_as_left=batch.mark_missing_as_left, actor=actor
    )
    batch.summary = report.as_dict()
    batch.status = DirectoryImport.Status.APPLIED if report.applied else DirectoryImport.Status.REFUSED
    batch.applied_at = timezone.now() if report.applied else None
    batch.save(update_fields=["summary", "status", "applied_at"])
    return report


def user_set_language(*, user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def notifications_choose(*, user: User, wanted: set[str] | None = None, muted: set[str] = frozenset()) -> set[str]:
    """Save which optional e-mails a user receives: with ``wanted``, every optional kind outside it
    is muted and those in it unmuted; ``muted`` adds kinds to mute. Essential kinds are never muted.
    Returns the muted kinds."""
    optional = {name for name, kind in outbox.KINDS.items() if not kind.essential}
    current = set(NotificationPreference.objects.filter(user=user).values_list("kind", flat=True))
    target = (optional - wanted if wanted is not None else current) | (set(muted) & optional)
    NotificationPreference.objects.filter(user=user).exclude(kind__in=target).delete()
    NotificationPreference.objects.bulk_create([NotificationPreference(user=user, kind=k) for k in target - current])
    return target


def login_unlock(*, actor: User | None, email: str) -> bool:
    """Lift a login lock (django-axes) before its cool-off ends, on any spelling of the address
    (locks are kept under ``auth.normalise_login``). Returns whether one was lifted. ``actor`` is
    None from the command line or a password reset."""
    from axes.utils import reset

    from mentorat.core.auth import normalise_login

    email = normalise_login(email)
    if not email:
        return False
    lifted = reset(username=email) > 0
    if lifted:
        audit_log(actor=actor, action="login.unlock", target=email)
    return lifted
