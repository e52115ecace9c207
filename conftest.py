"""The shared test world: one region with a TEC and two precinct commissions, named people, and a user per role."""

import datetime

import pytest

from saylau.accounts.models import Role, User
from saylau.commissions import iin as iin_rules
from saylau.commissions.models import Basis, Commission, Level, Membership, Person, Position, Region


def make_iin(n: int, *, year: int = 1980, sex: str = "m") -> str:
    """A valid IIN, different for each n."""
    birth = datetime.date(year, 1, 1) + datetime.timedelta(days=n % 3000)
    serial = n
    while (value := iin_rules.build(birth, sex, serial % 10000)) is None:
        serial += 1
    return value


class World:
    pass


def ensure_reference_data() -> None:
    """Reload the data migrations' reference data when a transactional test has flushed it."""
    import importlib

    from django.apps import apps

    if Region.objects.exists():
        return
    for module in ("saylau.commissions.migrations.0002_reference_regions_and_tecs",
                   "saylau.training.migrations.0002_reference_audiences_and_partners",
                   "saylau.assessment.migrations.0002_reference_topics_and_acts",
                   "saylau.courses.migrations.0002_search_index_and_campaigns"):
        importlib.import_module(module).load(apps, None)


@pytest.fixture(autouse=True)
def _no_leaks_between_tests():
    """A test must not decide the language of the next one, nor leave per-process caches behind."""
    yield
    from django.utils import translation

    from saylau.assessment.attempts import forget_frozen_items
    from saylau.training import reach

    translation.deactivate()
    forget_frozen_items()  # ids come back after each test's rollback
    reach.forget()


@pytest.fixture
def world(db):
    ensure_reference_data()
    w = World()
    w.almaty_region = Region.objects.get(iso_code="KZ-19")
    w.abai = Region.objects.get(iso_code="KZ-10")
    w.cec = Commission.objects.get(code="CEC")
    w.regional = Commission.objects.get(code="TEC-19")
    w.tec = Commission.objects.create(level=Level.TERRITORIAL, code="TEC-19-01", parent=w.regional,
                                      region=w.almaty_region, name_kk="Қонаев қалалық АСК", name_ru="Конаевская ТИК",
                                      name_en="Konaev City TEC")
    w.pec1 = Commission.objects.create(level=Level.PRECINCT, code="PEC-19-0001", number="1", parent=w.tec,
                                       region=w.almaty_region, name_kk="№1 УСК", name_ru="УИК №1", name_en="PEC No. 1")
    w.pec2 = Commission.objects.create(level=Level.PRECINCT, code="PEC-19-0002", number="2", parent=w.tec,
                                       region=w.almaty_region, name_kk="№2 УСК", name_ru="УИК №2", name_en="PEC No. 2")
    w.abai_tec = Commission.objects.create(level=Level.TERRITORIAL, code="TEC-10-01",
                                           parent=Commission.objects.get(code="TEC-10"), region=w.abai,
                                           name_kk="Семей қалалық АСК", name_ru="Семейская ТИК", name_en="Semey TEC")

    def person(n, surname, first_name, commission, position=Position.MEMBER, basis=Basis.NON_PERMANENT):
        iin = make_iin(n)
        facts = iin_rules.parse(iin)[1]
        p = Person.objects.create(iin=iin, surname=surname, first_name=first_name, patronymic="Серікұлы",
                                  birth_date=facts.birth_date, sex=facts.sex, email=f"p{n}@example.kz")
        Membership.objects.create(person=p, commission=commission, position=position, basis=basis,
                                  term_start=datetime.date(2021, 4, 1))
        return p

    w.chair = person(1, "Ахметов", "Ерлан", w.tec, Position.CHAIR, Basis.PERMANENT)
    w.member1 = person(2, "Омарова", "Айгүл", w.pec1)
    w.member2 = person(3, "Иванов", "Андрей", w.pec2, Position.SECRETARY)
    w.abai_member = person(4, "Сейітов", "Мұрат", w.abai_tec, Position.CHAIR, Basis.PERMANENT)

    def user(username, role, region=None, person=None):
        u = User(username=username, role=role, region=region, person=person)
        u.set_password("pass-12345-word")
        u.save()
        return u

    w.admin = user("admin", Role.ADMIN)
    w.coordinator = user("coordinator", Role.COORDINATOR, w.almaty_region)
    w.abai_coordinator = user("abai_coordinator", Role.COORDINATOR, w.abai)
    w.trainer = user("trainer", Role.TRAINER, w.almaty_region)
    w.participant = user("participant", Role.PARTICIPANT, person=w.member1)
    w.auditor = user("auditor", Role.AUDITOR)
    return w
