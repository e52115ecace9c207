"""Training fixtures on top of the shared ``world``: a two-day event with its programme, an assigned trainer,
a trainer cascade, and a clock that can be stopped at a given minute of a session's day.

Events that check-in or late flags depend on are dated relative to ``timezone.localdate()``; the minute is
fixed with ``at(day, "HH:MM")``, which patches ``django.utils.timezone.now`` (time-machine is not installed).
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.utils import timezone

from conftest import make_iin
from saylau.accounts.models import Role, User
from saylau.commissions import iin as iin_rules
from saylau.commissions.models import Basis, Membership, Person, Position
from saylau.training import services
from saylau.training.models import Audience, EventTrainer

PASSWORD = "pass-12345-word"


@contextmanager
def at(day: datetime.date, clock: str):
    """Stop the clock at ``clock`` (HH:MM, local time) on ``day``."""
    hour, minute = (int(part) for part in clock.split(":"))
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def new_person(n: int, surname: str, commission=None, *, position=Position.MEMBER, language="kk",
               term_start=datetime.date(2021, 4, 1), term_end=None, email=True) -> Person:
    iin = make_iin(n, year=1975)
    facts = iin_rules.parse(iin)[1]
    person = Person.objects.create(iin=iin, surname=surname, first_name="Тест", birth_date=facts.birth_date,
                                   sex=facts.sex, language=language, email=f"t{n}@example.kz" if email else "")
    if commission is not None:
        Membership.objects.create(person=person, commission=commission, position=position, basis=Basis.NON_PERMANENT,
                                  term_start=term_start, term_end=term_end)
    return person


def new_user(username: str, role: str, *, region=None, person=None) -> User:
    user = User(username=username, role=role, region=region, person=person)
    user.set_password(PASSWORD)
    user.save()
    return user


def event_fields(world, **overrides) -> dict:
    """Keyword arguments for ``services.event_create``: a territorial seminar of Konaev TEC, two days from today."""
    today = timezone.localdate()
    fields = {
        "title_kk": "Учаскелік комиссия мүшелеріне арналған семинар",
        "title_ru": "Семинар для членов участковых комиссий",
        "kind": "seminar", "format": "in_person", "level": "territorial",
        "starts_on": today, "ends_on": today + datetime.timedelta(days=1),
        "organiser": world.tec, "venue_address": "Қонаев қ., Абай к-сі 1", "venue_room": "204",
        "languages": ["kk", "ru"],
    }
    return fields | overrides


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def precinct_members() -> Audience:
    return Audience.objects.get(code="precinct_members")


@pytest.fixture
def make_event(world):
    """``make_event(by=…, **fields)``: an event through the service, by the KZ-19 coordinator by default."""

    def make(by=None, **overrides):
        return services.event_create(by=by or world.coordinator, **event_fields(world, **overrides))

    return make


@pytest.fixture
def event(world, make_event, precinct_members):
    """A two-day seminar (today and tomorrow) with two sessions on day one and one on day two."""
    event = make_event(audiences=[precinct_members])
    day1, day2 = event.starts_on, event.ends_on
    event.s1 = services.session_create(
        by=world.coordinator, event=event, day=day1, starts_at=datetime.time(9, 0), ends_at=datetime.time(10, 30),
        title_kk="Сайлау науқанын ұйымдастыру", title_ru="Организация избирательной кампании", topic="Модуль 1",
        speakers=[{"person": world.chair}],
    )
    event.s2 = services.session_create(
        by=world.coordinator, event=event, day=day1, starts_at=datetime.time(11, 0), ends_at=datetime.time(12, 30),
        title_kk="Байқаушылар және БАҚ", title_ru="Наблюдатели и СМИ", method="practical_case",
        speakers=[{"name": "Әлия Нұрланқызы", "organisation": "Электоралдық оқыту орталығы", "position": "тренер"}],
    )
    event.s3 = services.session_create(
        by=world.coordinator, event=event, day=day2, starts_at=datetime.time(9, 0), ends_at=datetime.time(12, 0),
        title_kk="Дауыс беру күні: практикум", title_ru="День голосования: практикум", method="facilitation",
    )
    return event


@pytest.fixture
def event_trainer(world, event):
    """A trainer with a person in the registry, assigned to ``event``; the user sits in no region."""
    person = new_person(900, "Тренерова", world.tec)
    EventTrainer.objects.create(event=event, person=person)
    return new_user("event_trainer", Role.TRAINER, person=person)


@pytest.fixture
def enrolled(world, event):
    """member1 (the participant's person) and member2 enrolled in ``event``."""
    services.enrol_list(by=world.coordinator, event=event, people=[world.member1, world.member2])
    return event


@pytest.fixture
def cascade_tree(world, precinct_members):
    """A 2025 cascade: national ToT → Almaty regional ToT → Konaev seminar → two precinct sessions.

    Attendance: chair at the national ToT (then accredited) and in the regional event; member1 in the
    territorial seminar and the first precinct event; member2 in the second precinct event.
    """
    tree = type("Tree", (), {})()
    trainers = Audience.objects.get(code="trainers")
    d = datetime.date
    tree.national = services.event_create(
        by=world.admin, title_kk="Тренерлерді даярлау", title_ru="Подготовка тренеров", kind="training",
        level="republican", organiser=world.cec, starts_on=d(2025, 2, 10), ends_on=d(2025, 2, 12),
        trains_trainers=True, audiences=[trainers],
    )
    tree.national_session = services.session_create(
        by=world.admin, event=tree.national, day=d(2025, 2, 10), starts_at=datetime.time(10), ends_at=datetime.time(17),
        title_kk="Тренерлерге арналған модуль", title_ru="Модуль для тренеров",
    )
    services.enrol_list(by=world.admin, event=tree.national, people=[world.chair])
    services.attendance_mark(by=world.admin, session=tree.national_session, person=world.chair, present=True)
    services.event_close(by=world.admin, event=tree.national)

    def child(parent, level, organiser, day, title, trainer=world.chair, by=world.coordinator):
        event = services.event_create(
            by=by, title_kk=title, title_ru=title, kind="seminar", level=level, organiser=organiser,
            starts_on=day, ends_on=day, parent=parent, audiences=[precinct_members], trainers=[trainer],
        )
        event.only_session = services.session_create(
            by=by, event=event, day=day, starts_at=datetime.time(10), ends_at=datetime.time(13),
            title_kk=title, title_ru=title,
        )
        return event

    def attend(event, *people):
        services.enrol_list(by=world.coordinator, event=event, people=list(people))
        for person in people:
            services.attendance_mark(by=world.coordinator, session=event.only_session, person=person, present=True)

    tree.regional = child(tree.national, "regional", world.regional, d(2025, 3, 3), "Облыстық тренинг")
    tree.territorial = child(tree.regional, "territorial", world.tec, d(2025, 3, 20), "Қонаев семинары")
    tree.precinct1 = child(tree.territorial, "precinct", world.tec, d(2025, 4, 2), "№1 УСК оқуы")
    tree.precinct2 = child(tree.territorial, "precinct", world.tec, d(2025, 4, 3), "№2 УСК оқуы")
    attend(tree.regional, world.chair)
    attend(tree.territorial, world.member1)
    attend(tree.precinct1, world.member1)
    attend(tree.precinct2, world.member2)
    tree.child = child
    tree.attend = attend
    return tree
