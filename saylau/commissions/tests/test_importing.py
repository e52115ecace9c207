"""Member import: every problem with its code, row and column; all or nothing; idempotent; CLI and service alike."""

import contextlib
import csv
import datetime
import io
import random
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone, translation
from openpyxl import Workbook

from conftest import make_iin
from saylau.commissions import iin as iin_rules
from saylau.commissions import services
from saylau.commissions.models import Basis, ContentLanguage, MemberImport, Membership, Person, Position
from saylau.commissions.services import ImportRejected
from saylau.core.models import AuditEntry

EN = {
    "iin": "IIN", "surname": "Surname", "first_name": "First name", "patronymic": "Patronymic",
    "commission": "Commission", "position": "Position", "basis": "Basis", "phone": "Phone", "email": "Email",
    "language": "Language", "term_start": "Term start", "term_end": "Term end",
}
RU = {
    "iin": "ИИН", "surname": "Фамилия", "first_name": "Имя", "patronymic": "Отчество",
    "commission": "Комиссия", "position": "Должность",
}
KK = {
    "iin": "ЖСН", "surname": "Тегі", "first_name": "Аты", "patronymic": "Әкесінің аты",
    "commission": "Комиссия коды", "position": "Лауазымы",
}
MINIMAL = {key: EN[key] for key in ("iin", "surname", "first_name", "commission", "position")}


@pytest.fixture(autouse=True)
def english_messages():
    # import_members activates its --language; keep that from leaking into other tests.
    with translation.override("en"):
        yield


def checked_iin(first_seven: str) -> str:
    """An IIN with a correct check digit for any 7 leading digits, real date or not."""
    for serial in range(10000):
        digit = iin_rules.check_digit(f"{first_seven}{serial:04d}")
        if digit is not None:
            return f"{first_seven}{serial:04d}{digit}"
    raise AssertionError(first_seven)


def mistyped(iin: str) -> str:
    """The IIN with a wrong check digit: always caught, unlike some changes of other digits."""
    return iin[:11] + str((int(iin[11]) + 1) % 10)


def member(n: int, commission: str = "PEC-19-0001", position: str = "member", **cells) -> dict:
    return {"iin": make_iin(n), "surname": "Нұрланов", "first_name": "Асқар", "commission": commission,
            "position": position, **cells}


def grid(rows: list[dict | None], header: dict[str, str]) -> list[list[object] | None]:
    """The header row and then one list of cells per row; None stands for a blank row."""
    columns = list(header)
    return [list(header.values())] + [None if row is None else [row.get(c, "") for c in columns] for row in rows]


def csv_bytes(rows: list[dict | None], *, header: dict[str, str] = EN, sep: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    for cells in grid(rows, header):
        writer.writerow(cells or [])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict | None], *, header: dict[str, str] = EN) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for cells in grid(rows, header):
        sheet.append(cells or [])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def apply(world, content: bytes, *, filename: str = "members.csv", by=None, **kwargs):
    return services.member_import_apply(by=by or world.admin, filename=filename, content=content, **kwargs)


def rejected(world, content: bytes, *, filename: str = "members.csv", **kwargs) -> list:
    with counts_unchanged(), pytest.raises(ImportRejected) as exc:
        apply(world, content, filename=filename, **kwargs)
    assert exc.value.code == "import_rejected"
    return exc.value.plan.problems


def where(problems) -> list[tuple[int, str, str]]:
    return [(problem.row, problem.column, problem.code) for problem in problems]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Person, Membership, AuditEntry, MemberImport)}


@contextlib.contextmanager
def counts_unchanged():
    before = counts()
    yield
    assert counts() == before


def current_membership(person_or_iin) -> Membership:
    iin = getattr(person_or_iin, "iin", person_or_iin)
    return Membership.objects.current().get(person__iin=iin)


# --- A clean file ----------------------------------------------------------------------------------


def test_it_imports_new_people_and_seats_them(world):
    rows = [
        member(10, patronymic="Серікұлы", phone="+7 701 000 00 10", email="askar@example.kz", language="ru",
               basis="permanent", term_start="2024-01-15", term_end="2029-01-14"),
        member(11, "PEC-19-0002", "secretary", surname="Әбілова", first_name="Гүлнұр"),
    ]
    before = counts()

    plan = apply(world, csv_bytes(rows))

    assert plan.summary() == {
        "rows": 2, "new_people": 2, "changed_people": 0, "new_memberships": 2, "closed_memberships": 0,
        "unchanged": 0, "ignored_columns": [], "problems": [],
    }
    askar = Person.objects.get(iin=make_iin(10))
    facts = iin_rules.parse(make_iin(10))[1]
    assert (askar.surname, askar.first_name, askar.patronymic) == ("Нұрланов", "Асқар", "Серікұлы")
    assert (askar.phone, askar.email, askar.language) == ("+7 701 000 00 10", "askar@example.kz", "ru")
    assert (askar.birth_date, askar.sex) == (facts.birth_date, facts.sex)
    seat = current_membership(askar)
    assert (seat.commission, seat.position, seat.basis) == (world.pec1, Position.MEMBER, Basis.PERMANENT)
    assert (seat.term_start, seat.term_end) == (datetime.date(2024, 1, 15), datetime.date(2029, 1, 14))
    gulnur = current_membership(make_iin(11))
    assert (gulnur.commission, gulnur.position, gulnur.basis) == (world.pec2, Position.SECRETARY, Basis.NON_PERMANENT)
    assert gulnur.term_start == timezone.localdate() and gulnur.term_end is None
    assert gulnur.person.language == ContentLanguage.KAZAKH
    after = counts()
    assert after["Person"] == before["Person"] + 2
    assert after["Membership"] == before["Membership"] + 2
    assert after["MemberImport"] == before["MemberImport"] + 1
    # person.created and membership.created for each row, and one entry for the import itself
    assert after["AuditEntry"] == before["AuditEntry"] + 5


