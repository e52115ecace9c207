"""Reading and writing member lists as XLSX and CSV (UTF-8 or Windows-1251), with header names in en/ru/kk."""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Canonical column → names accepted in a header row (compared after normalise_header()).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "iin": ("iin", "иин", "жсн", "ИИН (ЖСН)", "ЖСН (ИИН)"),
    "surname": ("surname", "last name", "family name", "фамилия", "тегі", "тегi"),
    "first_name": ("first name", "name", "given name", "имя", "аты", "аты-жөні"),
    "patronymic": ("patronymic", "middle name", "отчество", "әкесінің аты", "экесинин аты"),
    "commission": (
        "commission", "commission code", "комиссия", "код комиссии", "комиссия коды", "комиссияның коды",
    ),
    "position": ("position", "должность", "лауазымы", "лауазым"),
    "basis": ("basis", "основа", "основа работы", "негізі", "жұмыс негізі"),
    "phone": ("phone", "telephone", "телефон", "тел"),
    "email": ("email", "e-mail", "эл почта", "электронная почта", "электрондық пошта", "эл пошта"),
    "language": ("language", "язык", "тілі", "тіл"),
    "term_start": ("term start", "начало полномочий", "өкілеттік басталуы", "өкілеттігінің басталуы"),
    "term_end": ("term end", "окончание полномочий", "өкілеттік аяқталуы", "өкілеттігінің аяқталуы"),
}
REQUIRED_COLUMNS = ("iin", "surname", "first_name", "commission", "position")
EXPORT_COLUMNS = tuple(COLUMN_ALIASES)

# The header row written by export_members, per language (the first alias a reader accepts).
EXPORT_HEADERS = {
    "en": {column: column for column in EXPORT_COLUMNS},
    "ru": {
        "iin": "ИИН", "surname": "Фамилия", "first_name": "Имя", "patronymic": "Отчество",
        "commission": "Код комиссии", "position": "Должность", "basis": "Основа", "phone": "Телефон",
        "email": "Электронная почта", "language": "Язык", "term_start": "Начало полномочий",
        "term_end": "Окончание полномочий",
    },
    "kk": {
        "iin": "ЖСН", "surname": "Тегі", "first_name": "Аты", "patronymic": "Әкесінің аты",
        "commission": "Комиссия коды", "position": "Лауазымы", "basis": "Жұмыс негізі", "phone": "Телефон",
        "email": "Электрондық пошта", "language": "Тілі", "term_start": "Өкілеттік басталуы",
        "term_end": "Өкілеттік аяқталуы",
    },
}

_SEPARATORS = re.compile(r"[\s_\-.:*()]+")


def normalise_header(text: object) -> str:
    cleaned = str(text or "").replace("\ufeff", "").strip().lower().replace("ё", "е")
    return _SEPARATORS.sub(" ", cleaned).strip()


HEADER_LOOKUP = {normalise_header(alias): column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}
HEADER_LOOKUP.update({normalise_header(column): column for column in COLUMN_ALIASES})


class UnreadableFile(Exception):
    def __init__(self, code: str, message, where: str = ""):
        self.code = code
        self.message = message
        self.where = where
        super().__init__(str(message))


@dataclass
class Table:
    headers: list[str]  # as written in the file
    rows: list[tuple[int, list[object]]]  # (row number as the spreadsheet shows it, cells)


def read_table(filename: str, content: bytes) -> Table:
    if not content.strip():
        raise UnreadableFile("file_empty", _("The file is empty."))
    if content[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content)
    return _read_csv(content)


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - a damaged part raises zip, XML, key or value errors alike
        raise UnreadableFile(
            "file_unreadable", _("The file is not a readable XLSX workbook (%(error)s).") % {"error": exc}
        ) from None
    try:
        # Sheets are parsed lazily: a damaged sheet fails here, not when the workbook opens.
        raw_rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    except Exception as exc:  # noqa: BLE001 - openpyxl raises XML, zip and value errors alike
        raise UnreadableFile(
            "file_unreadable", _("The file is not a readable XLSX workbook (%(error)s).") % {"error": exc}
        ) from None
    finally:
        workbook.close()
    return _table_from_rows(raw_rows)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1251")
    except UnicodeDecodeError:
        raise UnreadableFile(
            "file_encoding", _("The file is neither UTF-8 nor Windows-1251 text.")
        ) from None


def _read_csv(content: bytes) -> Table:
    if b"\x00" in content[:4096]:
        raise UnreadableFile("file_unreadable", _("The file is neither a CSV table nor an XLSX workbook."))
    text = _decode(content)
    lines = text.splitlines()
    first_line = next((line for line in lines if line.strip(" ,;\t")), lines[0] if lines else "")
    # Spreadsheets in Russian and Kazakh locales save CSV with semicolons.
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        raw_rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableFile("file_unreadable", _("The CSV file cannot be read (%(error)s).") % {"error": exc}) from None
    return _table_from_rows(raw_rows)


def _is_blank(cells) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def _table_from_rows(raw_rows) -> Table:
    numbered = [(number, list(cells)) for number, cells in enumerate(raw_rows, start=1)]
    numbered = [(number, cells) for number, cells in numbered if not _is_blank(cells)]
    if not numbered:
        raise UnreadableFile("file_empty", _("The file is empty."))
    _header_number, header = numbered[0]
    headers = [str(cell).strip() if cell is not None else "" for cell in header]
    while headers and not headers[-1]:
        headers.pop()
    return Table(headers=headers, rows=numbered[1:])


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


# --- Writing ----------------------------------------------------------------------------------


def write_csv(headers: list[str], rows: list[list[object]], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=",", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[cell_text(value) for value in row] for row in rows])
    data = buffer.getvalue()
    return data.encode("utf-8-sig" if encoding == "utf-8" else encoding)


def write_xlsx(headers: list[str], rows: list[list[object]], *, title: str = "members") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        # IINs and codes stay text so that a spreadsheet keeps their leading zeros.
        sheet.append([cell_text(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
