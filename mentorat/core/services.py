"""Writes on the directory: the HRIS import, org-chart paths, accounts, audit entries."""

from __future__ import annotations

import datetime
import hmac
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, is_password_usable
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mentorat.core import outbox, scopes
from mentorat.core.directory_file import FIELDS, company_domain, is_lookalike_domain, normalise_header, parse_directory_file
from mentorat.core.hierarchy import compute_paths, find_cycles
from mentorat.core.models import (
    AuditEntry,
    Department,
    DirectoryImport,
    Employee,
    ErasedEmployee,
    JobLevelChange,
    NotificationPreference,
    PendingEmailChange,
    Site,
    User,
)

BATCH = 1000
ERRORS_KEPT = 200

# Filled by higher apps in ``AppConfig.ready`` (binomes): each returns the primary keys of the
# employees who are members of a pair whose private space exists (notes, concerns). Their login
# never follows the directory silently, and marking them as left is named in the preview.
PAIR_MEMBER_PROVIDERS: list[Callable[[], set[int]]] = []


# Accounts (user pks) that read private content without being in a pair (a programme's HR contacts
# for concerns): their login waits for the person too. Filled by the apps above in ``ready``.
HELD_LOGIN_PROVIDERS: list[Callable[[], set[int]]] = []


def employees_in_pairs() -> set[int]:
    """Employees (primary keys) who are members of a pair, from every registered provider."""
    members: set[int] = set()
    for provider in PAIR_MEMBER_PROVIDERS:
        members |= set(provider())
    return members


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
    # (employee id, old login, new login, held): held = kept until confirmed from the old address.
    email_changes: list[tuple[str, str, str, bool]] = field(default_factory=list)
    # Leavers named in the preview, each with why: the importing user, a pair member.
    left_named: list[tuple[str, list[str]]] = field(default_factory=list)
    mass_leave: dict | None = None

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
            "errors": _capped(self.errors, _("… and %(count)s more errors.")),
            "warnings": _capped(self.warnings, _("… and %(count)s more warnings.")),
            "applied": self.applied,
            "email_changes": [[eid, self.names.get(eid, ""), old, new, held]
                              for eid, old, new, held in self.email_changes[:limit]],
            "email_changes_count": len(self.email_changes),
            "left_named": [[eid, self.names.get(eid, ""), reasons] for eid, reasons in self.left_named[:limit]],
            "left_named_count": len(self.left_named),
            "mass_leave": self.mass_leave,
        }


def _capped(messages: list[str], more: str) -> list[str]:
    """The first ``ERRORS_KEPT`` messages, then one line saying how many more there are."""
    if len(messages) <= ERRORS_KEPT:
        return list(messages)
    return messages[:ERRORS_KEPT] + [more % {"count": len(messages) - ERRORS_KEPT}]


class ImportConfirmationNeeded(ValueError):
    """The confirmation of an import lacks the typed word or the explicit agreement it needs."""


def erase_word() -> str:
    """The word an HR lead types to erase a person, in the active language (ERASE, EFFACER)."""
    return pgettext("typed to confirm erasing a person", "ERASE")


def mass_leave_word() -> str:
    """The word a coordinator types to mark many employees as left, in the active language."""
    return pgettext("typed to confirm marking many employees as left", "LEAVERS")


def _line_of(rows_by_id, employee_id):
    row = rows_by_id.get(employee_id)
    return row.line if row else None


