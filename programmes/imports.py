"""Applications collected elsewhere (a form tool, a spreadsheet), imported all or nothing: by the
command, the API and the browser (upload, preview line by line, confirm). The signed upload token
and the upload form serve the pairs import of the pairing board too."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from django import forms
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorat.core.csv import read_rows
from mentorat.core.directory_file import normalise_header, unsafe_character
from mentorat.core.models import Employee
from mentorat.core.services import audit_log
from programmes.models import SLOTS, Application, Programme, Role
from programmes.services import ApplicationData, ProgrammeError, application_submit, eligibility_errors

COLUMNS = ["employee_id", "role", "domains", "languages", "format", "availability", "capacity", "motivation"]
REQUIRED = ["employee_id", "role", "domains"]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", "|").split("|") if part.strip()]


@dataclass
class ApplicationLine:
    """One line of an applications file as the preview shows it: who applies as what, or why not
    (each error with the column it is about)."""

    line: int
    employee_id: str
    employee: Employee | None = None
    role: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ApplicationsPlan:
    """What an applications file would do: its lines, and every error as ``line N: …``."""

    lines: list[ApplicationLine]
    errors: list[str]
    data: list[tuple[Employee, str, ApplicationData]] = field(default_factory=list)


def applications_plan(*, programme: Programme, data: bytes) -> ApplicationsPlan:
    """Read and check an applications file, writing nothing: each line with the application it
    would create or its errors (``line N``, the column named)."""
    rows, error = read_rows(data)
    if error:
        return ApplicationsPlan([], [error])
    errors: list[str] = []
    lines: list[ApplicationLine] = []
    plan = []

    def error(line, message, column=""):
        errors.append(_("line %(line)s: %(message)s") % {"line": line, "message": message})
        if lines and lines[-1].line == line:
            lines[-1].errors.append((column, message))

    if not rows:
        return ApplicationsPlan([], [_("line 1: the file is empty.")])
    header = [normalise_header(h) for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return ApplicationsPlan([], [_("line 1: missing required column(s): %(columns)s.") % {"columns": ", ".join(missing)}])
    offered = set(programme.domains.offered().values_list("slug", flat=True))  # retired: no new application
    ids = [row[header.index("employee_id")].strip() for row in rows[1:] if len(row) > header.index("employee_id")]
    employees = Employee.objects.select_related("manager").in_bulk(ids, field_name="employee_id")
    taken = set(
        Application.objects.filter(programme=programme).exclude(status=Application.Status.WITHDRAWN)
        .values_list("employee__employee_id", flat=True)
    )
    seen: dict[str, int] = {}
    for number, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        cells = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}
        eid = cells.get("employee_id", "")
        employee = employees.get(eid)
        role = cells.get("role", "").lower()
        lines.append(ApplicationLine(number, eid, employee, role if role in Role.values else ""))
        before = len(errors)
        for name, value in cells.items():
            char = unsafe_character(value)
            if char:
                error(number, _("%(field)s contains an invisible, direction or control character (%(char)s); remove it.")
                      % {"field": name, "char": char}, name)
        if not eid:
            error(number, _("employee_id is empty."), "employee_id")
        elif employee is None:
            error(number, _("employee id %(id)s is not in the directory.") % {"id": eid}, "employee_id")
        elif eid in seen:
            error(number, _("employee id %(id)s already appears on line %(first)s.") % {"id": eid, "first": seen[eid]},
                  "employee_id")
        elif eid in taken:
            error(number, _("%(id)s already has an application in this programme.") % {"id": eid}, "employee_id")
        seen.setdefault(eid, number)
        if role not in Role.values:
            error(number, _("role “%(value)s” must be mentor or mentee.") % {"value": cells.get("role", "")}, "role")
        domains = {}
        for item in _split(cells.get("domains", "")):
            slug, _sep, level = item.partition(":")
            if slug not in offered:
                error(number, _("domain “%(slug)s” is not offered by this programme.") % {"slug": slug}, "domains")
            elif level not in ("1", "2", "3"):
                error(number, _("domain “%(slug)s” needs a level from 1 to 3 (slug:level).") % {"slug": slug}, "domains")
            else:
                domains[slug] = int(level)
        if not domains and len(errors) == before:
            error(number, _("no domain given."), "domains")
        languages = _split(cells.get("languages", "")) or ["fr"]
        fmt = cells.get("format", "") or "either"
        if fmt not in Application.Format.values:
            error(number, _("format “%(value)s” must be onsite, remote or either.") % {"value": fmt}, "format")
        availability = _split(cells.get("availability", ""))
        bad = [slot for slot in availability if slot not in SLOTS]
        if bad or not availability:
            error(number, _("availability “%(value)s”: use slots like mon-am|tue-pm.") % {"value": cells.get("availability", "")},
                  "availability")
        capacity = 1
        if cells.get("capacity"):
            if cells["capacity"] not in ("1", "2"):
                error(number, _("capacity “%(value)s” must be 1 or 2.") % {"value": cells["capacity"]}, "capacity")
            else:
                capacity = int(cells["capacity"])
        if employee is not None and role in Role.values:
            for reason in eligibility_errors(programme=programme, employee=employee, role=role):
                error(number, reason, "role")
        if len(errors) == before:
            plan.append((employee, role, ApplicationData(
                domains=domains, availability=availability, format=fmt, languages=languages, capacity=capacity,
                motivation=cells.get("motivation", "") if role == Role.MENTOR else "",
                desired_outcome=cells.get("motivation", "") if role == Role.MENTEE else "",
            )))
    return ApplicationsPlan(lines, errors, plan)


def applications_import(*, programme: Programme, data: bytes, dry_run: bool, actor=None) -> tuple[int, list[str]]:
    """Import approved applications; returns (count, errors). With any error nothing is written.
    Applied, the import is audited (who, how many, which employee ids)."""
    plan = applications_plan(programme=programme, data=data)
    if plan.errors or dry_run:
        return len(plan.data), plan.errors
    try:
        with transaction.atomic():
            for employee, role, application_data in plan.data:
                application_submit(
                    employee=employee, programme=programme, role=role, data=application_data, charter_accepted=True,
                    source=Application.Source.IMPORT, status=Application.Status.APPROVED, actor=actor,
                )
            audit_log(actor=actor, action="applications.import", target=programme.slug,
                      details={"applications": len(plan.data), "employees": [e.employee_id for e, _r, _d in plan.data]})
    except ProgrammeError as exc:
        return 0, [_("line 1: %(message)s; nothing was written.") % {"message": exc.message}]
    return len(plan.data), []


# --- The browser's upload → preview → confirm ----------------------------------------------------

MAX_UPLOAD_BYTES = 1024 * 1024


class ImportUploadForm(forms.Form):
    """A CSV file to preview before anything is written (applications, pairs)."""

    file = forms.FileField(label=gettext_lazy("CSV file"), help_text=gettext_lazy("“,” or “;” separated, UTF-8, first line the column names."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext_lazy("The file is larger than 1 MB: split it."))
        return upload


def upload_token(data: bytes, *, purpose: str, user, programme: Programme) -> str:
    """The previewed file, signed for this user, programme and kind of import: the confirmation
    applies exactly what was previewed (checked again), and nothing from another form."""
    return signing.dumps(base64.b64encode(data).decode("ascii"), salt=f"{purpose}:{user.pk}:{programme.pk}", compress=True)


def upload_from_token(token: str, *, purpose: str, user, programme: Programme, max_age: int = 3600) -> bytes | None:
    """The file ``upload_token`` signed, or None when the token is forged, for someone else or older than an hour."""
    try:
        return base64.b64decode(signing.loads(token, salt=f"{purpose}:{user.pk}:{programme.pk}", max_age=max_age))
    except (signing.BadSignature, ValueError, TypeError):
        return None
