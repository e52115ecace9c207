"""Reading a response matrix from CSV: one row per examinee, one column per item.

A cell holds the examinee's credit for the item, 0…1 (0/1 for right/wrong); an empty cell means the item was not
presented to that examinee. An optional column named ``count`` says how many examinees answered exactly so
(an empty count is 1). The delimiter is a comma or a semicolon, whichever the header has more of; in a semicolon file a
decimal comma is accepted ("0,5"). The text is UTF-8, with or without a byte order mark. Blank lines are skipped.

Anything else raises ResponseFileError with a code, and the row and column where the problem is (both 1-based as
a spreadsheet shows them; the header is row 1).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _

from saylau.core.errors import DomainError

COUNT_COLUMN = "count"

MESSAGES = {
    "unreadable": _("The file is not UTF-8 CSV text."),
    "empty": _("The file has no header row or no responses."),
    "bad_header": _("Each column needs a unique, non-empty name."),
    "extra_cell": _("The row has more cells than the header."),
    "bad_cell": _("A cell must be empty or a number from 0 to 1."),
    "bad_count": _("A count must be a whole number of at least 1."),
}


class ResponseFileError(DomainError):
    """A response file that cannot be read. Codes: unreadable, empty, bad_header, extra_cell, bad_cell, bad_count.
    ``row`` and ``column`` are 1-based (the header is row 1), None when they do not apply; ``value`` is the
    offending cell's text."""

    def __init__(self, code: str, *, row: int | None = None, column: int | None = None, value: str | None = None):
        self.row = row
        self.column = column
        self.value = value
        super().__init__(code, MESSAGES[code])


@dataclass(frozen=True)
class ResponseMatrix:
    """``scores``: examinees × items, credit 0…1, np.nan where not presented; ``counts``: examinees per row."""

    item_names: list[str]
    scores: np.ndarray
    counts: np.ndarray

    @property
    def n_examinees(self) -> int:
        return int(self.counts.sum())


def read_responses(data: bytes | str) -> ResponseMatrix:
    """The response matrix in ``data`` (the file's bytes, or text); ResponseFileError if it is not one."""
    text = _decode(data)
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip(" ,;\t")), "")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise ResponseFileError("unreadable") from None
    numbered = [(number, row) for number, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    if len(numbered) < 2:
        raise ResponseFileError("empty", row=numbered[0][0] if numbered else None)
    header_row, header = numbered[0]
    names = [cell.strip() for cell in header]
    while names and not names[-1]:  # spreadsheets often save trailing delimiters
        names.pop()
    count_index = _check_header(names, header_row)
    item_columns = [i for i in range(len(names)) if i != count_index]

    scores = np.full((len(numbered) - 1, len(item_columns)), np.nan)
    counts = np.ones(len(numbered) - 1)
    decimal_comma = delimiter == ";"
    known: dict[str, float] = {}  # a file holds few distinct cells ("0", "1", ""): parse each once
    for r, (number, cells) in enumerate(numbered[1:]):
        if len(cells) > len(names):
            extra = next((i for i in range(len(names), len(cells)) if cells[i].strip()), None)
            if extra is not None:
                raise ResponseFileError("extra_cell", row=number, column=extra + 1, value=cells[extra])
        for c, i in enumerate(item_columns):
            if i >= len(cells):
                break
            cell = cells[i]
            value = known.get(cell)
            if value is None:
                value = _credit(cell, number, i + 1, decimal_comma) if cell.strip() else np.nan
                known[cell] = value
            scores[r, c] = value
        if count_index is not None:
            cell = cells[count_index] if count_index < len(cells) else ""
            counts[r] = _count(cell, number, count_index + 1)
    return ResponseMatrix(item_names=[names[i] for i in item_columns], scores=scores, counts=counts)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if b"\x00" in data[:4096]:
        raise ResponseFileError("unreadable")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ResponseFileError("unreadable") from None


def _check_header(names: list[str], row: int) -> int | None:
    """The index of the count column, if any, after checking that names are present and unique."""
    seen = set()
    for i, name in enumerate(names):
        if not name or name.casefold() in seen:
            raise ResponseFileError("bad_header", row=row, column=i + 1, value=name)
        seen.add(name.casefold())
    count_index = next((i for i, name in enumerate(names) if name.casefold() == COUNT_COLUMN), None)
    if len(names) - (count_index is not None) < 1:
        raise ResponseFileError("empty", row=row)
    return count_index


def _credit(cell: str, row: int, column: int, decimal_comma: bool) -> float:
    text = cell.strip()
    if decimal_comma:
        text = text.replace(",", ".", 1)
    try:
        value = float(text)
    except ValueError:
        raise ResponseFileError("bad_cell", row=row, column=column, value=cell) from None
    if not 0 <= value <= 1:  # also refuses nan
        raise ResponseFileError("bad_cell", row=row, column=column, value=cell)
    return value + 0.0


def _count(cell: str, row: int, column: int) -> float:
    text = cell.strip()
    if not text:
        return 1.0
    try:
        value = float(text)
    except ValueError:
        raise ResponseFileError("bad_count", row=row, column=column, value=cell) from None
    if not math.isfinite(value) or value < 1 or value != int(value):
        raise ResponseFileError("bad_count", row=row, column=column, value=cell)
    return value
