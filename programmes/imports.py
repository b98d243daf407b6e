"""Applications collected elsewhere (a form tool, a spreadsheet), imported all or nothing."""

from __future__ import annotations

import csv
import io

from django.db import transaction
from django.utils.translation import gettext as _

from mentorat.core.directory_file import normalise_header, unsafe_character
from mentorat.core.models import Employee
from programmes.models import SLOTS, Application, Programme, Role
from programmes.services import ApplicationData, ProgrammeError, application_submit, eligibility_errors

COLUMNS = ["employee_id", "role", "domains", "languages", "format", "availability", "capacity", "motivation"]
REQUIRED = ["employee_id", "role", "domains"]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", "|").split("|") if part.strip()]


def applications_import(*, programme: Programme, data: bytes, dry_run: bool, actor=None) -> tuple[int, list[str]]:
    """Import approved applications; returns (count, errors). With any error nothing is written."""
    text = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = text.decode("utf-8")
    except UnicodeDecodeError:
        text = text.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ",")
    rows = list(reader)
    errors: list[str] = []

    def error(line, message):
        errors.append(_("line %(line)s: %(message)s") % {"line": line, "message": message})

    if not rows:
        return 0, [_("line 1: the file is empty.")]
    header = [normalise_header(h) for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return 0, [_("line 1: missing required column(s): %(columns)s.") % {"columns": ", ".join(missing)}]
    offered = set(programme.domains.offered().values_list("slug", flat=True))  # retired: no new application
    ids = [row[header.index("employee_id")].strip() for row in rows[1:] if len(row) > header.index("employee_id")]
    employees = Employee.objects.select_related("manager").in_bulk(ids, field_name="employee_id")
    taken = set(
        Application.objects.filter(programme=programme).exclude(status=Application.Status.WITHDRAWN)
        .values_list("employee__employee_id", flat=True)
    )
    seen: dict[str, int] = {}
    plan = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        cells = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}
        before = len(errors)
        for name, value in cells.items():
            char = unsafe_character(value)
            if char:
                error(number, _("%(field)s contains an invisible, direction or control character (%(char)s); remove it.")
                      % {"field": name, "char": char})
        eid = cells.get("employee_id", "")
        employee = employees.get(eid)
        if not eid:
            error(number, _("employee_id is empty."))
        elif employee is None:
            error(number, _("employee id %(id)s is not in the directory.") % {"id": eid})
        elif eid in seen:
            error(number, _("employee id %(id)s already appears on line %(first)s.") % {"id": eid, "first": seen[eid]})
        elif eid in taken:
            error(number, _("%(id)s already has an application in this programme.") % {"id": eid})
        seen.setdefault(eid, number)
        role = cells.get("role", "").lower()
        if role not in Role.values:
            error(number, _("role “%(value)s” must be mentor or mentee.") % {"value": cells.get("role", "")})
        domains = {}
        for item in _split(cells.get("domains", "")):
            slug, _sep, level = item.partition(":")
            if slug not in offered:
                error(number, _("domain “%(slug)s” is not offered by this programme.") % {"slug": slug})
            elif level not in ("1", "2", "3"):
                error(number, _("domain “%(slug)s” needs a level from 1 to 3 (slug:level).") % {"slug": slug})
            else:
                domains[slug] = int(level)
        if not domains and len(errors) == before:
            error(number, _("no domain given."))
        languages = _split(cells.get("languages", "")) or ["fr"]
        fmt = cells.get("format", "") or "either"
        if fmt not in Application.Format.values:
            error(number, _("format “%(value)s” must be onsite, remote or either.") % {"value": fmt})
        availability = _split(cells.get("availability", ""))
        bad = [slot for slot in availability if slot not in SLOTS]
        if bad or not availability:
            error(number, _("availability “%(value)s”: use slots like mon-am|tue-pm.") % {"value": cells.get("availability", "")})
        capacity = 1
        if cells.get("capacity"):
            if cells["capacity"] not in ("1", "2"):
                error(number, _("capacity “%(value)s” must be 1 or 2.") % {"value": cells["capacity"]})
            else:
                capacity = int(cells["capacity"])
        if employee is not None and role in Role.values:
            for reason in eligibility_errors(programme=programme, employee=employee, role=role):
                error(number, reason)
        if len(errors) == before:
            plan.append((employee, role, ApplicationData(
                domains=domains, availability=availability, format=fmt, languages=languages, capacity=capacity,
                motivation=cells.get("motivation", "") if role == Role.MENTOR else "",
                desired_outcome=cells.get("motivation", "") if role == Role.MENTEE else "",
            )))
    if errors or dry_run:
        return len(plan), errors
    try:
        with transaction.atomic():
            for employee, role, application_data in plan:
                application_submit(
                    employee=employee, programme=programme, role=role, data=application_data, charter_accepted=True,
                    source=Application.Source.IMPORT, status=Application.Status.APPROVED, actor=actor,
                )
    except ProgrammeError as exc:
        return 0, [_("line 1: %(message)s; nothing was written.") % {"message": exc.message}]
    return len(plan), []
