"""Reading an HRIS export (CSV or XLSX) into validated rows. Pure: bytes in, rows and errors out.

Line numbers are those a person sees in a spreadsheet: the header is line 1.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

FIELDS = [
    "employee_id", "first_name", "last_name", "email", "manager_id", "department", "site",
    "job_title", "job_level", "language", "hire_date", "leave_date",
]
REQUIRED = ["employee_id", "first_name", "last_name", "email"]

# Normalised header (lower case, no accents, non-alphanumerics as "_") → field.
HEADER_ALIASES = {
    **{name: name for name in FIELDS},
    "matricule": "employee_id", "id": "employee_id", "employee_number": "employee_id",
    "prenom": "first_name", "firstname": "first_name",
    "nom": "last_name", "lastname": "last_name", "nom_de_famille": "last_name",
    "courriel": "email", "e_mail": "email", "mail": "email", "adresse_e_mail": "email", "email_address": "email",
    "matricule_manager": "manager_id", "manager": "manager_id", "matricule_du_manager": "manager_id",
    "service": "department", "departement": "department", "direction": "department",
    "intitule_de_poste": "job_title", "poste": "job_title", "fonction": "job_title", "title": "job_title",
    "niveau": "job_level", "level": "job_level", "grade": "job_level",
    "langue": "language",
    "date_d_entree": "hire_date", "date_entree": "hire_date", "date_d_embauche": "hire_date",
    "date_de_sortie": "leave_date", "date_sortie": "leave_date",
}

LANGUAGE_ALIASES = {
    "fr": "fr", "fra": "fr", "fre": "fr", "francais": "fr", "french": "fr",
    "en": "en", "eng": "en", "anglais": "en", "english": "en",
    "de": "de", "allemand": "de", "german": "de", "deutsch": "de",
    "es": "es", "espagnol": "es", "spanish": "es", "espanol": "es",
    "it": "it", "italien": "it", "italian": "it", "italiano": "it",
    "pt": "pt", "portugais": "pt", "portuguese": "pt",
    "nl": "nl", "neerlandais": "nl", "dutch": "nl",
}

MAX_JOB_LEVEL = 99


def normalise_header(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


@dataclass
class Row:
    line: int
    employee_id: str
    first_name: str
    last_name: str
    email: str
    manager_id: str
    department: str
    site: str
    job_title: str
    job_level: int
    language: str
    hire_date: datetime.date | None
    leave_date: datetime.date | None
    present_columns: frozenset = field(default_factory=frozenset)
    has_errors: bool = False


@dataclass
class ParsedFile:
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: frozenset = field(default_factory=frozenset)


def _decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes):
    text = _decode_csv(data)
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for values in reader:
        yield reader.line_num, values


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        workbook.close()


def is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def parse_date(text: str) -> datetime.date:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY`` (also with ``-`` or ``.``); ValueError otherwise."""
    text = text.strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?", text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return datetime.date(year, month, day)
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return datetime.date(year, month, day)
    raise ValueError(text)


def parse_directory_file(data: bytes) -> ParsedFile:
    """Parse and check each row on its own (cross-row and database checks are the service's).

    Unknown columns are ignored with a warning; a missing required column is one error on line 1
    and no rows. A row with errors is still returned, flagged ``has_errors``, with its readable
    values, so that the cross-row checks can report every problem of the file at once.
    """
    result = ParsedFile()
    if not data.strip():
        result.errors.append(_("line 1: the file is empty."))
        return result
    try:
        raw_rows = list(_xlsx_rows(data) if is_xlsx(data) else _csv_rows(data))
    except Exception as exc:  # a corrupt XLSX or unreadable CSV: say so rather than crash
        result.errors.append(_("line 1: the file cannot be read (%(error)s).") % {"error": exc})
        return result
    if not raw_rows:
        result.errors.append(_("line 1: the file is empty."))
        return result

    header_line, header = raw_rows[0]
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        key = normalise_header(_cell_text(title))
        if not key:
            continue
        field_name = HEADER_ALIASES.get(key)
        if field_name is None:
            result.warnings.append(_("line 1: column “%(title)s” is not used.") % {"title": _cell_text(title)})
            continue
        if field_name in positions:
            result.errors.append(
                _("line 1: columns “%(first)s” and “%(second)s” both give %(field)s.")
                % {"first": _cell_text(header[positions[field_name]]), "second": _cell_text(title), "field": field_name}
            )
            continue
        positions[field_name] = index
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        result.errors.append(_("line 1: missing required column(s): %(columns)s.") % {"columns": ", ".join(missing)})
    if result.errors:
        return result
    result.columns = frozenset(positions)

    for line, values in raw_rows[1:]:
        cells = {name: (_cell_text(values[index]) if index < len(values) else "") for name, index in positions.items()}
        if not any(cells.values()):
            continue
        errors_before = len(result.errors)

        def error(message, line=line):
            result.errors.append(_("line %(line)s: %(message)s") % {"line": line, "message": message})

        for name in REQUIRED:
            if not cells[name]:
                error(_("%(field)s is empty.") % {"field": name})
        email = cells["email"].lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                error(_("“%(email)s” is not a valid e-mail address.") % {"email": cells["email"]})
        level = 0
        if cells.get("job_level"):
            try:
                level = int(cells["job_level"])
                if not 0 <= level <= MAX_JOB_LEVEL:
                    raise ValueError
            except ValueError:
                error(_("job level “%(value)s” is not a whole number between 0 and %(max)s.")
                      % {"value": cells["job_level"], "max": MAX_JOB_LEVEL})
        language = "fr"
        if cells.get("language"):
            language = LANGUAGE_ALIASES.get(normalise_header(cells["language"]))
            if language is None:
                error(_("language “%(value)s” is not known (use fr, en, …).") % {"value": cells["language"]})
        dates = {}
        for name in ("hire_date", "leave_date"):
            dates[name] = None
            if cells.get(name):
                try:
                    dates[name] = parse_date(cells[name])
                except ValueError:
                    error(_("%(field)s “%(value)s” is not a date (YYYY-MM-DD or DD/MM/YYYY).")
                          % {"field": name, "value": cells[name]})
        if dates["hire_date"] and dates["leave_date"] and dates["leave_date"] < dates["hire_date"]:
            error(_("leave date %(leave)s is before hire date %(hire)s.")
                  % {"leave": dates["leave_date"], "hire": dates["hire_date"]})
        for name, limit in (("employee_id", 64), ("first_name", 150), ("last_name", 150), ("department", 200),
                            ("site", 200), ("job_title", 200), ("manager_id", 64)):
            if len(cells.get(name, "")) > limit:
                error(_("%(field)s is longer than %(limit)s characters.") % {"field": name, "limit": limit})
        # Rows with errors are kept (flagged) so cross-row checks can still report on the file.
        result.rows.append(Row(
            line=line,
            employee_id=cells["employee_id"],
            first_name=cells["first_name"],
            last_name=cells["last_name"],
            email=email,
            manager_id=cells.get("manager_id", ""),
            department=cells.get("department", ""),
            site=cells.get("site", ""),
            job_title=cells.get("job_title", ""),
            job_level=level,
            language=language or "fr",
            hire_date=dates["hire_date"],
            leave_date=dates["leave_date"],
            present_columns=result.columns,
            has_errors=len(result.errors) > errors_before,
        ))
    if not result.rows:
        result.errors.append(_("line 2: the file has a header but no employee."))
    return result
