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
- ``FIELDS``: ``"app_label.Model.field" -> Personal(...) | NotPersonal(...)`` — every text-like
  column of the product, declared once: personal and how erasure (and retention) removes it, or
  not personal and why. A test fails on a column that is not declared. Each app's privacy module
  has a ``FIELDS`` dict, merged here by ``registries.enlist_privacy``.

Erasure works in two passes: each app's eraser removes what the person wrote (free texts, notes,
links), then a sweep over every declared column (but ``Personal(scrub=False)``) replaces what still names
the person (full name, e-mail addresses, employee id) by ``employee:<pk>``: an audit entry, an
admin log line, another member's log, an import's summary. Rows stay, so every count stays.
"""

from __future__ import annotations

import csv
import datetime
import email
import email.policy
import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorat.core.models import (
    AuditEntry,
    DirectoryImport,
    Employee,
    ErasedEmployee,
    Notification,
    NotificationPreference,
    PendingEmailChange,
    User,
)

logger = logging.getLogger(__name__)

EXPORTERS: list[Callable] = []
ERASERS: list[Callable] = []
RETENTION: list[Callable] = []

ERASED_NAME = "—"


# --- The registry of text columns ------------------------------------------------------------

@dataclass(frozen=True)
class Personal:
    """A column that may hold personal data. ``erased``: how erasure removes it; ``retention``: how
    the retention purge removes it (required for programme-scoped content); ``scrub``: the erasure
    sweep replaces the person's identifiers in it (plain text or JSON in the database; False for
    encrypted or binary columns, and for the identity columns of other people's rows)."""

    erased: str
    retention: str = ""
    scrub: bool = True


@dataclass(frozen=True)
class NotPersonal:
    why: str


FIELDS: dict[str, Personal | NotPersonal] = {
    # Accounts and the directory: the person's own row is overwritten; other people's rows are theirs.
    "core.User.password": Personal("made unusable", scrub=False),
    "core.User.email": Personal("replaced by erased-<pk>@invalid.example", scrub=False),
    "core.User.first_name": Personal("emptied", scrub=False),
    "core.User.last_name": Personal("emptied", scrub=False),
    "core.User.language": NotPersonal("a display preference (fr/en)"),
    "core.User.timezone": NotPersonal("a display preference (a time zone name)"),
    "core.Department.name": NotPersonal("an organisation unit"),
    "core.Site.name": NotPersonal("a place of work"),
    "core.Site.country": NotPersonal("a country code"),
    "core.Site.timezone": NotPersonal("a time zone name"),
    "core.Employee.employee_id": Personal("replaced by ERASED-<pk>; its keyed digest is kept (ErasedEmployee)", scrub=False),
    "core.Employee.first_name": Personal("replaced by —", scrub=False),
    "core.Employee.last_name": Personal("replaced by —", scrub=False),
    "core.Employee.email": Personal("replaced by erased-<pk>@invalid.example", scrub=False),
    "core.Employee.job_title": Personal("emptied", scrub=False),
    "core.Employee.language": NotPersonal("a display preference"),
    "core.Employee.path": NotPersonal("primary keys of the org chart"),
    "core.DirectoryImport.filename": Personal("scrubbed"),
    "core.DirectoryImport.content": Personal(
        "the person's rows are removed from the stored file (their id elsewhere becomes ERASED-<pk>); a file "
        "still naming them is emptied", retention="emptied after the retention period", scrub=False),
    "core.DirectoryImport.status": NotPersonal("a state"),
    "core.DirectoryImport.summary": Personal("scrubbed (ids and names of the created/updated/left lists, errors)",
                                             retention="lists emptied after the retention period, counts kept"),
    "core.AuditEntry.action": NotPersonal("an action code"),
    "core.AuditEntry.target": Personal("scrubbed: the entry stays, naming employee:<pk>"),
    "core.AuditEntry.details": Personal("scrubbed: the entry stays, naming employee:<pk>"),
    "core.Notification.kind": NotPersonal("a message kind"),
    "core.Notification.object_key": NotPersonal("kind:pk of the object"),
    "core.Notification.status": NotPersonal("a state"),
    "core.Notification.claim_token": NotPersonal("a random token"),
    "core.Notification.last_error": Personal("the person's messages are deleted; others' errors scrubbed"),
    "core.NotificationPreference.kind": NotPersonal("a message kind (the rows are deleted with the account)"),
    "core.PendingEmailChange.old_email": Personal("the account's requests are deleted", scrub=False),
    "core.PendingEmailChange.new_email": Personal("the account's requests are deleted", scrub=False),
    "core.PendingEmailChange.token": NotPersonal("a random secret (the rows are deleted with the account)"),
    "core.PendingEmailChange.source": NotPersonal("import | admin"),
    "core.ErasedEmployee.digest": NotPersonal("a keyed digest (HMAC) of an erased id, not reversible without SECRET_KEY"),
    # Django and django-axes.
    "admin.LogEntry.object_id": NotPersonal("a primary key"),
    "admin.LogEntry.object_repr": Personal("scrubbed: the line stays, naming employee:<pk>"),
    "admin.LogEntry.change_message": Personal("scrubbed (names of inline objects)"),
    "auth.Permission.name": NotPersonal("a permission"),
    "auth.Permission.codename": NotPersonal("a permission"),
    "auth.Group.name": NotPersonal("a group of permissions"),
    "contenttypes.ContentType.app_label": NotPersonal("a model"),
    "contenttypes.ContentType.model": NotPersonal("a model"),
    "sessions.Session.session_key": Personal("the account's login sessions are deleted", scrub=False),
    "sessions.Session.session_data": Personal("the account's login sessions are deleted", scrub=False),
    **{f"axes.{model}.{column}": Personal("the login history of the person's addresses is deleted",
                                          retention="deleted after the retention period", scrub=False)
       for model, columns in {
           "AccessAttempt": ["user_agent", "ip_address", "username", "http_accept", "path_info", "get_data", "post_data"],
           "AccessLog": ["user_agent", "ip_address", "username", "http_accept", "path_info", "session_hash"],
           "AccessFailureLog": ["user_agent", "ip_address", "username", "http_accept", "path_info"],
       }.items() for column in columns},
}