def test_it_audits_every_created_record_and_the_import(world):
    apply(world, csv_bytes([member(10)]), by=world.coordinator)

    person = Person.objects.get(iin=make_iin(10))
    seat = current_membership(person)
    entries = {(e.action, e.object_id): e for e in AuditEntry.objects.filter(actor=world.coordinator)}
    assert entries["person.created", str(person.pk)].changes["iin"] == make_iin(10)
    assert entries["membership.created", str(seat.pk)].changes["commission"] == world.pec1.pk
    member_import = MemberImport.objects.get()
    assert member_import.status == MemberImport.Status.APPLIED
    assert member_import.created_by == world.coordinator
    assert member_import.summary["rows"] == 1
    assert entries["members.imported", str(member_import.pk)].changes["new_people"] == 1


def test_it_reports_columns_it_does_not_know_and_ignores_them(world):
    header = {**MINIMAL, "notes": "Notes", "blank": ""}
    plan = apply(world, csv_bytes([member(10, notes="call after 6pm")], header=header))
    assert plan.summary()["ignored_columns"] == ["Notes"]
    assert Person.objects.filter(iin=make_iin(10)).exists()


def test_it_marks_a_stored_upload_applied_with_its_summary(world):
    content = csv_bytes([member(10)])
    upload = MemberImport.objects.create(created_by=world.coordinator, filename="members.csv", content=content)

    apply(world, content, by=world.coordinator, member_import=upload, scope_user=world.coordinator)

    upload.refresh_from_db()
    assert upload.status == MemberImport.Status.APPLIED
    assert upload.summary["new_people"] == 1
    assert bytes(upload.content) == b""  # the file holds IINs; once applied only the summary is kept


def test_it_marks_a_stored_upload_rejected_when_it_no_longer_applies(world):
    content = csv_bytes([member(10, "TEC-19-01", "chair")])
    upload = MemberImport.objects.create(created_by=world.admin, filename="members.csv", content=content)

    with pytest.raises(ImportRejected):
        apply(world, content, member_import=upload)

    upload.refresh_from_db()
    assert upload.status == MemberImport.Status.REJECTED
    assert [p["code"] for p in upload.summary["problems"]] == ["second_chair"]


# --- Every problem, with its code, row and column -----------------------------------------------------


BAD_CELLS = [
    pytest.param({"iin": mistyped(make_iin(20))}, "IIN", "iin_checksum", id="a-mistyped-iin-digit"),
    pytest.param({"iin": "80010130001O"}, "IIN", "iin_format", id="a-letter-in-the-iin"),
    pytest.param({"iin": "8001013000123"}, "IIN", "iin_format", id="thirteen-digits"),
    pytest.param({"iin": ""}, "IIN", "iin_missing", id="no-iin"),
    pytest.param({"iin": checked_iin("8001019")}, "IIN", "iin_century", id="an-impossible-century-digit"),
    pytest.param({"iin": checked_iin("8002303")}, "IIN", "iin_birth_date", id="the-thirtieth-of-february"),
    pytest.param({"surname": ""}, "Surname", "required", id="no-surname"),
    pytest.param({"first_name": "  "}, "First name", "required", id="no-first-name"),
    pytest.param({"commission": "PEC-99-9999"}, "Commission", "unknown_commission", id="an-unknown-commission"),
    pytest.param({"commission": ""}, "Commission", "required", id="no-commission"),
    pytest.param({"position": "president"}, "Position", "unknown_position", id="an-unknown-position"),
    pytest.param({"position": ""}, "Position", "required", id="no-position"),
    pytest.param({"basis": "part-time"}, "Basis", "unknown_basis", id="an-unknown-basis"),
    pytest.param({"language": "de"}, "Language", "unknown_language", id="an-unknown-language"),
    pytest.param({"email": "askar@"}, "Email", "bad_email", id="a-bad-email"),
    pytest.param({"email": "askar example.kz"}, "Email", "bad_email", id="an-email-with-a-space"),
    pytest.param({"term_start": "31.02.2021"}, "Term start", "bad_date", id="an-impossible-start-date"),
    pytest.param({"term_end": "next spring"}, "Term end", "bad_date", id="an-end-date-in-words"),
    pytest.param({"term_start": "2021-13-01"}, "Term start", "bad_date", id="month-thirteen"),
    pytest.param({"term_start": "2024-05-01", "term_end": "2024-04-30"}, "Term end", "term_order",
                 id="a-term-ending-before-it-starts"),
]


@pytest.mark.parametrize(("cells", "column", "code"), BAD_CELLS)
def test_it_rejects_a_bad_cell_with_its_code_row_and_column(world, cells, column, code):
    content = csv_bytes([member(10), member(11), member(12, **cells), member(13)])

    problems = rejected(world, content)

    assert where(problems) == [(4, column, code)]
    assert problems[0].message


@pytest.mark.parametrize(("cells", "column", "code"), BAD_CELLS)
def test_the_command_prints_a_bad_cell_with_its_row_and_column_and_fails(world, tmp_path, cells, column, code):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes([member(10), member(12, **cells)]))
    stderr = io.StringIO()

    with counts_unchanged(), pytest.raises(CommandError) as exc:
        call_command("import_members", str(path), stdout=io.StringIO(), stderr=stderr)

    assert exc.value.returncode == 1
    assert "Nothing was imported" in str(exc.value)
    lines = stderr.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"members.csv: row 3, column {column}: [{code}] ")