def directory_import(
    *, data: bytes, dry_run: bool, today: datetime.date | None = None,
    mark_missing_as_left: bool = False, actor: User | None = None,
    confirm: Callable[[ImportReport], str | None] | None = None,
) -> ImportReport:
    """Upsert the directory from an HRIS export, all or nothing.

    Every error of the file is collected (``line N: …``) before anything is written; with any
    error, or with ``dry_run``, the database is untouched. Optional columns absent from the file
    leave the matching fields as they are. A leave date that appears counts as "marked as left";
    with ``mark_missing_as_left`` every present employee absent from the file leaves today.
    Accounts follow the directory: one login per employee (no usable password until they reset
    it), deactivated when the employee has left (superusers excepted).

    A login e-mail never changes silently (``email_changes``, each audited with both addresses
    and told to the old one): an account with a usable password, that has logged in, or in a pair keeps its login
    until the person confirms from the old address (``PendingEmailChange``); the employee record
    takes the new address at once. Rows of erased people (``ErasedEmployee``) are skipped with a
    warning. The file is bounded (rows, uncompressed size, time: ``MENTORAT_IMPORT_*``); an
    address whose domain imitates the company's (the most common one) is refused. ``confirm``,
    called with the plan before anything is written, may refuse it (a message: an error).
    """
    today = today or timezone.localdate()
    report = ImportReport()
    parsed = parse_directory_file(
        data, max_rows=settings.MENTORAT_IMPORT_MAX_ROWS, max_uncompressed=settings.MENTORAT_IMPORT_MAX_UNCOMPRESSED_BYTES,
        max_ratio=settings.MENTORAT_IMPORT_MAX_RATIO, max_seconds=settings.MENTORAT_IMPORT_MAX_SECONDS,
    )
    report.warnings = parsed.warnings
    report.errors = list(parsed.errors)
    if not parsed.rows:
        report.errors.sort(key=_error_sort_key)
        return report
    rows, erased_ids = _without_erased(parsed.rows, report)
    columns = parsed.columns
    if not rows:
        report.errors.sort(key=_error_sort_key)
        return report

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
    if erased_ids:
        # A manager who was erased is still exported by the HRIS: the report keeps the manager it has.
        for eid, row in rows_by_id.items():
            if row.manager_id in erased_ids:
                current = existing.get(eid)
                row.manager_id = (eid_by_pk.get(current.manager_id) or "") if current is not None else ""

    # Final e-mails: the file's over the database's; two employees may not share one.
    final_email = {eid: e.email.lower() for eid, e in existing.items()}
    final_email.update({eid: row.email for eid, row in rows_by_id.items()})
    _check_domains(rows_by_id, final_email, error)
    users = {u.pk: u for u in User.objects.only("pk", "email", "password", "last_login", "is_coordinator", "is_hr_lead",
                                                "is_executive", "is_staff", "is_superuser")}
    pair_members = employees_in_pairs()
    readers = set().union(*(provider() for provider in HELD_LOGIN_PROVIDERS))
    _plan_login_changes(rows_by_id, existing, final_email, users, pair_members, report, error, readers)
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
            # An erased person's record (ERASED-<pk>) is never in the HRIS file: not a departure.
            if eid not in rows_by_id and current.leave_date is None and not eid.startswith("ERASED-"):
                missing_leavers.append(current)
                report.left.append(eid)
                report.names[eid] = current.full_name
    _plan_leavers(report, existing, pair_members, actor, today)
    if confirm is not None:
        refusal = confirm(report)
        if refusal:
            report.errors.append(refusal)
            return report
    if dry_run:
        return report

    held = {users_pk for users_pk in (existing[eid].user_id for eid, _old, _new, is_held in report.email_changes if is_held)}
    try:
        with transaction.atomic():
            _apply(rows_by_id, columns, existing, changes, missing_leavers, today, held, actor)
            audit_log(actor=actor, action="directory.import", details={
                "created": len(report.created), "updated": len(report.updated),
                "unchanged": report.unchanged, "left": len(report.left),
                "login_changes": len(report.email_changes),
            })
    except IntegrityError as exc:
        report.errors.append(_("line 1: the directory could not be updated (%(error)s); nothing was written.") % {"error": exc})
        return report
    report.applied = True
    return report


