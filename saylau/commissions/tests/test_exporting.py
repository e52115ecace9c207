"""export_members: CSV and XLSX with en/ru/kk headers, read back by import_members without a change."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max
from django.utils import translation
from openpyxl import load_workbook

from conftest import make_iin
from saylau.commissions import iin as iin_rules
from saylau.commissions.models import Basis, Membership, Person, Position
from saylau.core.models import AuditEntry

HEADERS = {
    "en": ["iin", "surname", "first_name", "patronymic", "commission", "position", "basis", "phone", "email",
           "language", "term_start", "term_end"],
    "ru": ["ИИН", "Фамилия", "Имя", "Отчество", "Код комиссии", "Должность", "Основа", "Телефон",
           "Электронная почта", "Язык", "Начало полномочий", "Окончание полномочий"],
    "kk": ["ЖСН", "Тегі", "Аты", "Әкесінің аты", "Комиссия коды", "Лауазымы", "Жұмыс негізі", "Телефон",
           "Электрондық пошта", "Тілі", "Өкілеттік басталуы", "Өкілеттік аяқталуы"],
}


@pytest.fixture(autouse=True)
def english_messages():
    # import_members activates its --language; keep that from leaking into other tests.
    with translation.override("en"):
        yield


@pytest.fixture
def registry(world):
    """The world plus a member with every optional cell filled and one whose IIN starts with a zero."""
    young_iin = next(v for s in range(10000) if (v := iin_rules.build(datetime.date(2004, 3, 8), "f", s)))
    assert young_iin.startswith("0")
    young = Person.objects.create(iin=young_iin, surname="Жұмабаева", first_name="Дана", birth_date=datetime.date(2004, 3, 8),
                                  sex="f", phone="+7 701 123 45 67", email="dana@example.kz", language="ru")
    Membership.objects.create(person=young, commission=world.pec1, position=Position.DEPUTY_CHAIR, basis=Basis.PERMANENT,
                              term_start=datetime.date(2023, 9, 1), term_end=datetime.date(2028, 8, 31))
    retired = Person.objects.create(iin=make_iin(40), surname="Бұрынғы", first_name="Мүше")
    Membership.objects.create(person=retired, commission=world.pec1, term_start=datetime.date(2016, 1, 1),
                              term_end=datetime.date(2021, 1, 1))
    world.young = young
    world.retired = retired
    return world


def export(path, *args) -> str:
    stdout = io.StringIO()
    call_command("export_members", str(path), *args, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def read_csv(path, encoding="utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


def read_xlsx(path) -> list[list]:
    sheet = load_workbook(path).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def snapshot() -> tuple[list[dict], list[dict]]:
    return list(Person.objects.order_by("pk").values()), list(Membership.objects.order_by("pk").values())


def chair_row(world) -> list[str]:
    return [world.chair.iin, "Ахметов", "Ерлан", "Серікұлы", "TEC-19-01", "chair", "permanent", "", "p1@example.kz",
            "kk", "2021-04-01", ""]


# --- What is written ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_it_writes_a_csv_with_headers_in_each_language(registry, tmp_path, language):
    path = tmp_path / "members.csv"

    output = export(path, "--headers", language)

    assert output == f"{path}: 5 members written.\n"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # so that Excel opens UTF-8 as UTF-8
    rows = read_csv(path)
    assert rows[0] == HEADERS[language]
    assert len(rows) == 6
    assert chair_row(registry) in rows[1:]


def test_it_writes_one_row_per_current_member_in_commission_order(registry, tmp_path):
    path = tmp_path / "members.csv"
    export(path)
    rows = read_csv(path)[1:]
    assert [(row[4], row[5], row[1]) for row in rows] == [
        ("PEC-19-0001", "deputy_chair", "Жұмабаева"),
        ("PEC-19-0001", "member", "Омарова"),
        ("PEC-19-0002", "secretary", "Иванов"),
        ("TEC-10-01", "chair", "Сейітов"),
        ("TEC-19-01", "chair", "Ахметов"),
    ]
    assert [registry.young.iin, "Жұмабаева", "Дана", "", "PEC-19-0001", "deputy_chair", "permanent",
            "+7 701 123 45 67", "dana@example.kz", "ru", "2023-09-01", "2028-08-31"] in rows
    assert registry.retired.iin not in {row[0] for row in rows}


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_it_writes_an_xlsx_with_headers_in_each_language(registry, tmp_path, language):
    path = tmp_path / "members.xlsx"

    output = export(path, "--headers", language)

    assert output == f"{path}: 5 members written.\n"
    assert path.read_bytes()[:4] == b"PK\x03\x04"
    rows = read_xlsx(path)
    assert rows[0] == HEADERS[language]
    assert len(rows) == 6
    assert chair_row(registry) == [cell if cell is not None else "" for cell in rows[-1]]


def test_an_xlsx_keeps_iins_as_text_with_their_leading_zeros(registry, tmp_path):
    path = tmp_path / "members.xlsx"
    export(path)
    sheet = load_workbook(path).worksheets[0]
    iin_cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in iin_cells)
    assert registry.young.iin in [cell.value for cell in iin_cells]
    assert all(cell.font.b for cell in sheet[1])


def test_it_exports_one_region_or_one_commission(registry, tmp_path):
    path = tmp_path / "members.csv"

    assert export(path, "--region", "kz-19") == f"{path}: 4 members written.\n"
    assert {row[4] for row in read_csv(path)[1:]} == {"PEC-19-0001", "PEC-19-0002", "TEC-19-01"}

    assert export(path, "--commission", "pec-19-0002") == f"{path}: 1 members written.\n"
    assert [row[1] for row in read_csv(path)[1:]] == ["Иванов"]

    assert export(path, "--region", "KZ-10", "--commission", "PEC-19-0002") == f"{path}: 0 members written.\n"
    assert read_csv(path) == [HEADERS["en"]]


def test_it_writes_windows_1251_when_every_name_fits(registry, tmp_path):
    Person.objects.filter(pk=registry.member2.pk).update(patronymic="Петрович", surname="Ёлкин")
    path = tmp_path / "members.csv"

    export(path, "--commission", "PEC-19-0002", "--headers", "ru", "--encoding", "cp1251")

    content = path.read_bytes()
    assert not content.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    rows = read_csv(path, encoding="cp1251")
    assert rows[0] == HEADERS["ru"]
    assert rows[1][1:4] == ["Ёлкин", "Андрей", "Петрович"]


def test_a_kazakh_name_in_windows_1251_is_refused_with_a_clear_message(registry, tmp_path):
    path = tmp_path / "members.csv"

    with pytest.raises(CommandError) as exc:
        export(path, "--commission", "PEC-19-0001", "--encoding", "cp1251")

    message = str(exc.value)
    assert "cp1251" in message
    assert "UTF-8" in message
    assert "'ұ'" in message or "'ү'" in message  # the first letter Windows-1251 lacks
    assert not path.exists()


# --- Round trips ------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_importing_an_export_changes_nothing(registry, tmp_path, suffix, language):
    path = tmp_path / f"members.{suffix}"
    export(path, "--headers", language)
    before = snapshot()
    last_entry = AuditEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    stdout = io.StringIO()

    call_command("import_members", str(path), stdout=stdout, stderr=io.StringIO())

    assert stdout.getvalue() == (
        f"members.{suffix}: 5 rows; 0 new people, 0 updated, 0 new memberships, 0 ended, 5 unchanged.\n"
    )
    assert snapshot() == before
    assert list(AuditEntry.objects.filter(pk__gt=last_entry).values_list("action", flat=True)) == ["members.imported"]


def test_importing_a_windows_1251_export_changes_nothing(registry, tmp_path):
    Person.objects.filter(pk=registry.member2.pk).update(patronymic="Петрович")
    path = tmp_path / "members.csv"
    export(path, "--commission", "PEC-19-0002", "--headers", "ru", "--encoding", "cp1251")
    before = snapshot()
    stdout = io.StringIO()

    call_command("import_members", str(path), stdout=stdout, stderr=io.StringIO())

    assert stdout.getvalue().endswith("1 rows; 0 new people, 0 updated, 0 new memberships, 0 ended, 1 unchanged.\n")
    assert snapshot() == before


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_export_imported_into_an_empty_registry_recreates_the_members(registry, tmp_path, suffix):
    path = tmp_path / f"members.{suffix}"
    export(path, "--region", "KZ-19", "--headers", "kk")
    expected = sorted(
        (m.person.iin, m.person.full_name, m.person.phone, m.person.email, m.person.language, m.person.birth_date,
         m.commission.code, m.position, m.basis, m.term_start, m.term_end)
        for m in Membership.objects.current().filter(commission__region__iso_code="KZ-19").select_related("person", "commission")
    )
    # A fresh registry: the same commissions, nobody on them.
    Membership.objects.all().delete()
    Person.objects.exclude(pk=registry.participant.person_id).delete()  # a user still points at this one

    call_command("import_members", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    got = sorted(
        (m.person.iin, m.person.full_name, m.person.phone, m.person.email, m.person.language, m.person.birth_date,
         m.commission.code, m.position, m.basis, m.term_start, m.term_end)
        for m in Membership.objects.current().select_related("person", "commission")
    )
    assert got == expected