def test_it_names_the_value_it_could_not_read(world):
    content = csv_bytes([member(10, commission="PEC-77-0001", position="boss", email="nobody@", term_start="soon")])
    messages = {problem.code: problem.message for problem in rejected(world, content)}
    assert "PEC-77-0001" in messages["unknown_commission"]
    assert "boss" in messages["unknown_position"]
    assert "nobody@" in messages["bad_email"]
    assert "soon" in messages["bad_date"]


def test_it_reports_every_problem_in_the_file_not_just_the_first(world):
    content = csv_bytes([
        member(10, iin=mistyped(make_iin(10)), email="x@"),
        member(11),
        member(12, position="boss", language="fr", basis="weekends"),
        member(13, commission="NOPE", term_start="2024-02-01", term_end="2024-01-01"),
    ])

    problems = rejected(world, content)

    assert where(problems) == [
        (2, "IIN", "iin_checksum"), (2, "Email", "bad_email"),
        (4, "Language", "unknown_language"), (4, "Position", "unknown_position"), (4, "Basis", "unknown_basis"),
        (5, "Commission", "unknown_commission"), (5, "Term end", "term_order"),
    ]


def test_the_command_prints_every_problem_of_the_file(world, tmp_path):
    path = tmp_path / "список.csv"
    path.write_bytes(csv_bytes([member(10, iin="123"), member(11), member(12, commission="NOPE", position="boss")],
                               header={**MINIMAL, "iin": "ИИН (ЖСН)"}))
    stderr = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_members", str(path), stdout=io.StringIO(), stderr=stderr)

    lines = stderr.getvalue().splitlines()
    assert [line.split(": [")[0] for line in lines] == [
        "список.csv: row 2, column ИИН (ЖСН)",
        "список.csv: row 4, column Commission",
        "список.csv: row 4, column Position",
    ]
    assert "[iin_checksum]" in lines[0] and "[unknown_commission]" in lines[1] and "[unknown_position]" in lines[2]


def test_it_rejects_an_iin_that_appears_twice_in_the_file_naming_the_first_row(world):
    content = csv_bytes([member(10), member(11), member(12), member(11, "PEC-19-0002", surname="Басқа")])

    problems = rejected(world, content)

    assert where(problems) == [(5, "IIN", "duplicate_iin")]
    assert "row 3" in problems[0].message
    assert make_iin(11) in problems[0].message


def test_it_sees_an_iin_repeated_without_its_leading_zeros_as_a_duplicate(world):
    iin = iin_rules.build(datetime.date(2004, 6, 1), "m", 7) or iin_rules.build(datetime.date(2004, 6, 1), "m", 8)
    rows = [member(10, iin=iin), member(11, iin=str(int(iin)))]
    assert where(rejected(world, xlsx_bytes(rows), filename="m.xlsx")) == [(3, "IIN", "duplicate_iin")]


def test_it_rejects_a_second_chair_in_the_same_commission_within_the_file(world):
    content = csv_bytes([member(10, position="chair"), member(11), member(12, position="председатель")])

    problems = rejected(world, content)

    assert where(problems) == [(4, "Position", "second_chair")]
    assert "PEC-19-0001" in problems[0].message and "row 2" in problems[0].message


def test_it_rejects_a_second_chair_against_the_sitting_chair(world):
    content = csv_bytes([member(10, "PEC-19-0001"), member(11, "TEC-19-01", "chair")], header=RU)

    problems = rejected(world, content)

    assert where(problems) == [(3, "Должность", "second_chair")]
    assert world.chair.full_name in problems[0].message
    assert "TEC-19-01" in problems[0].message


def test_the_command_prints_a_second_chair_and_fails(world, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes([member(11, "TEC-19-01", "chair")]))
    stderr = io.StringIO()

    with counts_unchanged(), pytest.raises(CommandError):
        call_command("import_members", str(path), stdout=io.StringIO(), stderr=stderr)

    assert stderr.getvalue().startswith("members.csv: row 2, column Position: [second_chair] ")
    assert world.chair.full_name in stderr.getvalue()


def test_chairs_of_different_commissions_are_not_second_chairs(world):
    plan = apply(world, csv_bytes([member(10, "PEC-19-0001", "chair"), member(11, "PEC-19-0002", "chair")]))
    assert plan.summary()["new_memberships"] == 2
    assert Membership.objects.current().filter(commission=world.pec1, position=Position.CHAIR).count() == 1


def test_a_chair_leaving_the_chair_in_the_same_file_is_not_a_second_chair(world):
    content = csv_bytes([
        member(11, "TEC-19-01", "chair"),
        {"iin": world.chair.iin, "surname": "Ахметов", "first_name": "Ерлан", "commission": "TEC-19-01",
         "position": "member", "basis": "permanent"},
    ])

    plan = apply(world, content)

    assert plan.summary()["closed_memberships"] == 1
    chairs = Membership.objects.current().filter(commission=world.tec, position=Position.CHAIR)
    assert [m.person.iin for m in chairs] == [make_iin(11)]
    assert current_membership(world.chair).position == Position.MEMBER


def test_a_chair_moving_to_another_commission_in_the_same_file_is_not_a_second_chair(world):
    content = csv_bytes([
        {"iin": world.chair.iin, "surname": "Ахметов", "first_name": "Ерлан", "commission": "PEC-19-0001",
         "position": "chair"},
        member(11, "TEC-19-01", "chair"),
    ])

    apply(world, content)

    assert current_membership(world.chair).commission == world.pec1
    assert current_membership(make_iin(11)).commission == world.tec