# --- What names a person ---------------------------------------------------------------------

@dataclass
class Identifiers:
    """What names one person in free text: full name (either order), e-mail addresses, employee
    id; ``replacement`` is what stands for them once erased (``employee:<pk>``)."""

    replacement: str
    names: list[tuple[str, str]] = field(default_factory=list)
    emails: set[str] = field(default_factory=set)
    employee_id: str = ""
    patterns: list[re.Pattern] = field(default_factory=list, init=False)

    def __post_init__(self):
        for first, last in self.names:
            for a, b in ((first, last), (last, first)):
                if a.strip() and b.strip() and ERASED_NAME not in (a.strip(), b.strip()):
                    self.patterns.append(re.compile(
                        r"(?<!\w)" + _spaced(a) + r"\s+" + _spaced(b) + r"(?!\w)", re.IGNORECASE))
        for address in sorted(self.emails):
            self.patterns.append(re.compile(r"(?<![\w.+-])" + re.escape(address) + r"(?![\w-])", re.IGNORECASE))
        if self.has_id:
            self.patterns.append(re.compile(r"(?<![\w-])" + re.escape(self.employee_id) + r"(?![\w-])"))

    @property
    def has_id(self) -> bool:
        # A short numeric id ("42") would match any number in a text: such ids are only matched as
        # whole values (an import's cell), not inside free text.
        eid = self.employee_id
        return bool(eid) and not (eid.isdigit() and len(eid) < 4)

    def terms(self) -> list[str]:
        """Substrings for a database pre-filter (a superset of what the patterns match)."""
        terms = [f"{first.strip()} {last.strip()}" for first, last in self.names if first.strip() and last.strip()]
        terms += [f"{last.strip()} {first.strip()}" for first, last in self.names if first.strip() and last.strip()]
        terms += sorted(self.emails)
        if self.has_id:
            terms.append(self.employee_id)
        return sorted({term for term in terms if term and ERASED_NAME not in term})

    def mentions(self, text: str) -> bool:
        return any(pattern.search(text or "") for pattern in self.patterns)

    def scrub(self, text: str) -> str:
        for pattern in self.patterns:
            text = pattern.sub(self.replacement, text)
        return text

    def scrub_value(self, value):
        """A JSON value with every string (keys too) scrubbed."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_value(item) for item in value]
        if isinstance(value, dict):
            return {self.scrub(str(key)): self.scrub_value(item) for key, item in value.items()}
        return value


def _spaced(name: str) -> str:
    return r"\s+".join(re.escape(part) for part in name.split())


def identifiers_of(employee: Employee | None, user: User | None) -> Identifiers:
    """The identifiers of a person as they are now (call before anything is overwritten)."""
    names, emails = [], set()
    if employee is not None:
        names.append((employee.first_name, employee.last_name))
        emails.add(employee.email.strip().lower())
    if user is not None:
        names.append((user.first_name, user.last_name))
        emails.add(user.email.strip().lower())
    if user is not None:
        emails |= _former_logins(user)
    emails = {address for address in emails if address and not address.endswith("@invalid.example")}
    employee_id = employee.employee_id if employee is not None and not employee.employee_id.startswith("ERASED-") else ""
    replacement = f"employee:{employee.pk}" if employee is not None else f"user:{user.pk}"
    return Identifiers(replacement=replacement, names=names, emails=emails, employee_id=employee_id)


LOGIN_CHANGE_ACTIONS = ("account.email_changed", "account.email_change_requested", "account.email_change_cancelled")


def _former_logins(user: User) -> set[str]:
    """The addresses an account was known by besides its current login: both sides of its login
    changes (pending, confirmed or cancelled) and of the audit entries that recorded them. An
    address that is now another account's login or another person's directory address is theirs,
    not this person's, and is left out (erasing would otherwise wipe their login history)."""
    found = set()
    for old, new in PendingEmailChange.objects.filter(user=user).values_list("old_email", "new_email"):
        found |= {old, new}
    for details in AuditEntry.objects.filter(action__in=LOGIN_CHANGE_ACTIONS, target=f"user:{user.pk}").values_list(
            "details", flat=True):
        if isinstance(details, dict):
            found |= {value for key, value in details.items() if key in ("old", "new") and isinstance(value, str)}
    found = {address.strip().lower() for address in found if address and "@" in address}
    if not found:
        return found
    by_address = Q()
    for address in found:
        by_address |= Q(email__iexact=address)
    others = {address.lower() for address in User.objects.filter(by_address).exclude(pk=user.pk)
              .values_list("email", flat=True)}
    others |= {address.lower() for address in Employee.objects.filter(by_address).exclude(user=user)
               .values_list("email", flat=True)}
    return found - others


