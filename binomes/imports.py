"""Pairs decided elsewhere (a spreadsheet, an HR tool), imported as locked drafts, all or nothing.
Each pair goes through ``pair_manual``, so every pairing rule applies as for a pair made by hand.
And the pairs written out (``export_rows``: the board's CSV export and the API's)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from binomes import matching, services
from binomes.models import Pair
from mentorat.core.csv import read_rows, unescape_cell
from mentorat.core.directory_file import normalise_header
from mentorat.core.services import audit_log
from programmes.models import Application, Programme

# The columns read: the employee ids of the mentor and of the mentee. The board's export names
# them ``mentor_employee_id`` and ``mentee_employee_id``: an exported file imports back.
HEADER_ALIASES = {"mentor": "mentor", "mentor_employee_id": "mentor", "mentee": "mentee", "mentee_employee_id": "mentee"}


@dataclass
class PairLine:
    """One line of a pairs file as the preview shows it: the pair it makes, or why it cannot."""

    line: int
    mentor_id: str
    mentee_id: str
    mentor: Application | None = None
    mentee: Application | None = None
    score: float | None = None
    column: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def message(self) -> str:
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.error}


def read_pairs_csv(data: bytes) -> tuple[list[tuple[int, str, str]], list[str]]:
    """The ``(line, mentor employee id, mentee employee id)`` rows of a CSV file (``,`` or ``;``,
    UTF-8 with or without BOM, else Windows-1252), or ``line N`` errors: an unreadable line, a
    missing column. Empty lines are skipped; line 1 is the header."""
    rows, error = read_rows(data)
    if error:
        return [], [error]
    if not rows:
        return [], [_("line 1: the file is empty.")]
    header = [HEADER_ALIASES.get(normalise_header(cell), "") for cell in rows[0]]
    missing = [name for name in ("mentor", "mentee") if name not in header]
    if missing:
        return [], [_("line 1: missing required column(s): %(columns)s.") % {"columns": ", ".join(missing)}]
    at = {name: header.index(name) for name in ("mentor", "mentee")}
    result = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(value.strip() for value in values):
            continue
        cells = [unescape_cell(values[at[name]].strip()) if at[name] < len(values) else "" for name in ("mentor", "mentee")]
        result.append((number, *cells))
    return result, []


def pairs_plan(*, actor, programme: Programme, rows: list[tuple[int, str, str]]) -> list[PairLine]:
    """What importing ``rows`` would do, line by line, written nowhere: each pair is made through
    ``pair_manual`` (every rule, in the file's order: a mentee twice is refused the second time)
    inside a transaction rolled back at the end. A line refused names the column or the rule."""
    apps = {(a.employee.employee_id, a.role): a for a in Application.objects.filter(programme=programme).select_related("employee")}
    if programme.status not in (Programme.Status.PAIRING, Programme.Status.RUNNING):
        return [PairLine(1, "", "", error=_("Pairs are formed once enrolment is closed (status “pairing”) or while "
                                            "the programme runs."))]
    lines = []
    with transaction.atomic():
        for number, mentor_id, mentee_id in rows:
            mentor_id, mentee_id = (mentor_id or "").strip(), (mentee_id or "").strip()
            line = PairLine(number, mentor_id, mentee_id, apps.get((mentor_id, "mentor")), apps.get((mentee_id, "mentee")))
            lines.append(line)
            for column, value, found in (("mentor", mentor_id, line.mentor), ("mentee", mentee_id, line.mentee)):
                if found is None and not line.error:
                    line.column = column
                    line.error = (_("%(column)s is empty.") % {"column": column} if not value else
                                  _("%(id)s has no approved application as %(role)s in this programme.")
                                  % {"id": value, "role": _("mentor") if column == "mentor" else _("mentee")})
            if line.error:
                continue
            try:
                pair = services.pair_manual(actor=actor, programme=programme, mentor=line.mentor, mentee=line.mentee,
                                            source=Pair.Source.IMPORT, refresh=False)
            except services.PairingError as exc:
                line.error = exc.message
            else:
                line.score = float(pair.score)
        transaction.set_rollback(True)
    return lines


def pairs_import(*, actor, programme: Programme, rows: list[tuple[int, str, str]], dry_run: bool) -> tuple[int, list[str]]:
    """``rows`` are ``(line, mentor employee id, mentee employee id)``; returns (count, errors),
    each error ``line N: …``. With any error, or on a dry run, nothing is written. Applied, the
    board's explanations of the unpaired are recomputed once and the import is audited."""
    lines = pairs_plan(actor=actor, programme=programme, rows=rows)
    errors = [line.message() for line in lines if not line.ok]
    if errors or dry_run:
        return (0 if errors else len(lines)), errors
    try:
        with transaction.atomic():
            for line in lines:
                services.pair_manual(actor=actor, programme=programme, mentor=line.mentor, mentee=line.mentee,
                                     source=Pair.Source.IMPORT, refresh=False)
            services.unpaired_refresh(programme=programme, actor=actor)
            audit_log(actor=actor, action="pairing.import", target=programme.slug, details={"pairs": len(lines)})
    except services.PairingError as exc:  # the cohort changed between the check and the write
        return 0, [_("line 1: %(message)s") % {"message": exc.message}]
    return len(lines), []


def export_rows(pairs) -> list[list]:
    """The pairs as the CSV export writes them, header first: both members' employee ids and names,
    status, source, score and the score of each criterion."""
    header = ["mentor_employee_id", "mentor_name", "mentee_employee_id", "mentee_name", "status", "source", "score",
              *matching.CRITERIA]
    return [header] + [[pair.mentor.employee.employee_id, pair.mentor.employee.full_name, pair.mentee.employee.employee_id,
                        pair.mentee.employee.full_name, pair.status, pair.source, pair.score,
                        *[pair.breakdown.get(c, "") for c in matching.CRITERIA]] for pair in pairs]