@pytest.mark.parametrize("header", [
    pytest.param({k: v for k, v in EN.items() if k != "iin"}, id="iin"),
    pytest.param({k: v for k, v in EN.items() if k != "commission"}, id="commission"),
    pytest.param({k: v for k, v in EN.items() if k != "position"}, id="position"),
])
def test_it_rejects_a_file_missing_a_required_column(world, header):
    missing = next(column for column in MINIMAL if column not in header)

    problems = rejected(world, csv_bytes([member(10)], header=header))

    assert where(problems) == [(1, "", "missing_column")]
    assert f"“{missing}”" in problems[0].message


@pytest.mark.parametrize(("language", "name"), [("en", "iin"), ("ru", "ИИН"), ("kk", "ЖСН")])
def test_a_missing_column_is_named_as_the_reader_would_write_it(world, language, name):
    header = {k: v for k, v in MINIMAL.items() if k != "iin"}
    with translation.override(language):
        problems = rejected(world, csv_bytes([member(10)], header=header))
    assert where(problems) == [(1, "", "missing_column")]
    assert name in problems[0].message


def test_it_lists_every_missing_column(world):
    problems = rejected(world, csv_bytes([{"phone": "1"}], header={"phone": "Phone", "email": "Email"}))
    assert where(problems) == [(1, "", "missing_column")] * 5
    assert [p.message.split("“")[1].split("”")[0] for p in problems] == [
        "iin", "surname", "first_name", "commission", "position",
    ]


def test_it_rejects_a_column_that_appears_twice(world):
    header = {**MINIMAL, "iin_again": "ИИН"}
    problems = rejected(world, csv_bytes([member(10, iin_again=make_iin(10))], header=header))
    assert where(problems) == [(1, "ИИН", "duplicate_column")]


def test_the_command_prints_a_missing_column_on_the_header_row(world, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes([member(10)], header={k: v for k, v in MINIMAL.items() if k != "surname"}))
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_members", str(path), stdout=io.StringIO(), stderr=stderr)
    assert stderr.getvalue() == "members.csv: row 1: [missing_column] The header row has no “surname” column.\n"


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n", "\ufeff".encode(), b",,,\r\n,,,\r\n"])
def test_it_rejects_an_empty_file(world, content):
    assert where(rejected(world, content)) == [(0, "", "file_empty")]


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes])
def test_it_rejects_a_file_with_a_header_and_no_members(world, make):
    problems = rejected(world, make([None, None]), filename="members.xlsx" if make is xlsx_bytes else "members.csv")
    assert where(problems) == [(0, "", "file_empty")]
    assert "no members" in problems[0].message


def test_the_command_prints_an_empty_file_as_a_whole_file_problem(world, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes([]))
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_members", str(path), stdout=io.StringIO(), stderr=stderr)
    assert stderr.getvalue().startswith("members.csv: file: [file_empty] ")


def test_it_rejects_random_bytes_as_unreadable(world):
    noise = random.Random(2024).randbytes(4096)
    assert where(rejected(world, noise, filename="members.csv")) == [(0, "", "file_unreadable")]
    assert where(rejected(world, noise, filename="members.xlsx")) == [(0, "", "file_unreadable")]


def test_it_rejects_text_that_is_neither_utf8_nor_windows_1251(world):
    content = b"IIN,Surname\r\n\x98\xff\xfe\r\n"
    assert where(rejected(world, content)) == [(0, "", "file_encoding")]


@pytest.mark.parametrize("broken", [
    pytest.param(lambda good: good[: len(good) // 2], id="truncated"),
    pytest.param(lambda good: b"PK\x03\x04" + good[4:200], id="a-zip-header-and-little-else"),
    pytest.param(lambda good: _zip({"hello.txt": b"not a workbook"}), id="a-zip-that-is-not-a-workbook"),
])
def test_it_rejects_a_broken_xlsx_as_unreadable(world, broken):
    good = xlsx_bytes([member(10)])
    problems = rejected(world, broken(good), filename="members.xlsx")
    assert where(problems) == [(0, "", "file_unreadable")]
    assert "XLSX" in problems[0].message


def with_part(name: str, data: bytes) -> bytes:
    """A workbook of one good member with one of its XML parts replaced."""
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([member(10)])))
    parts = {part: good.read(part) for part in good.namelist()}
    assert name in parts
    parts[name] = data(parts[name]) if callable(data) else data
    return _zip(parts)