def _without_erased(rows, report) -> tuple[list, set[str]]:
    """The rows whose employee id was not erased, and the erased ids the file mentions (as an
    employee or a manager). Each skipped line is a warning that names the line only."""
    digests = set(ErasedEmployee.objects.values_list("digest", flat=True))
    if not digests:
        return rows, set()
    mentioned = {row.employee_id for row in rows if row.employee_id} | {row.manager_id for row in rows if row.manager_id}
    erased = {eid for eid in mentioned if ErasedEmployee.digest_of(eid) in digests}
    kept = []
    for row in rows:
        if row.employee_id in erased:
            report.warnings.append(_("line %(line)s: this person was erased at their request; the line is skipped.")
                                   % {"line": row.line})
        else:
            kept.append(row)
    return kept, erased


def _check_domains(rows_by_id, final_email, error) -> None:
    """Refuse an address whose domain imitates the company's main domain (the most common one)."""
    main = company_domain(final_email.values())
    if main is None:
        return
    trusted = {domain.strip().lower() for domain in settings.MENTORAT_IMPORT_TRUSTED_DOMAINS}
    verdicts: dict[str, bool] = {domain: False for domain in trusted}
    for row in rows_by_id.values():
        if not row.email or "@" not in row.email:
            continue
        domain = row.email.rpartition("@")[2]
        if domain not in verdicts:
            verdicts[domain] = is_lookalike_domain(domain, main)
        if verdicts[domain]:
            error(row.line, _("the domain of “%(email)s” looks like the company's domain “%(main)s” (one character "
                              "apart, or characters that look alike); check the address.") % {"email": row.email, "main": main})


def _plan_login_changes(rows_by_id, existing, final_email, users, pair_members, report, error,
                        readers: set[int] = frozenset()) -> None:
    """Name each login that the file would move (old → new) and whether it is held for the
    person's confirmation; refuse an address that is the login of another employee's account."""
    login_of = {}
    account_of = {u.email.lower(): u.pk for u in users.values()}
    for eid, employee in existing.items():
        user = users.get(employee.user_id)
        if user is not None:
            login_of[user.email.lower()] = eid
    for eid, row in rows_by_id.items():
        if not row.email:
            continue
        owner = login_of.get(row.email)
        # (When the owner's record keeps that address too, the duplicate e-mail is reported already.)
        if owner is not None and owner != eid and final_email.get(owner) != row.email:
            error(row.line, _("e-mail %(email)s is the login of the account of employee %(other)s; it cannot be given "
                              "to another employee.") % {"email": row.email, "other": owner})
            continue
        current = existing.get(eid)
        user = users.get(current.user_id) if current is not None else None
        if user is None or user.email.lower() == row.email:
            continue
        if account_of.get(row.email, user.pk) != user.pk:
            error(row.line, _("e-mail %(email)s is already the login of another account.") % {"email": row.email})
            continue
        # Held: an account its owner uses (a password, or a log-in by single sign-on), in a pair, that
        # reads private content (``readers``) or has a site-wide role.
        held = (is_password_usable(user.password) or user.last_login is not None or current.pk in pair_members
                or user.pk in readers or user.is_coordinator or user.is_hr_lead or user.is_executive or user.is_staff or user.is_superuser)
        report.email_changes.append((eid, user.email, row.email, held))
        report.names.setdefault(eid, f"{row.first_name} {row.last_name}")


def _plan_leavers(report, existing, pair_members, actor, today) -> None:
    """Name the leavers who need an explicit agreement (the importing user, pair members) and
    flag a departure of more than ``MENTORAT_IMPORT_MASS_LEAVE_PERCENT`` of the present staff."""
    actor_employee = getattr(actor, "employee", None) if actor is not None else None
    for eid in report.left:
        current = existing.get(eid)
        if current is None:
            continue
        reasons = []
        if actor_employee is not None and current.pk == actor_employee.pk:
            reasons.append(_("you, the person importing"))
        if current.pk in pair_members:
            reasons.append(_("member of a pair"))
        if reasons:
            report.left_named.append((eid, reasons))
    present = sum(1 for e in existing.values() if not e.has_left(today))
    if report.left and len(report.left) * 100 > settings.MENTORAT_IMPORT_MASS_LEAVE_PERCENT * max(present, 1):
        report.mass_leave = {"count": len(report.left), "present": present,
                             "percent": round(100 * len(report.left) / max(present, 1))}


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


