"""Import of commission members: all or nothing.

``plan_import`` reads and checks a whole file against the database and says what it would change
(or lists every problem with its row and column); ``services.member_import_apply`` writes a clean
plan inside one transaction. People are matched by IIN, so importing the same file twice changes
nothing the second time.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saylau.core.i18n import current_language

from . import iin as iin_rules
from .models import Basis, Commission, ContentLanguage, Membership, Person, Position
from .tabular import (
    EXPORT_HEADERS,
    HEADER_LOOKUP,
    REQUIRED_COLUMNS,
    Table,
    UnreadableFile,
    cell_text,
    normalise_header,
    read_table,
)

POSITION_ALIASES = {
    Position.CHAIR: ("chair", "chairman", "председатель", "төраға"),
    Position.DEPUTY_CHAIR: (
        "deputy_chair", "deputy chair", "заместитель председателя", "зам председателя",
        "төрағаның орынбасары", "төраға орынбасары",
    ),
    Position.SECRETARY: ("secretary", "секретарь", "хатшы"),
    Position.MEMBER: ("member", "член", "член комиссии", "мүше", "комиссия мүшесі"),
}
BASIS_ALIASES = {
    Basis.PERMANENT: (
        "permanent", "постоянная", "постоянной", "на постоянной профессиональной основе",
        "тұрақты", "тұрақты кәсіби негізде",
    ),
    Basis.NON_PERMANENT: (
        "non_permanent", "non-permanent", "непостоянная", "не постоянная", "на непостоянной основе",
        "тұрақты емес", "тұрақты емес негізде",
    ),
}
LANGUAGE_ALIASES = {
    ContentLanguage.KAZAKH: ("kk", "kz", "қазақ", "қазақша", "қазақ тілі", "казахский", "kazakh"),
    ContentLanguage.RUSSIAN: ("ru", "орыс", "орысша", "орыс тілі", "русский", "russian"),
}


def _lookup(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise_header(alias): str(value) for value, names in aliases.items() for alias in names}


POSITION_LOOKUP = _lookup(POSITION_ALIASES)
BASIS_LOOKUP = _lookup(BASIS_ALIASES)
LANGUAGE_LOOKUP = _lookup(LANGUAGE_ALIASES)
PERSON_FIELDS = ("surname", "first_name", "patronymic", "phone", "email", "language")


@dataclass(frozen=True)
class Problem:
    row: int  # as the spreadsheet numbers it; the header is row 1
    column: str  # the header as written in the file ("" for the file as a whole)
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class MemberRow:
    row: int
    iin: str
    birth_date: datetime.date
    sex: str
    person: dict  # surname, first_name, … (only the cells the file filled)
    commission: Commission
    position: str
    basis: str | None
    term_start: datetime.date | None
    term_end: datetime.date | None


@dataclass
class ImportPlan:
    filename: str
    rows: list[MemberRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    headers_by_column: dict[str, str] = field(default_factory=dict)
    # Filled by resolve(): what the database would see.
    new_people: list[MemberRow] = field(default_factory=list)
    changed_people: list[tuple[Person, dict]] = field(default_factory=list)
    memberships_to_create: list[MemberRow] = field(default_factory=list)
    memberships_to_close: list[Membership] = field(default_factory=list)
    people_by_iin: dict[str, Person] = field(default_factory=dict)
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict:
        return {
            "rows": len(self.rows),
            "new_people": len(self.new_people),
            "changed_people": len(self.changed_people),
            "new_memberships": len(self.memberships_to_create),
            "closed_memberships": len(self.memberships_to_close),
            "unchanged": self.unchanged,
            "ignored_columns": self.ignored_columns,
            "problems": [problem.as_dict() for problem in self.problems],
        }


def _parse_date(text: str) -> datetime.date:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


class _RowReader:
    """Turns one row's cells into a MemberRow, collecting every problem instead of stopping at the first."""

    def __init__(self, plan: ImportPlan, headers: list[str], columns: dict[str, int], commissions: dict[str, Commission]):
        self.plan = plan
        self.headers = headers
        self.columns = columns
        self.commissions = commissions

    def problem(self, row: int, column: str, code: str, message: str) -> None:
        header = self.headers[self.columns[column]] if column in self.columns else ""
        self.plan.problems.append(Problem(row=row, column=header, code=code, message=message))

    def read(self, row: int, cells: list[object]) -> MemberRow | None:
        def cell(column: str) -> str:
            index = self.columns.get(column)
            if index is None or index >= len(cells):
                return ""
            return cell_text(cells[index])

        before = len(self.plan.problems)
        iin_value, facts = self._iin(row, cells)
        person = {}
        for column in ("surname", "first_name"):
            person[column] = cell(column)
            if not person[column]:
                self.problem(row, column, "required", _("This cell must not be empty."))
        for column in ("patronymic", "phone"):
            if cell(column):
                person[column] = cell(column)
        if email := cell("email"):
            try:
                validate_email(email)
                person["email"] = email
            except ValidationError:
                self.problem(row, "email", "bad_email", _("“%(value)s” is not an e-mail address.") % {"value": email})
        if language_text := cell("language"):
            language = LANGUAGE_LOOKUP.get(normalise_header(language_text))
            if language is None:
                self.problem(row, "language", "unknown_language",
                             _("Unknown language “%(value)s”: use kk or ru.") % {"value": language_text})
            else:
                person["language"] = language

        commission = None
        code = cell("commission")
        if not code:
            self.problem(row, "commission", "required", _("This cell must not be empty."))
        else:
            commission = self.commissions.get(code.upper())
            if commission is None:
                self.problem(row, "commission", "unknown_commission",
                             _("No commission with code “%(code)s” in your part of the registry.") % {"code": code})

        # gettext_lazy: the message is translated only for a row that has the problem.
        position = self._choice(row, cells, "position", POSITION_LOOKUP, "unknown_position",
                                gettext_lazy("Unknown position “%(value)s”: use chair, deputy_chair, secretary or member."))
        basis = None  # not given: a sitting member keeps theirs, a new one is non-permanent
        if cell("basis"):
            basis = self._choice(row, cells, "basis", BASIS_LOOKUP, "unknown_basis",
                                 gettext_lazy("Unknown basis “%(value)s”: use permanent or non_permanent."))
        term_start = self._date(row, cell("term_start"), "term_start")
        term_end = self._date(row, cell("term_end"), "term_end")
        if term_end and term_end < (term_start or timezone.localdate()):
            self.problem(row, "term_end", "term_order", _("The term ends before it starts."))

        if len(self.plan.problems) > before:
            return None
        return MemberRow(
            row=row, iin=iin_value, birth_date=facts.birth_date, sex=facts.sex, person=person,
            commission=commission, position=position, basis=basis, term_start=term_start, term_end=term_end,
        )

    def _iin(self, row, cells):
        index = self.columns["iin"]
        raw = cells[index] if index < len(cells) else None
        try:
            return iin_rules.parse(raw)
        except iin_rules.InvalidIIN as exc:
            messages = {
                "iin_missing": _("The IIN is missing."),
                "iin_format": _("“%(value)s” is not an IIN: it must be 12 digits."),
                "iin_checksum": _("The IIN “%(value)s” fails its check digit: look for a mistyped digit."),
                "iin_century": _("The IIN “%(value)s” has an impossible 7th digit (century and sex)."),
                "iin_birth_date": _("The IIN “%(value)s” does not begin with a real birth date."),
            }
            self.problem(row, "iin", exc.code, messages[exc.code] % {"value": cell_text(raw)})
            return "", None

    def _choice(self, row, cells, column, lookup, code, message):
        text = cell_text(cells[self.columns[column]]) if self.columns[column] < len(cells) else ""
        value = lookup.get(normalise_header(text))
        if value is None:
            if text:
                self.problem(row, column, code, message % {"value": text})
            else:
                self.problem(row, column, "required", _("This cell must not be empty."))
        return value

    def _date(self, row, text, column):
        if not text:
            return None
        try:
            return _parse_date(text)
        except ValueError:
            self.problem(row, column, "bad_date",
                         _("“%(value)s” is not a date: write it as YYYY-MM-DD or DD.MM.YYYY.") % {"value": text})
            return None