def test_it_rejects_an_xlsx_whose_sheet_holds_a_cell_it_cannot_read(world):
    # openpyxl parses cells lazily, while the rows are read, not when the workbook opens.
    content = with_part("xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        b"</sheetData>", b"<row r='9'><c r='A9' t='n'><v>not a number</v></c></row></sheetData>"))

    problems = rejected(world, content, filename="members.xlsx")

    assert where(problems) == [(0, "", "file_unreadable")]


@pytest.mark.parametrize(("name", "data"), [
    pytest.param("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r='1'>", id="a-truncated-sheet"),
    pytest.param("xl/worksheets/sheet1.xml", b"<<<not xml", id="a-sheet-that-is-not-xml"),
    pytest.param("xl/workbook.xml", b"<<<not xml", id="a-workbook-part-that-is-not-xml"),
    pytest.param("xl/styles.xml", b"<<<not xml", id="a-styles-part-that-is-not-xml"),
])
def test_it_rejects_an_xlsx_with_a_damaged_xml_part_as_unreadable(world, name, data):
    problems = rejected(world, with_part(name, data), filename="members.xlsx")

    assert where(problems) == [(0, "", "file_unreadable")]


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_the_command_fails_on_a_file_that_does_not_exist(world, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("import_members", str(tmp_path / "missing.csv"), stdout=io.StringIO(), stderr=io.StringIO())
    assert "missing.csv" in str(exc.value)


# --- Row numbers as the spreadsheet shows them ----------------------------------------------------------


def test_blank_rows_are_skipped_but_counted_in_csv(world):
    content = csv_bytes([member(10), None, None, member(11, position="boss"), None, member(12, email="@")])
    assert where(rejected(world, content)) == [(5, "Position", "unknown_position"), (7, "Email", "bad_email")]


def test_blank_rows_are_skipped_but_counted_in_xlsx(world):
    content = xlsx_bytes([member(10), None, member(11, position="boss"), None, None, member(12, email="@")])
    assert where(rejected(world, content, filename="m.xlsx")) == [
        (4, "Position", "unknown_position"), (7, "Email", "bad_email"),
    ]


def test_a_cell_spanning_lines_is_still_one_row(world):
    content = csv_bytes([member(10, patronymic="Серік\nұлы"), member(11, position="boss")])
    assert where(rejected(world, content)) == [(3, "Position", "unknown_position")]


def test_a_blank_row_changes_nothing_in_a_clean_file(world):
    plan = apply(world, csv_bytes([None, member(10), None, member(11)]))
    assert plan.summary()["rows"] == 2


def test_a_comma_separated_file_may_start_with_a_blank_row(world):
    content = b"\r\n" + csv_bytes([member(10)])
    plan = apply(world, content)
    assert plan.summary()["new_people"] == 1


# --- All or nothing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [
    pytest.param(member(15, iin=mistyped(make_iin(15))), id="a-bad-iin"),
    pytest.param(member(15, "TEC-19-01", "chair"), id="a-second-chair"),
    pytest.param(member(15, "PEC-19-0404"), id="an-unknown-commission"),
])
def test_a_file_with_one_bad_row_writes_nothing(world, bad):
    rows = [member(10), member(11), member(12, "PEC-19-0002"), member(13), bad,
            {"iin": world.member1.iin, "surname": "Омарова", "first_name": "Айгүл", "commission": "PEC-19-0002",
             "position": "member", "phone": "+7 777 000 00 00"}]
    memberships_before = list(Membership.objects.values_list("pk", "commission_id", "position", "term_start", "term_end"))

    problems = rejected(world, csv_bytes(rows))

    assert [p.row for p in problems] == [6]
    assert not Person.objects.filter(iin__in=[make_iin(n) for n in (10, 11, 12, 13, 15)]).exists()
    assert list(Membership.objects.values_list("pk", "commission_id", "position", "term_start", "term_end")) \
        == memberships_before
    world.member1.refresh_from_db()
    assert world.member1.phone == ""


def test_the_command_writes_nothing_when_a_row_is_bad(world, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes([member(10), member(11), member(12), member(13), member(14), member(15, iin="1")]))
    with counts_unchanged(), pytest.raises(CommandError):
        call_command("import_members", str(path), stdout=io.StringIO(), stderr=io.StringIO())


# --- Encodings, separators and formats ---------------------------------------------------------------


KAZAKH = {"surname": "Өмірбекова", "first_name": "Әлия", "patronymic": "Қасымқызы"}
RUSSIAN = {"surname": "Ёлкина", "first_name": "Наталья", "patronymic": "Петровна"}


@pytest.mark.parametrize(("encoding", "sep", "names"), [
    pytest.param("utf-8", ",", KAZAKH, id="utf8-comma"),
    pytest.param("utf-8", ";", KAZAKH, id="utf8-semicolon"),
    pytest.param("utf-8-sig", ",", KAZAKH, id="utf8-bom-comma"),
    pytest.param("utf-8-sig", ";", KAZAKH, id="utf8-bom-semicolon"),
    pytest.param("utf-8", "\t", KAZAKH, id="utf8-tab"),
    pytest.param("cp1251", ";", RUSSIAN, id="windows1251-semicolon"),
    pytest.param("cp1251", ",", RUSSIAN, id="windows1251-comma"),
])
def test_it_reads_csv_in_each_encoding_and_separator(world, encoding, sep, names):
    header = {**MINIMAL, "patronymic": "Отчество", "email": "Email", "term_start": "Начало полномочий"}
    rows = [member(10, **names, email="a@example.kz", term_start="01.04.2024"), member(11, "PEC-19-0002", **names)]
    content = csv_bytes(rows, header=header, sep=sep, encoding=encoding)
    assert content.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")

    plan = apply(world, content)

    assert plan.summary()["new_people"] == 2
    assert plan.summary()["ignored_columns"] == []
    person = Person.objects.get(iin=make_iin(10))
    assert (person.surname, person.first_name, person.patronymic) == (
        names["surname"], names["first_name"], names["patronymic"],
    )
    assert person.email == "a@example.kz"
    assert current_membership(person).term_start == datetime.date(2024, 4, 1)


def test_the_command_reads_a_windows_1251_file(world, tmp_path):
    path = tmp_path / "члены.csv"
    path.write_bytes(csv_bytes([member(10, **RUSSIAN)], header=RU, sep=";", encoding="cp1251"))
    stdout = io.StringIO()

    call_command("import_members", str(path), stdout=stdout, stderr=io.StringIO())

    assert stdout.getvalue() == (
        "члены.csv: 1 rows; 1 new people, 0 updated, 1 new memberships, 0 ended, 0 unchanged.\n"
    )
    assert Person.objects.get(iin=make_iin(10)).surname == "Ёлкина"