# --- The export ------------------------------------------------------------------------------

def _login_history(user: User) -> dict:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    def seen(row):
        return {"at": row.attempt_time.isoformat(), "ip_address": row.ip_address, "browser": row.user_agent}

    mine = Q(username__iexact=user.email)
    for address in _former_logins(user):  # the history under the addresses it was known by too
        mine |= Q(username__iexact=address)
    return {
        "logins": [{**seen(row), "logout": row.logout_time.isoformat() if row.logout_time else None}
                   for row in AccessLog.objects.filter(mine).order_by("attempt_time")],
        "failed_logins": [{**seen(row), "locked_out": row.locked_out}
                          for row in AccessFailureLog.objects.filter(mine).order_by("attempt_time")],
        "lockouts": [{**seen(row), "failures": row.failures_since_start}
                     for row in AccessAttempt.objects.filter(mine).order_by("attempt_time")],
    }


def _entries_about(employee: Employee | None, user: User | None):
    """Audit entries whose target is the person (their record, account, id or address)."""
    targets, q = set(), Q()
    if employee is not None:
        targets |= {f"employee:{employee.pk}", employee.employee_id}
        q |= Q(target__endswith=f"/{employee.employee_id}")
    if user is not None:
        targets |= {f"user:{user.pk}", user.email}
        for address in {user.email} | _former_logins(user):
            q |= Q(target__iexact=address)
    return AuditEntry.objects.filter(q | Q(target__in=targets)).order_by("at")


