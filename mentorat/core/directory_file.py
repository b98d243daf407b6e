"""Reading an HRIS export (CSV or XLSX) into validated rows. Pure: bytes in, rows and errors out.

Line numbers are those a person sees in a spreadsheet: the header is line 1.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import time
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from mentorat.core.csv import unescape_cell

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
MAX_COLUMNS = 1000

# Characters that change how a text is displayed without being seen: direction controls (a
# right-to-left override turns "gro.evil@anne" into "anne@live.org" on screen) and zero-width
# characters (two different addresses that look the same).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# Characters a reader takes for one another in a domain name (after lower-casing).
CONFUSABLE_SEQUENCES = [("rn", "m"), ("vv", "w"), ("cl", "d")]
CONFUSABLE_CHARACTERS = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "3": "e", "4": "a", "8": "b"})


class FileTooLarge(ValueError):
    """The file goes over one of the import's limits; the message says which (``line 1: …``)."""


def unsafe_character(text: str) -> str | None:
    """The first invisible, direction or control character of ``text`` as ``U+XXXX``, or None.

    Refused: bidi controls, zero-width characters (U+FEFF included, wherever it is), and every
    other control, format, surrogate or private-use character (tabs and line breaks too)."""
    for char in text or "":
        if char in BIDI_CONTROLS or char in ZERO_WIDTH or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co"):
            return f"U+{ord(char):04X}"
    return None


def email_domain_problem(email: str) -> str | None:
    """Why an address may not be used as a login, or None: only plain ASCII addresses, no
    internationalised (punycode ``xn--``) domain, whose letters can imitate another's."""
    if not email.isascii():
        return _("“%(email)s” has non-ASCII characters; only plain ASCII addresses are accepted.") % {"email": email}
    domain = email.rpartition("@")[2]
    if any(label.startswith("xn--") for label in domain.split(".")):
        return _("“%(email)s” has an internationalised (xn--) domain; it is refused because it can imitate another domain.") % {
            "email": email}
    return None


def company_domain(emails: Iterable[str]) -> str | None:
    """The most common domain of the addresses (ties: alphabetical), or None without any."""
    counts = Counter(email.rpartition("@")[2].lower() for email in emails if "@" in email)
    if not counts:
        return None
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


def _skeleton(domain: str) -> str:
    domain = domain.lower()
    for sequence, replacement in CONFUSABLE_SEQUENCES:
        domain = domain.replace(sequence, replacement)
    return domain.translate(CONFUSABLE_CHARACTERS)