def test_it_reads_an_xlsx_with_numbers_and_dates_as_a_spreadsheet_stores_them(world):
    iin = iin_rules.build(datetime.date(2003, 5, 7), "f", 42) or iin_rules.build(datetime.date(2003, 5, 7), "f", 43)
    rows = [
        member(10, iin=int(iin), phone=77010000010, term_start=datetime.date(2024, 4, 1),
               term_end=datetime.datetime(2029, 3, 31, 0, 0), **KAZAKH),
        member(11, iin=float(make_iin(11)), position="Төраға", basis="Тұрақты", language="Орысша"),
    ]

    plan = apply(world, xlsx_bytes(rows), filename="Members.XLSX")

    assert plan.summary()["new_people"] == 2
    person = Person.objects.get(iin=iin)
    assert (person.surname, person.phone, person.birth_date) == ("Өмірбекова", "77010000010", datetime.date(2003, 5, 7))
    seat = current_membership(person)
    assert (seat.term_start, seat.term_end) == (datetime.date(2024, 4, 1), datetime.date(2029, 3, 31))
    chair = current_membership(make_iin(11))
    assert (chair.position, chair.basis, chair.person.language) == (Position.CHAIR, Basis.PERMANENT, "ru")


def test_it_recognises_an_xlsx_by_its_content_whatever_its_name(world):
    plan = apply(world, xlsx_bytes([member(10)]), filename="members.csv")
    assert plan.summary()["new_people"] == 1


# --- Header and value aliases ---------------------------------------------------------------------


@pytest.mark.parametrize("header", [
    pytest.param(MINIMAL, id="english"),
    pytest.param(RU, id="russian"),
    pytest.param(KK, id="kazakh"),
    pytest.param({"iin": "  иин ", "surname": "ФАМИЛИЯ", "first_name": "First_Name", "commission": "Код комиссии:",
                  "position": "Должность*"}, id="messy-russian"),
    pytest.param({"iin": "ЖСН (ИИН)", "surname": "Last name", "first_name": "Given name", "commission": "Комиссия",
                  "position": "Лауазым"}, id="mixed"),
])
def test_it_accepts_headers_in_english_russian_and_kazakh(world, header):
    rows = [member(10, patronymic="Серікұлы"), member(11, "PEC-19-0002", "chair")]
    plan = apply(world, csv_bytes(rows, header=header))
    assert plan.summary()["new_people"] == 2
    assert plan.summary()["ignored_columns"] == []
    if "patronymic" in header:
        assert Person.objects.get(iin=make_iin(10)).patronymic == "Серікұлы"


def test_problems_name_the_column_as_the_kazakh_header_writes_it(world):
    content = csv_bytes([member(10, iin="1", commission="X", position="бастық")], header=KK)
    assert where(rejected(world, content)) == [
        (2, "ЖСН", "iin_checksum"), (2, "Комиссия коды", "unknown_commission"), (2, "Лауазымы", "unknown_position"),
    ]


@pytest.mark.parametrize(("text", "position"), [
    ("chair", Position.CHAIR), ("Chairman", Position.CHAIR), ("председатель", Position.CHAIR),
    ("Председатель", Position.CHAIR), ("төраға", Position.CHAIR),
    ("deputy_chair", Position.DEPUTY_CHAIR), ("Заместитель председателя", Position.DEPUTY_CHAIR),
    ("зам. председателя", Position.DEPUTY_CHAIR), ("төрағаның орынбасары", Position.DEPUTY_CHAIR),
    ("secretary", Position.SECRETARY), ("секретарь", Position.SECRETARY), ("хатшы", Position.SECRETARY),
    ("member", Position.MEMBER), ("член", Position.MEMBER), ("Член комиссии", Position.MEMBER),
    ("мүше", Position.MEMBER), ("комиссия мүшесі", Position.MEMBER),
])
def test_it_reads_positions_in_english_russian_and_kazakh(world, text, position):
    apply(world, csv_bytes([member(10, position=text)], header=RU))
    assert current_membership(make_iin(10)).position == position


@pytest.mark.parametrize(("text", "basis"), [
    ("permanent", Basis.PERMANENT), ("постоянная", Basis.PERMANENT), ("тұрақты", Basis.PERMANENT),
    ("non-permanent", Basis.NON_PERMANENT), ("непостоянная", Basis.NON_PERMANENT),
    ("тұрақты емес", Basis.NON_PERMANENT), ("", Basis.NON_PERMANENT),
])
def test_it_reads_the_basis_in_english_russian_and_kazakh(world, text, basis):
    apply(world, csv_bytes([member(10, basis=text)]))
    assert current_membership(make_iin(10)).basis == basis


@pytest.mark.parametrize(("text", "language"), [
    ("kk", "kk"), ("KZ", "kk"), ("қазақша", "kk"), ("Казахский", "kk"),
    ("ru", "ru"), ("русский", "ru"), ("орыс тілі", "ru"),
])
def test_it_reads_the_language_in_english_russian_and_kazakh(world, text, language):
    apply(world, csv_bytes([member(10, language=text)]))
    assert Person.objects.get(iin=make_iin(10)).language == language


def test_it_matches_commission_codes_whatever_their_case(world):
    apply(world, csv_bytes([member(10, " pec-19-0002 ")]))
    assert current_membership(make_iin(10)).commission == world.pec2


# --- Idempotence, updates and moves --------------------------------------------------------------------


