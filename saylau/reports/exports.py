"""Tables to files: XLSX (numbers stay numbers; one sheet per table) and CSV (one table)."""

from __future__ import annotations

import datetime
import io

from saylau.commissions.tabular import write_csv

from .tables import Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet_title(title: str, taken: set[str]) -> str:
    # Excel forbids []:*?/\ in sheet titles and allows 31 characters.
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31].strip() or "Sheet"
    name, n = clean, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _cell(value):
    """Numbers and dates as they are (a spreadsheet computes with them); anything else (lazy labels) as text."""
    if value is None or isinstance(value, (bool, int, float, datetime.date)):
        return value
    return str(value)


def xlsx(tables: list[Table], *, heading: str = "") -> bytes:
    """A workbook with a sheet per table: its title (and the filter/as-of ``heading``) above the columns."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, taken))
        title = WriteOnlyCell(sheet, value=table.title)
        title.font = bold
        sheet.append([title])
        if heading:
            sheet.append([heading])
        sheet.append([])
        header = []
        for name in table.columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.values():
            sheet.append([_cell(value) for value in row])
        if table.note:
            sheet.append([])
            sheet.append([table.note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv(table: Table) -> bytes:
    return write_csv(table.columns, table.values())
