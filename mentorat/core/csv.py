"""The one CSV writer of every export: ``;`` between cells and a UTF-8 byte order mark (French
Excel is the reader), and no cell that a spreadsheet would run as a formula.

OWASP's rule for CSV injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with a single quote, which spreadsheets show as text. Numbers are
written as numbers (``-2`` stays a number). ``unescape_cell`` undoes the prefix, so that a file
written here reads back unchanged through the directory import (a job title ``+33 standard``
survives the round trip).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _

DELIMITER = ";"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value) -> object:
    """``value`` as written: None is empty, a text that could start a formula gets a quote."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    # Quotes already leading a formula get one more, so that reading back removes only ours.
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def unescape_cell(text: str) -> str:
    """The reverse of ``escape_cell`` for a text read back: the quote goes only where
    ``escape_cell`` put it (before a formula character)."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text


class Writer:
    """``csv.writer`` with our dialect and escaping; ``writerow`` takes any values."""

    def __init__(self, stream, *, bom: bool = True):
        if bom:
            stream.write(BOM)
        self._writer = csv.writer(stream, delimiter=DELIMITER, lineterminator="\r\n")

    def writerow(self, values: Iterable) -> None:
        self._writer.writerow([escape_cell(value) for value in values])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def read_rows(data: bytes) -> tuple[list[list[str]], str | None]:
    """The rows of an uploaded CSV file (``,`` or ``;``, UTF-8 with or without BOM, else
    Windows-1252), or the ``line N`` error that stopped the reading (a NUL byte, an unterminated
    quote)."""
    text = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = text.decode("utf-8")
    except UnicodeDecodeError:
        text = text.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ",")
    try:
        return list(reader), None
    except csv.Error as exc:
        return [], _("line %(line)s: %(error)s") % {"line": reader.line_num, "error": exc}


def csv_response(filename: str) -> tuple[HttpResponse, Writer]:
    """An attachment response named ``filename`` and the writer that fills it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, Writer(response)