def world_row(person, commission: str, position: str, **cells) -> dict:
    return {"iin": person.iin, "surname": person.surname, "first_name": person.first_name,
            "patronymic": person.patronymic, "commission": commission, "position": position, "email": person.email,
            **cells}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importing_the_same_file_twice_changes_nothing_the_second_time(world, fmt):
    rows = [
        member(10, term_start="2024-01-01", phone="+7 701 000 00 10"),
        member(11, "PEC-19-0002", "deputy_chair", basis="permanent", language="ru"),
        member(12, "PEC-19-0001", "chair", email="chair@example.kz", term_end="2030-12-31"),
        world_row(world.member2, "PEC-19-0002", "secretary"),
        world_row(world.chair, "TEC-19-01", "chair", basis="permanent", term_start="2021-04-01"),
    ]
    content = xlsx_bytes(rows) if fmt == "xlsx" else csv_bytes(rows)
    first = apply(world, content, filename=f"members.{fmt}")
    assert first.summary()["new_people"] == 3
    assert first.summary()["unchanged"] == 2
    people = list(Person.objects.order_by("pk").values())
    memberships = list(Membership.objects.order_by("pk").values())
    before = counts()

    second = apply(world, content, filename=f"members.{fmt}")

    assert second.summary() == {
        "rows": 5, "new_people": 0, "changed_people": 0, "new_memberships": 0, "closed_memberships": 0,
        "unchanged": 5, "ignored_columns": [], "problems": [],
    }
    assert list(Person.objects.order_by("pk").values()) == people
    assert list(Membership.objects.order_by("pk").values()) == memberships
    after = counts()
    # Only the import itself is recorded (its MemberImport and one audit entry).
    assert after == {**before, "MemberImport": before["MemberImport"] + 1, "AuditEntry": before["AuditEntry"] + 1}


def test_a_changed_phone_updates_the_person_and_audits_the_change(world):
    row = world_row(world.member1, "PEC-19-0001", "member")
    apply(world, csv_bytes([row]))
    seat = current_membership(world.member1)
    assert world.member1.phone == ""

    plan = apply(world, csv_bytes([{**row, "phone": "+7 701 555 55 55"}]), by=world.coordinator)

    assert plan.summary()["changed_people"] == 1
    assert plan.summary()["new_memberships"] == 0 and plan.summary()["unchanged"] == 0
    world.member1.refresh_from_db()
    assert world.member1.phone == "+7 701 555 55 55"
    assert current_membership(world.member1).pk == seat.pk
    entry = AuditEntry.objects.get(action="person.updated", object_id=str(world.member1.pk))
    assert entry.changes == {"phone": ["", "+7 701 555 55 55"]}
    assert entry.actor == world.coordinator
    assert entry.object_type == "commissions.person"


def test_a_re_import_updates_names_and_language_but_keeps_what_the_file_leaves_empty(world):
    row = {"iin": world.member1.iin, "surname": "Омарова-Сейтова", "first_name": "Айгүл", "commission": "PEC-19-0001",
           "position": "member", "language": "ru", "patronymic": "", "email": ""}

    apply(world, csv_bytes([row]))

    world.member1.refresh_from_db()
    assert (world.member1.surname, world.member1.language) == ("Омарова-Сейтова", "ru")
    assert (world.member1.patronymic, world.member1.email) == ("Серікұлы", "p2@example.kz")
    entry = AuditEntry.objects.get(action="person.updated", object_id=str(world.member1.pk))
    assert entry.changes == {"surname": ["Омарова", "Омарова-Сейтова"], "language": ["kk", "ru"]}


def test_a_person_moved_to_another_commission_leaves_the_old_one(world):
    old = current_membership(world.member1)
    today = timezone.localdate()

    plan = apply(world, csv_bytes([world_row(world.member1, "PEC-19-0002", "member")]))

    assert plan.summary()["closed_memberships"] == 1 and plan.summary()["new_memberships"] == 1
    old.refresh_from_db()
    assert old.term_end == today - datetime.timedelta(days=1)
    new = current_membership(world.member1)
    assert new.pk != old.pk
    assert (new.commission, new.term_start, new.term_end) == (world.pec2, today, None)
    ended = AuditEntry.objects.get(action="membership.ended", object_id=str(old.pk))
    assert ended.changes == {"term_end": [None, (today - datetime.timedelta(days=1)).isoformat()]}
    assert AuditEntry.objects.filter(action="membership.created", object_id=str(new.pk)).exists()


def test_a_move_with_a_start_date_ends_the_old_term_the_day_before(world):
    old = current_membership(world.member2)

    apply(world, csv_bytes([world_row(world.member2, "PEC-19-0001", "deputy_chair", term_start="2025-01-10")]))

    old.refresh_from_db()
    assert old.term_end == datetime.date(2025, 1, 9)
    new = Membership.objects.get(person=world.member2, commission=world.pec1)
    assert (new.position, new.term_start) == (Position.DEPUTY_CHAIR, datetime.date(2025, 1, 10))


def test_a_new_position_in_the_same_commission_replaces_the_old_membership(world):
    old = current_membership(world.member1)

    apply(world, csv_bytes([world_row(world.member1, "PEC-19-0001", "secretary")]))

    old.refresh_from_db()
    assert old.term_end is not None
    assert current_membership(world.member1).position == Position.SECRETARY
    assert Membership.objects.filter(person=world.member1).count() == 2


def test_a_moved_person_re_imported_is_unchanged(world):
    content = csv_bytes([world_row(world.member1, "PEC-19-0002", "member")])
    apply(world, content)
    before = Membership.objects.filter(person=world.member1).count()

    plan = apply(world, content)

    assert plan.summary()["unchanged"] == 1 and plan.summary()["closed_memberships"] == 0
    assert Membership.objects.filter(person=world.member1).count() == before == 2