def _within_one_edit(a: str, b: str) -> bool:
    """True when one insertion, deletion, substitution or swap of neighbours turns a into b."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) <= 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                   and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


def is_lookalike_domain(domain: str, main: str) -> bool:
    """True when ``domain`` is not ``main`` but reads like it: one edit away (``acrne``, ``acme.co``,
    ``amce``) or the same once confusable characters are folded (``0``/``o``, ``1``/``l``, ``rn``/``m``)."""
    domain, main = domain.lower(), main.lower()
    if domain == main:
        return False
    return _within_one_edit(domain, main) or _skeleton(domain) == _skeleton(main)


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


def check_archive(data: bytes, *, max_uncompressed: int | None, max_ratio: int | None) -> None:
    """Refuse a zip (XLSX) that would inflate beyond ``max_uncompressed`` bytes in all, or one of
    whose members is compressed more than ``max_ratio`` times (a decompression bomb), before
    anything inflates it. The declared sizes are enough: ``zipfile`` never returns more bytes
    of a member than its declared size (a member that lies is cut there, then fails its CRC)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
    if len(members) > 10_000:
        raise FileTooLarge(_("line 1: the XLSX file holds %(count)s parts; it is not a plain spreadsheet.") % {"count": len(members)})
    declared = sum(member.file_size for member in members)
    if max_uncompressed is not None and declared > max_uncompressed:
        raise FileTooLarge(
            _("line 1: the XLSX file would take %(size)s MB uncompressed, more than the %(max)s MB allowed "
              "(MENTORAT_IMPORT_MAX_UNCOMPRESSED_BYTES).")
            % {"size": declared // (1024 * 1024), "max": max_uncompressed // (1024 * 1024)})
    if max_ratio is not None:
        for member in members:
            if member.file_size > 1024 * 1024 and member.file_size > max_ratio * max(member.compress_size, 1):
                raise FileTooLarge(
                    _("line 1: a part of the XLSX file is compressed more than %(ratio)s times (%(size)s MB uncompressed): "
                      "it is refused as a decompression bomb (MENTORAT_IMPORT_MAX_RATIO).")
                    % {"ratio": max_ratio, "size": member.file_size // (1024 * 1024)})


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
    # Our exports quote a text that a spreadsheet would run as a formula (mentorat.core.csv): a job
    # title "+33 standard" comes back as "'+33 standard", and is read as written.
    return unescape_cell(str(value).strip())


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


def parse_directory_file(
    data: bytes, *, max_rows: int | None = None, max_uncompressed: int | None = None, max_ratio: int | None = None,
    max_seconds: float | None = None,
) -> ParsedFile:
    """Parse and check each row on its own (cross-row and database checks are the service's).

    Unknown columns are ignored with a warning; a missing required column is one error on line 1
    and no rows. A row with errors is still returned, flagged ``has_errors``, with its readable
    values, so that the cross-row checks can report every problem of the file at once.

    Rows are read as a stream. A file over a limit — more than ``max_rows`` employee lines, an
    XLSX over ``max_uncompressed`` bytes or ``max_ratio`` compression, or a read longer than
    ``max_seconds`` — gives one ``line N: …`` error and no rows.
    """
    result = ParsedFile()
    if not data.strip():
        result.errors.append(_("line 1: the file is empty."))
        return result
    started = time.monotonic()
    try:
        if is_xlsx(data):
            check_archive(data, max_uncompressed=max_uncompressed, max_ratio=max_ratio)
            raw_rows = _xlsx_rows(data)
        else:
            raw_rows = _csv_rows(data)
        first = next(raw_rows, None)
    except FileTooLarge as exc:
        result.errors.append(str(exc))
        return result
    except Exception as exc:  # a corrupt XLSX or unreadable CSV: say so rather than crash
        result.errors.append(_("line 1: the file cannot be read (%(error)s).") % {"error": exc})
        return result
    if first is None:
        result.errors.append(_("line 1: the file is empty."))
        return result
    try:
        return _parse_rows(result, first, raw_rows, max_rows=max_rows, started=started, max_seconds=max_seconds)
    except FileTooLarge as exc:
        return ParsedFile(errors=[str(exc)])
    except Exception as exc:
        return ParsedFile(errors=[_("line 1: the file cannot be read (%(error)s).") % {"error": exc}])
    finally:
        close = getattr(raw_rows, "close", None)
        if close is not None:
            close()


def _parse_rows(result: ParsedFile, first, raw_rows, *, max_rows, started, max_seconds) -> ParsedFile:
    _header_line, header = first
    if sum(1 for title in header if _cell_text(title)) > MAX_COLUMNS:
        raise FileTooLarge(_("line 1: the header has more than %(max)s columns; it is not an HRIS export.") % {"max": MAX_COLUMNS})
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

    count = employees = 0
    for line, values in raw_rows:
        if max_seconds is not None and count % 500 == 0 and time.monotonic() - started >= max_seconds:
            raise FileTooLarge(_("line %(line)s: reading the file took too long (more than %(seconds)s seconds, "
                                 "MENTORAT_IMPORT_MAX_SECONDS); nothing was written.") % {"line": line, "seconds": max_seconds})
        count += 1
        cells = {name: (_cell_text(values[index]) if index < len(values) else "") for name, index in positions.items()}
        if not any(cells.values()):
            continue  # blank lines (a sheet formatted far down) are not employees; the time limit bounds them
        employees += 1
        if max_rows is not None and employees > max_rows:
            raise FileTooLarge(_("line %(line)s: the file has more than %(max)s employee lines (the limit is "
                                 "MENTORAT_IMPORT_MAX_ROWS).") % {"line": line, "max": max_rows})
        errors_before = len(result.errors)

        def error(message, line=line):
            result.errors.append(_("line %(line)s: %(message)s") % {"line": line, "message": message})

        for name in REQUIRED:
            if not cells[name]:
                error(_("%(field)s is empty.") % {"field": name})
        for name, value in cells.items():
            char = unsafe_character(value)
            if char:
                error(_("%(field)s contains an invisible, direction or control character (%(char)s); remove it.")
                      % {"field": name, "char": char})
                cells[name] = "".join(c for c in value if not unsafe_character(c))
        email = cells["email"].lower()
        if email:
            problem = email_domain_problem(email)
            if problem:
                error(problem)
            else:
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


def export_row(employee) -> list:
    """One employee as the import reads it back, in ``FIELDS`` order (the manager by employee id,
    department and site by name, dates ISO): what ``export_people`` and the directory's CSV
    export write. The employee comes with its manager, department and site selected."""
    return [
        employee.employee_id, employee.first_name, employee.last_name, employee.email,
        employee.manager.employee_id if employee.manager else "",
        employee.department.name if employee.department else "", employee.site.name if employee.site else "",
        employee.job_title, employee.job_level, employee.language,
        employee.hire_date.isoformat() if employee.hire_date else "",
        employee.leave_date.isoformat() if employee.leave_date else "",
    ]