def _core_export(employee: Employee | None, user: User | None) -> dict:
    data = {}
    if user is not None:
        data["account"] = {"email": user.email, "first_name": user.first_name, "last_name": user.last_name,
                           "language": user.language, "time_zone": user.timezone, "coordinator": user.is_coordinator,
                           "hr_lead": user.is_hr_lead, "executive": user.is_executive, "joined": user.date_joined.isoformat(),
                           "last_login": user.last_login.isoformat() if user.last_login else None}
        data["emails_received"] = [{"kind": n.kind, "due": n.due_at.isoformat(), "status": n.status}
                                   for n in Notification.objects.filter(recipient=user).order_by("due_at")]
        data["emails_turned_off"] = sorted(NotificationPreference.objects.filter(user=user).values_list("kind", flat=True))
        data["actions_recorded"] = [{"at": a.at.isoformat(), "action": a.action, "target": a.target}
                                    for a in AuditEntry.objects.filter(actor=user).order_by("at")]
        data["login_history"] = _login_history(user)
    if employee is not None or user is not None:
        # Who acted is the organisation's (a coordinator, an administrator): the action, its time
        # and what it recorded are the person's.
        data["actions_about_me"] = [{"at": a.at.isoformat(), "action": a.action, "target": a.target, "details": a.details}
                                    for a in _entries_about(employee, user)]
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


# --- Erasure ---------------------------------------------------------------------------------

class ErasureRefused(ValueError):
    """The erasure is not for this actor to make; the message says why (nothing was erased)."""


@transaction.atomic
def person_erase(*, actor: User, employee: Employee) -> None:
    """Erase a person: names, e-mail, free texts and account go, everywhere (every column of
    ``FIELDS``, the stored imports, the login history, the admin log, the login sessions); once
    committed, the mail copies naming them are deleted and the cache is emptied. Their pairs,
    sessions and answers stay as unnamed counts, so every KPI keeps its value; audit entries stay,
    naming ``employee:<pk>``. The employee id is remembered as a keyed digest so that the next
    import does not bring the person back. Irreversible; audited without the erased name.
    Refused (``ErasureRefused``) for the actor's own record and for an administrator's account."""
    from mentorat.core.services import audit_log

    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    user = employee.user
    if user is not None and actor is not None and user.pk == actor.pk:
        raise ErasureRefused(_("You cannot erase yourself: ask another coordinator."))
    if user is not None and (user.is_superuser or user.is_staff):
        # Erasing would lock an administrator out: their rights are removed in the admin first.
        raise ErasureRefused(_("An administrator's account cannot be erased here: remove their administrator rights first."))
    ids = identifiers_of(employee, user)
    if ids.employee_id:
        ErasedEmployee.objects.get_or_create(digest=ErasedEmployee.digest_of(ids.employee_id))
    for eraser in ERASERS:
        eraser(employee, user)
    _erase_logins(ids, user)
    _erase_uploads(ids, replacement_id=f"ERASED-{employee.pk}")
    sweep(ids)
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
        PendingEmailChange.objects.filter(user=user).delete()
        user.email = f"erased-{user.pk}@invalid.example"
        user.first_name = user.last_name = ""
        user.is_active = False
        user.is_coordinator = user.is_hr_lead = user.is_executive = False
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
    audit_log(actor=actor, action="person.erase", target=f"employee:{employee.pk}")
    transaction.on_commit(lambda: _erase_outside_the_database(ids))


def _erase_logins(ids: Identifiers, user: User | None) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    by_address = Q()
    for address in ids.emails:
        by_address |= Q(username__iexact=address)
    if ids.emails:
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(by_address).delete()
    if user is not None:
        mine = [s.session_key for s in Session.objects.iterator(chunk_size=2000)
                if s.get_decoded().get("_auth_user_id") == str(user.pk)]
        Session.objects.filter(session_key__in=mine).delete()


def sweep(ids: Identifiers) -> int:
    """Replace the person's identifiers in every declared text or JSON column but those declared
    ``Personal(scrub=False)``: personal columns, and also the "not personal" ones, where a
    coordinator may still have typed a name (a milestone's title). Rows are found with a database
    pre-filter (``icontains``), then matched exactly. Returns the number of values changed."""
    from django.apps import apps

    terms = ids.terms()
    if not terms:
        return 0
    changed = 0
    for key, declaration in FIELDS.items():
        if isinstance(declaration, Personal) and not declaration.scrub:
            continue
        label, name = key.rsplit(".", 1)
        model = apps.get_model(label)
        column = model._meta.get_field(name)
        queryset = model._default_manager.all()
        if isinstance(column, models.JSONField):
            queryset = queryset.annotate(_as_text=Cast(name, models.TextField()))
            lookup, forms = "_as_text__icontains", {form for term in terms for form in (term, json.dumps(term)[1:-1])}
        elif isinstance(column, models.CharField | models.TextField):
            lookup, forms = f"{name}__icontains", set(terms)
        else:
            continue
        found = Q()
        for form in forms:
            found |= Q(**{lookup: form})
        for pk, value in queryset.filter(found).values_list("pk", name).iterator(chunk_size=500):
            new = ids.scrub_value(value) if isinstance(column, models.JSONField) else ids.scrub(value or "")
            if isinstance(new, str) and column.max_length:
                new = new[:column.max_length]
            if new != value:
                model._default_manager.filter(pk=pk).update(**{name: new})
                changed += 1
    return changed