def test_a_person_moved_twice_on_the_same_day_sits_on_one_commission(world):
    apply(world, csv_bytes([member(10, "PEC-19-0002")]))
    first_seat = current_membership(make_iin(10))

    apply(world, csv_bytes([member(10, "PEC-19-0001")]))

    assert [m.commission for m in Membership.objects.current().filter(person__iin=make_iin(10))] == [world.pec1]
    # A seat that would not have lasted a day is withdrawn, and the trail keeps what it was.
    assert not Membership.objects.filter(pk=first_seat.pk).exists()
    withdrawn = AuditEntry.objects.get(action="membership.withdrawn", object_id=str(first_seat.pk))
    assert withdrawn.changes["commission"] == world.pec2.pk
    plan = apply(world, csv_bytes([member(10, "PEC-19-0001")]))
    assert plan.summary()["unchanged"] == 1


def test_a_membership_starting_later_is_not_created_twice(world):
    content = csv_bytes([member(10, term_start="2099-01-01")])
    apply(world, content)

    plan = apply(world, content)

    assert plan.summary()["unchanged"] == 1
    assert Membership.objects.filter(person__iin=make_iin(10)).count() == 1


def test_a_seat_that_has_not_begun_is_withdrawn_when_the_person_moves(world):
    apply(world, csv_bytes([member(10, "PEC-19-0002", term_start="2099-01-01")]))
    future_seat = Membership.objects.get(person__iin=make_iin(10))

    plan = apply(world, csv_bytes([member(10, "PEC-19-0001")]))

    assert plan.summary()["closed_memberships"] == 1
    assert not Membership.objects.filter(pk=future_seat.pk).exists()
    assert [m.commission for m in Membership.objects.filter(person__iin=make_iin(10))] == [world.pec1]


def test_a_term_end_before_today_without_a_start_is_a_term_order_problem(world):
    content = csv_bytes([member(10, term_end="2020-01-01")])
    assert where(rejected(world, content)) == [(2, "Term end", "term_order")]


# --- Scope ------------------------------------------------------------------------------------------


def test_a_coordinator_cannot_import_into_another_region(world):
    content = csv_bytes([member(10, "PEC-19-0001"), member(11, "TEC-10-01")])

    problems = rejected(world, content, by=world.coordinator, scope_user=world.coordinator)

    assert where(problems) == [(3, "Commission", "unknown_commission")]
    assert "TEC-10-01" in problems[0].message


def test_a_coordinator_imports_into_their_own_region(world):
    plan = apply(world, csv_bytes([member(10, "PEC-19-0002")]), by=world.coordinator, scope_user=world.coordinator)
    assert plan.summary()["new_memberships"] == 1


def test_a_coordinator_of_another_region_cannot_import_into_this_one(world):
    content = csv_bytes([member(10, "PEC-19-0002")])
    problems = rejected(world, content, by=world.abai_coordinator, scope_user=world.abai_coordinator)
    assert where(problems) == [(2, "Commission", "unknown_commission")]


@pytest.mark.parametrize("role", ["trainer", "participant", "auditor"])
def test_a_user_who_cannot_manage_the_registry_can_import_into_no_commission(world, role):
    user = getattr(world, role)
    problems = rejected(world, csv_bytes([member(10, "PEC-19-0001")]), by=user, scope_user=user)
    assert where(problems) == [(2, "Commission", "unknown_commission")]


def test_the_command_may_import_into_any_region(world, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes([member(10, "TEC-10-01"), member(11, "PEC-19-0001")]))
    call_command("import_members", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert current_membership(make_iin(10)).commission == world.abai_tec
    entry = AuditEntry.objects.get(action="members.imported")
    assert entry.actor is None


# --- Scale ----------------------------------------------------------------------------------------


def many_rows(count: int, **cells) -> list[dict]:
    return [member(1000 + i, "PEC-19-0001" if i % 2 else "PEC-19-0002", **cells) for i in range(count)]


def query_bound() -> int:
    # Measured for 2,000 rows: 12-20 queries on PostgreSQL, 12-74 on SQLite, which allows 999 parameters
    # per statement, so Django splits each bulk write into batches of about 100 rows. A query per row
    # would be over 2,000.
    return 30 if connection.vendor == "postgresql" else 100


def test_two_thousand_rows_are_imported_in_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    content = csv_bytes(many_rows(2000))

    with django_assert_max_num_queries(query_bound()):
        plan = apply(world, content)

    assert plan.summary()["new_people"] == 2000
    assert Membership.objects.current().filter(person__iin__in=[make_iin(1000), make_iin(2999)]).count() == 2
    assert AuditEntry.objects.filter(action="person.created").count() == 2000

    with django_assert_max_num_queries(query_bound()):
        again = apply(world, content)

    assert again.summary()["unchanged"] == 2000


def test_two_thousand_updates_and_moves_take_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    apply(world, csv_bytes(many_rows(2000)))
    moved = [{**row, "commission": "PEC-19-0001", "phone": "+7 700 000 00 00"} for row in many_rows(2000)]

    with django_assert_max_num_queries(query_bound()):
        plan = apply(world, csv_bytes(moved))

    summary = plan.summary()
    assert (summary["changed_people"], summary["closed_memberships"], summary["new_memberships"]) == (2000, 1000, 1000)
    assert Person.objects.filter(phone="+7 700 000 00 00").count() == 2000
    assert Membership.objects.current().filter(commission=world.pec1, person__phone="+7 700 000 00 00").count() == 2000