def read_rows(table: Table, plan: ImportPlan, commission_scope: QuerySet[Commission], *,
              lock_commissions: bool = False) -> None:
    columns: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        column = HEADER_LOOKUP.get(normalise_header(header))
        if column is None:
            if header:
                plan.ignored_columns.append(header)
        elif column in columns:
            plan.problems.append(Problem(1, header, "duplicate_column", _("This column appears twice.")))
        else:
            columns[column] = index
    headers = EXPORT_HEADERS.get(current_language(), EXPORT_HEADERS["en"])
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            plan.problems.append(Problem(
                1, "", "missing_column",
                _("The header row has no “%(column)s” column.") % {"column": headers[column]},
            ))
    if plan.problems:
        return

    # Codes are stored in capitals (services.normalise_code), so one query matches them all.
    codes = {cell_text(cells[columns["commission"]]).upper()
             for _row, cells in table.rows if columns["commission"] < len(cells)}
    commissions = {c.code: c for c in commission_scope.filter(code__in=codes)}
    if lock_commissions and commissions:
        # Inside the caller's transaction: a concurrent import naming the same commissions waits here,
        # and resolve() below then sees what it wrote.
        list(Commission.objects.select_for_update().filter(pk__in=[c.pk for c in commissions.values()])
             .order_by("pk").values_list("pk", flat=True))

    reader = _RowReader(plan, table.headers, columns, commissions)
    first_row_of_iin: dict[str, int] = {}
    for row_number, cells in table.rows:
        member = reader.read(row_number, cells)
        if member is None:
            continue
        if member.iin in first_row_of_iin:
            reader.problem(row_number, "iin", "duplicate_iin",
                           _("The IIN %(iin)s is already on row %(row)s of this file.")
                           % {"iin": member.iin, "row": first_row_of_iin[member.iin]})
            continue
        first_row_of_iin[member.iin] = row_number
        plan.rows.append(member)