def _erase_uploads(ids: Identifiers, *, replacement_id: str) -> None:
    for pk in DirectoryImport.objects.values_list("pk", flat=True).iterator():
        data = bytes(DirectoryImport.objects.values_list("content", flat=True).get(pk=pk) or b"")
        cleaned = clean_upload(data, ids, replacement_id=replacement_id)
        if cleaned != data:
            DirectoryImport.objects.filter(pk=pk).update(content=cleaned)


def clean_upload(data: bytes, ids: Identifiers, *, replacement_id: str) -> bytes:
    """An HRIS file without the person: their rows (by employee id or e-mail) removed, their id
    elsewhere (as someone's manager) replaced by ``replacement_id``, other rows untouched. A file
    that still names them afterwards, or that cannot be read, is emptied (``b""``)."""
    from mentorat.core.directory_file import is_xlsx

    if not data:
        return data
    try:
        cleaned = _clean_xlsx(data, ids, replacement_id) if is_xlsx(data) else _clean_csv(data, ids, replacement_id)
    except Exception:  # an unreadable file cannot be checked: it goes
        logger.warning("An import file could not be read during an erasure: emptied.")
        return b""
    return data if cleaned is None else cleaned


def _is_theirs(cells: list[str], positions: dict[str, int], ids: Identifiers) -> bool:
    def cell(name):
        index = positions.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    return bool(ids.employee_id and cell("employee_id") == ids.employee_id) or cell("email").lower() in ids.emails


def _still_named(cells: list[str], ids: Identifiers) -> bool:
    text = " ".join(cells)
    if ids.employee_id and any(cell.strip() == ids.employee_id for cell in cells):
        return True
    if ids.mentions(text):
        return True
    folded = {cell.strip().casefold() for cell in cells}
    return any(first.strip().casefold() in folded and last.strip().casefold() in folded
               for first, last in ids.names if first.strip() and last.strip())


def _positions(header: list) -> dict[str, int]:
    from mentorat.core.directory_file import HEADER_ALIASES, normalise_header

    positions = {}
    for index, title in enumerate(header):
        name = HEADER_ALIASES.get(normalise_header(str(title or "")))
        if name and name not in positions:
            positions[name] = index
    return positions


def _clean_csv(data: bytes, ids: Identifiers, replacement_id: str) -> bytes | None:
    bom = data.startswith(b"\xef\xbb\xbf")
    raw = data[3:] if bom else data
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252", errors="replace"), "cp1252"
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    pending: list[str] = []

    def lines():
        for line in io.StringIO(text, newline=""):
            pending.append(line)
            yield line

    out, positions, touched = [], None, False
    for cells in csv.reader(lines(), delimiter=delimiter):
        source = "".join(pending)
        pending.clear()
        if positions is None:
            positions = _positions(cells)
            out.append(source)
            continue
        if _is_theirs(cells, positions, ids):
            touched = True
            continue
        if ids.employee_id and any(cell.strip() == ids.employee_id for cell in cells):
            ending = source[len(source.rstrip("\r\n")):] or "\n"
            buffer = io.StringIO()
            csv.writer(buffer, delimiter=delimiter, lineterminator=ending).writerow(
                [replacement_id if cell.strip() == ids.employee_id else cell for cell in cells])
            source = buffer.getvalue()
            touched = True
        out.append(source)
    rest = "".join(out)
    if any(_still_named(cells, ids) for cells in csv.reader(io.StringIO(rest, newline=""), delimiter=delimiter)):
        return b""
    if not touched:
        return None
    return (b"\xef\xbb\xbf" if bom else b"") + rest.encode(encoding, errors="replace")