def _apply(rows_by_id, columns, existing, changes, missing_leavers, today, held, actor):
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
    _sync_accounts(rows_by_id, pk_by_eid, today, missing_leavers, held, actor)


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
    # Plain SQL bypasses the scoped queryset: touch what the model declares (mentorat.core.scopes) —
    # its constant scopes, and those named by a written column (an account linked: that user's).
    spec = getattr(model, "SCOPED_BY", None) or {}
    found = [(kind,) for kind, path in spec.items() if path is None]
    for position, field in enumerate(fields, start=1):
        found += [(kind, row[position]) for kind, path in spec.items() if path == field.attname
                  for row in rows if row[position] is not None]
    scopes.touch(*found)


def orgchart_rebuild_paths() -> int:
    """Recompute every materialised path and depth; write only those that changed. Returns that count."""
    rows = list(Employee.objects.values_list("pk", "manager_id", "path", "depth"))
    computed = compute_paths({pk: manager for pk, manager, _, _ in rows})
    stale = [(pk, *computed[pk]) for pk, _, path, depth in rows if (path, depth) != computed[pk]]
    _set_columns(Employee, ["path", "depth"], stale)
    return len(stale)


def _sync_accounts(rows_by_id, pk_by_eid, today, missing_leavers, held, actor):
    """One account per employee of the file: link by e-mail, create, or update, and (de)activate.
    A login in ``held`` keeps its e-mail: the change waits for the person (``PendingEmailChange``)."""
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
    open_changes: dict[int, list[PendingEmailChange]] = {}
    for change in PendingEmailChange.objects.filter(confirmed_at=None, cancelled_at=None):
        open_changes.setdefault(change.user_id, []).append(change)
    moved: list[tuple[User, str, str]] = []

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
        email = employee.email.lower()
        waiting = open_changes.get(user.pk, [])
        if user.email.lower() == email:
            _cancel_changes(waiting, keep=None)
        elif user.pk in held:
            kept = _cancel_changes(waiting, keep=email)
            if kept is None:
                _email_change_request(user=user, new_email=email, actor=actor, source="import")
            email = user.email
        else:
            moved.append((user, user.email, email))
            _cancel_changes(waiting, keep=None)
        wanted = {
            "email": email, "first_name": employee.first_name, "last_name": employee.last_name,
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
    for user, old, new in moved:
        _email_change_record(user=user, old=old, new=new, actor=actor, how="directory import", source="import")
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


def _cancel_changes(changes: list[PendingEmailChange], *, keep: str | None) -> PendingEmailChange | None:
    """Cancel the open changes except one to ``keep`` (returned, or None)."""
    kept = None
    for change in changes:
        if keep is not None and kept is None and change.new_email.lower() == keep:
            kept = change
            continue
        change.cancelled_at = timezone.now()
        change.save(update_fields=["cancelled_at"])
    return kept


def _email_change_request(*, user: User, new_email: str, actor: User | None, source: str) -> PendingEmailChange:
    change = PendingEmailChange.objects.create(
        user=user, old_email=user.email, new_email=new_email, token=secrets.token_urlsafe(32), requested_by=actor,
        source=source)
    audit_log(actor=actor, action="account.email_change_requested", target=f"user:{user.pk}",
              details={"old": user.email, "new": new_email, "source": source})
    outbox.notify(kind="login_email_change_requested", object_key=f"emailchange:{change.pk}", recipient=user)
    return change


def _email_change_record(*, user: User, old: str, new: str, actor: User | None, how: str, source: str,
                         change: PendingEmailChange | None = None) -> PendingEmailChange:
    """Audit a login that moved (both addresses) and tell the old address."""
    if change is None:
        change = PendingEmailChange.objects.create(
            user=user, old_email=old, new_email=new, token=secrets.token_urlsafe(32), requested_by=actor, source=source,
            confirmed_at=timezone.now())
    audit_log(actor=actor, action="account.email_changed", target=f"user:{user.pk}",
              details={"old": old, "new": new, "how": how})
    outbox.notify(kind="login_email_changed", object_key=f"emailchange:{change.pk}", recipient=user)
    return change


class EmailChangeError(ValueError):
    pass


EMAIL_CHANGE_SALT = "mentorat.email-change"


def email_change_confirm_path(change: PendingEmailChange) -> str:
    """The page where the person confirms a login change: a signed link (pk and token), mailed to the old address."""
    signed = signing.dumps({"c": change.pk, "t": change.token}, salt=EMAIL_CHANGE_SALT)
    return reverse("core:email_change_confirm", args=[signed])


def email_change_from_link(signed: str) -> PendingEmailChange | None:
    """The open change a link confirms, or None (forged, tampered, expired, already used or cancelled)."""
    try:
        data = signing.loads(signed, salt=EMAIL_CHANGE_SALT, max_age=settings.MENTORAT_EMAIL_CHANGE_DAYS * 24 * 3600)
    except signing.BadSignature:
        return None
    change = PendingEmailChange.objects.select_related("user").filter(pk=data.get("c")).first()
    if change is None or not change.is_open or not hmac.compare_digest(change.token, str(data.get("t", ""))):
        return None
    return change


@transaction.atomic
def login_email_change_apply(*, change: PendingEmailChange, actor: User | None, how: str) -> User:
    """Move the login to the new address: confirmed by the person (from the link mailed to the old
    address) or applied by a superuser. Refused if the change is no longer open, the account moved
    since, or another account has the address. Audited with both addresses; the old one is told."""
    change = PendingEmailChange.objects.select_for_update().select_related("user").get(pk=change.pk)
    if not change.is_open:
        raise EmailChangeError(_("This change of login address was already confirmed or cancelled."))
    user = change.user
    if user.email.lower() != change.old_email.lower():
        raise EmailChangeError(_("The login address changed since this request: it no longer applies."))
    if User.objects.filter(email__iexact=change.new_email).exclude(pk=user.pk).exists():
        raise EmailChangeError(_("Another account already uses %(email)s.") % {"email": change.new_email})
    old = user.email
    user.email = change.new_email.lower()
    user.save(update_fields=["email"])
    change.confirmed_at = timezone.now()
    change.save(update_fields=["confirmed_at"])
    PendingEmailChange.objects.filter(user=user, confirmed_at=None, cancelled_at=None).update(cancelled_at=timezone.now())
    _email_change_record(user=user, old=old, new=user.email, actor=actor, how=how, source=change.source, change=change)
    return user


@transaction.atomic
def login_email_change_cancel(*, change: PendingEmailChange, actor: User | None) -> bool:
    updated = PendingEmailChange.objects.filter(pk=change.pk, confirmed_at=None, cancelled_at=None).update(
        cancelled_at=timezone.now())
    if updated:
        audit_log(actor=actor, action="account.email_change_cancelled", target=f"user:{change.user_id}",
                  details={"old": change.old_email, "new": change.new_email})
    return bool(updated)


def password_reset_link_send(*, actor: User, user: User) -> None:
    """A superuser's way to help someone log in: a reset link to the person's own login address
    (never a password the administrator chooses). Through the outbox; audited."""
    # Each request is an event of its own: a link sent again days later goes.
    outbox.notify(kind="password_reset_link", object_key=f"user:{user.pk}", recipient=user, due_at=timezone.now())
    audit_log(actor=actor, action="admin.password_reset_link", target=f"user:{user.pk}")


def directory_import_preview(*, filename: str, data: bytes, uploaded_by: User, mark_missing_as_left: bool) -> DirectoryImport:
    """Store an upload and what it would do; nothing in the directory changes."""
    report = directory_import(data=data, dry_run=True, mark_missing_as_left=mark_missing_as_left, actor=uploaded_by)
    return DirectoryImport.objects.create(
        filename=filename[:255], content=data, uploaded_by=uploaded_by, mark_missing_as_left=mark_missing_as_left,
        status=DirectoryImport.Status.PREVIEWED if report.ok else DirectoryImport.Status.REFUSED,
        summary=report.as_dict(),
    )


def directory_import_confirm(*, batch: DirectoryImport, actor: User, typed_word: str = "",
                             confirm_named: bool = False) -> ImportReport:
    """Apply a previewed upload. Re-checked against the directory as it is now; refused if it changed badly.

    A preview that marks many people as left needs ``typed_word`` (``mass_leave_word``); one that
    names leavers (the importing user, pair members) needs ``confirm_named``; without them
    ``ImportConfirmationNeeded`` is raised and nothing happens (the preview stays). If the file
    would now mark more, or other named, people as left than the preview showed, it is refused.
    The batch is locked and its state read again first, so two confirmations apply it once."""
    with transaction.atomic():
        locked = DirectoryImport.objects.select_for_update().get(pk=batch.pk)
        if locked.status != DirectoryImport.Status.PREVIEWED:
            raise ValueError("Only a previewed import can be confirmed.")
        report = _directory_import_confirm(batch=locked, actor=actor, typed_word=typed_word, confirm_named=confirm_named)
    batch.status, batch.summary, batch.applied_at = locked.status, locked.summary, locked.applied_at
    return report


def _directory_import_confirm(*, batch, actor, typed_word, confirm_named) -> ImportReport:
    previewed = batch.summary or {}
    if previewed.get("mass_leave") and normalise_header(typed_word) != normalise_header(mass_leave_word()):
        raise ImportConfirmationNeeded(_("Type %(word)s to confirm that %(count)s people leave: nothing was written.")
                                       % {"word": mass_leave_word(), "count": previewed["mass_leave"]["count"]})
    if previewed.get("left_named") and not confirm_named:
        raise ImportConfirmationNeeded(_("Tick the box to confirm the people named as leaving: nothing was written."))
    named_before = {row[0] for row in previewed.get("left_named", [])}

    def still_as_previewed(report: ImportReport) -> str | None:
        if (report.mass_leave and not previewed.get("mass_leave")) or not {eid for eid, _r in report.left_named} <= named_before:
            return _("line 1: the directory changed since the preview and more people would leave; upload the file again.")
        return None

    report = directory_import(
        data=bytes(batch.content), dry_run=False, mark_missing_as_left=batch.mark_missing_as_left, actor=actor,
        confirm=still_as_previewed,
    )
    batch.summary = report.as_dict()
    batch.status = DirectoryImport.Status.APPLIED if report.applied else DirectoryImport.Status.REFUSED
    batch.applied_at = timezone.now() if report.applied else None
    batch.save(update_fields=["summary", "status", "applied_at"])
    return report


def directory_import_purge(*, now: datetime.datetime | None = None) -> int:
    """Nightly: drop the raw file of imports applied or refused more than ``MENTORAT_IMPORT_KEEP_DAYS``
    ago, and of previews never confirmed after a day (they expire), with the lists of their summary
    (names, addresses, login changes, errors); the counts stay. Returns the count."""
    now = now or timezone.now()
    done = DirectoryImport.objects.filter(
        status__in=[DirectoryImport.Status.APPLIED, DirectoryImport.Status.REFUSED, DirectoryImport.Status.EXPIRED],
        created_at__lt=now - datetime.timedelta(days=settings.MENTORAT_IMPORT_KEEP_DAYS), purged_at__isnull=True,
    )
    stale = DirectoryImport.objects.filter(
        status=DirectoryImport.Status.PREVIEWED, created_at__lt=now - datetime.timedelta(days=1), purged_at__isnull=True,
    )
    with transaction.atomic():
        batches = list(done.select_for_update().values_list("pk", "summary")) + \
            list(stale.select_for_update().values_list("pk", "summary"))
        for pk, summary in batches:
            kept = DirectoryImport.counts_only(summary)
            if kept != summary:
                DirectoryImport.objects.filter(pk=pk).update(summary=kept)
        count = done.update(content=b"", purged_at=now)
        count += stale.update(content=b"", purged_at=now, status=DirectoryImport.Status.EXPIRED)
    return count


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