def resolve(plan: ImportPlan, *, today: datetime.date | None = None) -> None:
    """Compare the rows with the database: who is new, who changed, which memberships open and close."""
    today = today or timezone.localdate()
    iins = [row.iin for row in plan.rows]
    people: dict[str, Person] = {}
    for start in range(0, len(iins), 900):
        for person in Person.objects.filter(iin__in=iins[start:start + 900]):
            people[person.iin] = person
    plan.people_by_iin = people

    current_by_person: dict[int, list[Membership]] = defaultdict(list)
    person_ids = [person.pk for person in people.values()]
    for start in range(0, len(person_ids), 900):
        chunk = person_ids[start:start + 900]
        memberships = Membership.objects.not_ended(today).filter(person_id__in=chunk).select_related("person", "commission")
        for membership in memberships:
            current_by_person[membership.person_id].append(membership)

    closing_ids: set[int] = set()
    for member in plan.rows:
        person = people.get(member.iin)
        if person is None:
            plan.new_people.append(member)
            plan.memberships_to_create.append(member)
            continue
        changes = {
            name: [getattr(person, name), value]
            for name, value in member.person.items()
            if getattr(person, name) != value
        }
        if changes:
            plan.changed_people.append((person, changes))
        same = [
            m for m in current_by_person.get(person.pk, [])
            if m.commission_id == member.commission.pk and m.position == member.position
            and (member.basis is None or m.basis == member.basis)
            and (member.term_start is None or m.term_start == member.term_start)
            and (member.term_end is None or m.term_end == member.term_end)
        ]
        others = [m for m in current_by_person.get(person.pk, []) if m not in same]
        for membership in others:
            plan.memberships_to_close.append(membership)
            closing_ids.add(membership.pk)
        if not same:
            plan.memberships_to_create.append(member)
        elif not changes and not others:
            plan.unchanged += 1

    _check_single_chair(plan, today, closing_ids)


def _check_single_chair(plan: ImportPlan, today: datetime.date, closing_ids: set[int]) -> None:
    chair_rows: dict[int, list[MemberRow]] = defaultdict(list)
    for member in plan.rows:
        if member.position == Position.CHAIR:
            chair_rows[member.commission.pk].append(member)
    if not chair_rows:
        return
    rows_iins = {member.iin for member in plan.rows}
    sitting = (
        Membership.objects.current(today)
        .filter(commission_id__in=list(chair_rows), position=Position.CHAIR)
        .select_related("person")
    )
    sitting_by_commission: dict[int, list[Membership]] = defaultdict(list)
    for membership in sitting:
        if membership.pk in closing_ids or membership.person.iin in rows_iins:
            continue  # leaving the chair in this same import
        sitting_by_commission[membership.commission_id].append(membership)
    for commission_id, rows in chair_rows.items():
        for member in rows[1:]:
            plan.problems.append(Problem(
                member.row, _header(plan, "position"), "second_chair",
                _("Commission %(code)s already has a chair on row %(row)s of this file.")
                % {"code": member.commission.code, "row": rows[0].row},
            ))
        for membership in sitting_by_commission.get(commission_id, []):
            plan.problems.append(Problem(
                rows[0].row, _header(plan, "position"), "second_chair",
                _("Commission %(code)s already has a chair: %(name)s.")
                % {"code": rows[0].commission.code, "name": membership.person.full_name},
            ))
    plan.problems.sort(key=lambda problem: (problem.row, problem.column))


def _header(plan: ImportPlan, column: str) -> str:
    return plan.headers_by_column.get(column, column)


def plan_import(*, filename: str, content: bytes, commission_scope: QuerySet[Commission],
                lock_commissions: bool = False) -> ImportPlan:
    """Read and check a whole file; the plan lists every problem or every change it would make.

    ``lock_commissions`` (inside a transaction) locks the commissions the file names before comparing
    the rows with the registry.
    """
    plan = ImportPlan(filename=filename)
    try:
        table = read_table(filename, content)
    except UnreadableFile as exc:
        plan.problems.append(Problem(0, "", exc.code, str(exc.message)))
        return plan
    plan.headers_by_column = {HEADER_LOOKUP.get(normalise_header(h)): h for h in table.headers if h}
    read_rows(table, plan, commission_scope, lock_commissions=lock_commissions)
    if not plan.problems and not plan.rows:
        plan.problems.append(Problem(0, "", "file_empty", _("The file has a header row but no members.")))
    if plan.problems:
        return plan
    resolve(plan)
    return plan