def _clean_xlsx(data: bytes, ids: Identifiers, replacement_id: str) -> bytes | None:
    from openpyxl import load_workbook

    from mentorat.core.directory_file import _cell_text

    workbook = load_workbook(io.BytesIO(data))
    touched = False
    for number, sheet in enumerate(workbook.worksheets):
        rows = list(sheet.iter_rows())
        positions = _positions([cell.value for cell in rows[0]]) if rows and number == 0 else {}
        for index in range(len(rows) - 1, 0 if number == 0 else -1, -1):
            values = [_cell_text(cell.value) for cell in rows[index]]
            if positions and _is_theirs(values, positions, ids):
                sheet.delete_rows(index + 1)
                touched = True
                continue
            for cell in rows[index]:
                if ids.employee_id and _cell_text(cell.value) == ids.employee_id:
                    cell.value = replacement_id
                    touched = True
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            if _still_named([_cell_text(value) for value in row], ids):
                return b""
    if not touched:
        return None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _erase_outside_the_database(ids: Identifiers) -> None:
    """After the commit: mail copies naming the person go, and the whole cache is emptied (cached
    values — pages, dashboards, forms — may hold the name; login sessions are read back from the
    database)."""
    from django.core.cache import cache

    delete_mail_copies(ids)
    cache.clear()


MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # what the file backend writes after each message


def delete_mail_copies(ids: Identifiers, folder: Path | str | None = None) -> int:
    """Delete the mail copies of the file e-mail backend (``EMAIL_FILE_PATH``) that name the
    person, in their headers or any part of their body (decoded). A file holds the messages of one
    connection: the others are kept, and a file left empty goes. Returns how many messages went."""
    folder = Path(folder or getattr(settings, "EMAIL_FILE_PATH", "") or "")
    if not str(folder) or not folder.is_dir():
        return 0
    deleted = 0
    for path in folder.iterdir():
        if not path.is_file():
            continue
        messages = [chunk for chunk in path.read_bytes().split(MAIL_SEPARATOR) if chunk.strip()]
        kept = [chunk for chunk in messages if not any(ids.mentions(text) for text in _mail_texts(chunk))]
        if len(kept) == len(messages):
            continue
        deleted += len(messages) - len(kept)
        if kept:
            path.write_bytes(b"".join(chunk + MAIL_SEPARATOR for chunk in kept))
        else:
            path.unlink(missing_ok=True)
    return deleted


def _mail_texts(data: bytes) -> Iterable[str]:
    """One message as text: raw, its decoded headers, and each decoded part."""
    raw = data.decode("utf-8", errors="replace")
    yield raw
    message = email.message_from_bytes(data, policy=email.policy.default)
    yield " ".join(str(value) for value in message.values())
    for part in message.walk():
        if part.is_multipart():
            continue
        try:
            content = part.get_content()
        except (LookupError, ValueError, KeyError):
            continue
        yield content if isinstance(content, str) else bytes(content).decode("utf-8", errors="replace")


# --- Retention -------------------------------------------------------------------------------

def retention_cutoff(now: datetime.datetime | None = None) -> datetime.date:
    now = now or timezone.now()
    months = settings.MENTORAT_RETENTION_MONTHS
    day = timezone.localdate(now)
    month_index = day.month - 1 - months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, 28))


def retention_purge(*, now: datetime.datetime | None = None) -> int:
    """Scheduled: the personal content of programmes that ended more than
    ``MENTORAT_RETENTION_MONTHS`` ago (24 by default) is removed; counts stay. The core's own
    records older than that go too: the stored HRIS files and the login history."""
    cutoff = retention_cutoff(now)
    return sum(purge(cutoff) for purge in [_core_purge, *RETENTION])


def _core_purge(cutoff: datetime.date) -> int:
    """HRIS uploads made before ``cutoff`` keep their counts, not the file nor any list (ids, names,
    errors naming lines);
    login attempts before ``cutoff`` are forgotten."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    since = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    old = DirectoryImport.objects.filter(created_at__lt=since)
    count = old.exclude(content=b"").update(content=b"")
    for pk, summary in old.values_list("pk", "summary").iterator():
        kept = DirectoryImport.counts_only(summary)
        if kept != summary:
            DirectoryImport.objects.filter(pk=pk).update(summary=kept)
            count += 1
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        count += model.objects.filter(attempt_time__lt=since).delete()[0]
    return count
