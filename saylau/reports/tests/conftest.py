"""A year with known answers, on top of the shared ``world`` (Almaty region KZ-19: Konaev TEC, PEC 1 and 2;
Abai KZ-10: Semey TEC). Every figure the tests expect is counted by hand in the docstring of ``report_world``."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from saylau.assessment.models import Attempt, AttemptItem, AttemptStatus, Exam, Item, ItemVersion, Purpose, Topic
from saylau.certificates.models import Award, AwardKind, Certificate, VerificationCheck
from saylau.commissions.models import Commission, Level, Membership, Position
from saylau.training.models import Attendance, Audience, CoverageTarget, Enrolment, EnrolmentSource, Event, Session
from saylau.training.tests.conftest import new_person

YEAR = 2025
_codes = itertools.count(1)


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def make_event(*, organiser, day: datetime.date, days: int = 1, status: str = "held", level: str = "territorial",
               format: str = "in_person", audiences=(), kind: str = "seminar") -> Event:
    event = Event.objects.create(
        title_kk=f"Іс-шара {day}", title_ru=f"Мероприятие {day}", kind=kind, format=format, level=level,
        starts_on=day, ends_on=day + datetime.timedelta(days=days - 1), organiser=organiser,
        region=organiser.region, languages=["kk"], status=status)
    event.audiences.set(audiences)
    event.day_sessions = [
        Session.objects.create(event=event, day=day + datetime.timedelta(days=n), starts_at=datetime.time(9),
                               ends_at=datetime.time(12), title_kk="Сессия", title_ru="Сессия",
                               check_in_code=f"R{next(_codes):05d}")
        for n in range(days)]
    return event


def enrol(event: Event, person, commission) -> None:
    Enrolment.objects.create(event=event, person=person, commission=commission, source=EnrolmentSource.LIST)


def attend(session: Session, *people) -> None:
    for person in people:
        Attendance.objects.create(session=session, person=person, checked_in_at=moment(session.day), method="roster")


def make_exam(world, *, purpose: str, event=None, commission=None, pre=None) -> Exam:
    return Exam.objects.create(title_kk="Тест", title_ru="Тест", purpose=purpose, event=event,
                               commission=commission or world.tec, join_code=f"J{next(_codes):05d}", pre_test=pre,
                               pass_mark_percent=Decimal(60))


def submitted(exam: Exam, person, percent: float, *, day: datetime.date, number: int = 1) -> Attempt:
    return Attempt.objects.create(exam=exam, person=person, number=number, language="kk",
                                  status=AttemptStatus.SUBMITTED, started_at=moment(day, 9), submitted_at=moment(day),
                                  percent=Decimal(str(percent)), passed=percent >= 60, score=Decimal(str(percent)),
                                  max_score=Decimal(100))


def answered(attempt: Attempt, item: Item, points: float) -> None:
    AttemptItem.objects.create(attempt=attempt, position=AttemptItem.objects.filter(attempt=attempt).count() + 1,
                               item=item, version=item.current, topic=item.topic, order=[], max_points=Decimal(1),
                               response={"choice": 1}, fraction=points, points=Decimal(str(points)))


def certificate(award: Award, person, *, day: datetime.date, revoked: bool = False) -> Certificate:
    n = next(_codes)
    return Certificate.objects.create(
        number=f"T-{n:06d}", award=award, person=person, holder_name=f"{person.surname} {person.first_name}",
        award_title_kk="Сертификат", award_title_ru="Сертификат", starts_on=day, ends_on=day, issuer=award.issuer,
        issuer_name_kk="АСК", issuer_name_ru="ТИК", issued_on=day, status_index=n, credential="-", key_id="test",
        pdf="certificates/test.pdf", pdf_sha256="0" * 64, revoked_on=day if revoked else None)


@pytest.fixture
def report_world(world):
    """The year 2025 (and one event of 2024), with these answers:

    People: chair (Konaev TEC, chair), member1 (PEC 1), member2 and member3 (PEC 2), pec3_chair (PEC 3, nobody
    else), abai_member (Semey TEC, chair), mover (PEC 1 until 30 June 2025, Semey TEC since 1 July).

    Events of 2025:
    - E1 Almaty territorial seminar, in person, held, 10–11 March, precinct members: enrolled member1, member2,
      mover (then in PEC 1); attended member1 (both days), member2 and mover (day one);
    - E2 Abai territorial seminar, distance, held, 5 September, TEC members: mover and abai_member attended;
    - E3 national republican seminar (CEC, no region), held, 5 November, TEC chairs: chair and abai_member;
    - E4 Almaty seminar, cancelled, 1 April: member3 checked in anyway (a cancelled event covers nobody).
    And E0, Almaty, held, 2024: member1.

    2025 nationally: 4 events planned, 3 held, 1 cancelled; 5 people covered (member1, member2, mover, chair,
    abai_member); 7 person-events (3 + 2 + 2). By region: KZ-19 4 people / 4 person-events (E1's three and the
    chair at E3, enrolled from Konaev TEC), KZ-10 2 / 3 (mover and abai_member at E2, abai_member at E3): the
    mover counts in both regions and once nationally.
    Cascade: PEC 1 all trained (member1; the mover sits in Semey now), PEC 2 some (member2, not member3), PEC 3
    none, and its chair is untrained.
    Tests: E1's entry test member1 40, member2 60, mover 50; final test member1 70 (passed), member2 50 (failed);
    a distance test (CEC) abai_member 80 then 90 (best 90, passed). Pass rate 2 of 3 = 66.7 %; gain over member1
    and member2: pre 50.0, post 60.0 → 0.2. Topic "voter-lists": member1's final 1 of 1, member2's 0 of 1 → 50 %.
    Certificates: E1's award, member1 (12 March 2025) and member2 (12 March 2025, revoked); member1's checked
    twice in 2025: 2 issued, 1 revoked, 1 verified, 2 checks.
    Coverage target: KZ-19 precinct members 10 → reached 2 (member1, member2; member3's check-in was at the
    cancelled event, the mover no longer sits in a precinct commission).
    """
    w = world
    precinct = Audience.objects.get(code="precinct_members")
    tec_members = Audience.objects.get(code="tec_members")
    tec_chairs = Audience.objects.get(code="tec_chairs")
    w.member3 = new_person(501, "Серікова", w.pec2)
    w.pec3 = Commission.objects.create(level=Level.PRECINCT, code="PEC-19-0003", number="3", parent=w.tec,
                                       region=w.almaty_region, name_kk="№3 УСК", name_ru="УИК №3", name_en="PEC No. 3")
    w.pec3_chair = new_person(502, "Жаңабаев", w.pec3, position=Position.CHAIR)
    w.mover = new_person(503, "Көшпелі", w.pec1, term_end=datetime.date(YEAR, 6, 30))
    Membership.objects.create(person=w.mover, commission=w.abai_tec, term_start=datetime.date(YEAR, 7, 1))
    cec = Commission.objects.get(code="CEC")

    w.e1 = make_event(organiser=w.tec, day=datetime.date(YEAR, 3, 10), days=2, audiences=[precinct])
    for person, commission in ((w.member1, w.pec1), (w.member2, w.pec2), (w.mover, w.pec1)):
        enrol(w.e1, person, commission)
    attend(w.e1.day_sessions[0], w.member1, w.member2, w.mover)
    attend(w.e1.day_sessions[1], w.member1)
    w.e2 = make_event(organiser=w.abai_tec, day=datetime.date(YEAR, 9, 5), format="distance", audiences=[tec_members])
    for person in (w.mover, w.abai_member):
        enrol(w.e2, person, w.abai_tec)
    attend(w.e2.day_sessions[0], w.mover, w.abai_member)
    w.e3 = make_event(organiser=cec, day=datetime.date(YEAR, 11, 5), level="republican", audiences=[tec_chairs])
    enrol(w.e3, w.chair, w.tec)
    enrol(w.e3, w.abai_member, w.abai_tec)
    attend(w.e3.day_sessions[0], w.chair, w.abai_member)
    w.e4 = make_event(organiser=w.tec, day=datetime.date(YEAR, 4, 1), status="cancelled", audiences=[precinct])
    enrol(w.e4, w.member3, w.pec2)
    attend(w.e4.day_sessions[0], w.member3)
    w.e0 = make_event(organiser=w.tec, day=datetime.date(YEAR - 1, 5, 20), audiences=[precinct])
    enrol(w.e0, w.member1, w.pec1)
    attend(w.e0.day_sessions[0], w.member1)

    topic = Topic.objects.get(code="voter-lists")
    item = Item.objects.create(type="single", status="approved", topic=topic, has_kk=True)
    item.current = ItemVersion.objects.create(item=item, number=1, document={})
    item.save(update_fields=["current"])
    pre = make_exam(w, purpose=Purpose.PRE, event=w.e1)
    post = make_exam(w, purpose=Purpose.POST, event=w.e1, pre=pre)
    distance = make_exam(w, purpose=Purpose.DISTANCE, commission=cec)
    day = datetime.date(YEAR, 3, 11)
    for person, percent in ((w.member1, 40), (w.member2, 60), (w.mover, 50)):
        submitted(pre, person, percent, day=datetime.date(YEAR, 3, 10))
    answered(submitted(post, w.member1, 70, day=day), item, 1)
    answered(submitted(post, w.member2, 50, day=day), item, 0)
    submitted(distance, w.abai_member, 80, day=datetime.date(YEAR, 9, 10))
    submitted(distance, w.abai_member, 90, day=datetime.date(YEAR, 9, 11), number=2)

    award = Award.objects.create(kind=AwardKind.EVENT, event=w.e1, title_kk="Сертификат", title_ru="Сертификат",
                                 issuer=w.tec)
    w.cert1 = certificate(award, w.member1, day=datetime.date(YEAR, 3, 12))
    w.cert2 = certificate(award, w.member2, day=datetime.date(YEAR, 3, 12), revoked=True)
    for _ in range(2):
        check = VerificationCheck.objects.create(channel="page", number=w.cert1.number, status="valid")
        VerificationCheck.objects.filter(pk=check.pk).update(checked_at=moment(datetime.date(YEAR, 4, 2)))

    CoverageTarget.objects.create(year=YEAR, region=w.almaty_region, audience=precinct, target=10)
    return w
