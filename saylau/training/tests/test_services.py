"""The writes of training: every rule of the issue's quality bar, asserted on error codes, with nothing half-written."""

import datetime
import io

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from openpyxl import Workbook

from conftest import make_iin
from saylau.accounts.models import Role
from saylau.commissions.models import Membership, Person
from saylau.commissions.scoping import people_visible_to
from saylau.core.errors import Conflict, DomainError, PermissionDenied
from saylau.core.models import AuditEntry
from saylau.training import services
from saylau.training.models import (
    Accreditation,
    Attendance,
    CoverageTarget,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Event,
    EventStatus,
    EventTrainer,
    Session,
)

from .conftest import at, event_fields, new_person, new_user

DAY = datetime.timedelta(days=1)


def at_time(day, clock):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.fromisoformat(clock)))


def statuses(event) -> dict[str, str]:
    return dict(event.enrolments.values_list("person__surname", "status"))


# --- Events ---------------------------------------------------------------------------------------


def test_an_event_takes_its_region_from_the_organiser_and_is_audited(world, make_event):
    event = make_event(organiser=world.pec1, level="precinct")

    assert event.region == world.almaty_region
    assert event.status == EventStatus.SCHEDULED
    assert event.created_by == world.coordinator
    assert AuditEntry.objects.filter(action="event.created", object_id=str(event.pk), actor=world.coordinator).exists()


def test_a_national_event_has_no_region(world):
    event = services.event_create(by=world.admin, **event_fields(world, organiser=world.cec, level="republican"))

    assert event.region is None


def test_an_event_ending_before_it_starts_is_refused(world, make_event, today):
    with pytest.raises(DomainError) as error:
        make_event(starts_on=today, ends_on=today - DAY)

    assert error.value.code == "end_before_start"
    assert not Event.objects.exists()


@pytest.mark.parametrize("titles", [("", ""), ("", "Только по-русски"), ("Тек қазақша", "")])
def test_an_event_needs_its_title_in_kazakh_and_in_russian(world, make_event, titles):
    with pytest.raises(DomainError) as error:
        make_event(title_kk=titles[0], title_ru=titles[1])

    assert error.value.code == "title_required"
    assert not Event.objects.exists()


def test_a_model_rule_broken_is_a_coded_error_not_a_crash(world, make_event):
    with pytest.raises(DomainError) as error:
        make_event(online_link="not a link")

    assert error.value.code == "invalid"
    assert not Event.objects.exists()


def test_a_coordinator_cannot_organise_for_another_region(world):
    with pytest.raises(PermissionDenied) as error:
        services.event_create(by=world.abai_coordinator, **event_fields(world))

    assert error.value.code == "forbidden"
    assert not Event.objects.exists()


@pytest.mark.parametrize("role", ["participant", "trainer", "auditor"])
def test_only_managers_create_events(world, role):
    with pytest.raises(PermissionDenied):
        services.event_create(by=getattr(world, role), **event_fields(world))


def test_a_child_event_must_be_a_level_below_its_parent(world, make_event):
    parent = make_event(level="territorial")

    with pytest.raises(DomainError) as error:
        make_event(level="regional", organiser=world.regional, parent=parent)
    assert error.value.code == "parent_level"

    with pytest.raises(DomainError) as error:
        make_event(level="territorial", parent=parent)
    assert error.value.code == "parent_level"

    assert make_event(level="precinct", parent=parent).parent == parent


def test_a_cancelled_event_cannot_be_a_parent(world, make_event):
    parent = make_event(level="regional", organiser=world.regional)
    services.event_cancel(by=world.coordinator, event=parent, reason="Карантин")

    with pytest.raises(DomainError) as error:
        make_event(level="territorial", parent=parent)

    assert error.value.code == "parent_cancelled"


def test_updating_dates_is_audited_with_old_and_new_values(world, event):
    new_end = event.ends_on + DAY

    services.event_update(by=world.coordinator, event=event, ends_on=new_end, venue_room="301")

    event.refresh_from_db()
    assert (event.ends_on, event.venue_room) == (new_end, "301")
    entry = AuditEntry.objects.get(action="event.updated", object_id=str(event.pk))
    assert entry.changes["venue_room"] == ["204", "301"]
    assert entry.changes["ends_on"][1] == new_end.isoformat()


def test_an_update_cannot_leave_sessions_outside_the_event(world, event):
    with pytest.raises(DomainError) as error:
        services.event_update(by=world.coordinator, event=event, ends_on=event.starts_on)

    assert error.value.code == "sessions_outside"
    event.refresh_from_db()
    assert event.ends_on == event.starts_on + DAY


def test_an_update_keeps_the_end_after_the_start(world, event):
    with pytest.raises(DomainError) as error:
        services.event_update(by=world.coordinator, event=event, starts_on=event.ends_on + DAY)

    assert error.value.code == "end_before_start"


def test_an_event_cannot_move_to_another_region(world, event):
    with pytest.raises(DomainError) as error:
        services.event_update(by=world.admin, event=event, organiser=world.abai_tec)

    assert error.value.code == "region_change"


def test_another_regions_coordinator_cannot_update_or_cancel(world, event):
    with pytest.raises(PermissionDenied):
        services.event_update(by=world.abai_coordinator, event=event, venue_room="1")
    with pytest.raises(PermissionDenied):
        services.event_cancel(by=world.abai_coordinator, event=event, reason="x")


def test_cancelling_needs_a_reason_and_is_recorded(world, event):
    with pytest.raises(DomainError) as error:
        services.event_cancel(by=world.coordinator, event=event, reason="  ")
    assert error.value.code == "reason_required"

    services.event_cancel(by=world.coordinator, event=event, reason=" Карантин ")

    event.refresh_from_db()
    assert (event.status, event.cancel_reason) == (EventStatus.CANCELLED, "Карантин")
    assert AuditEntry.objects.filter(action="event.cancelled", object_id=str(event.pk)).exists()


def test_a_held_event_cannot_be_cancelled(world, event):
    services.event_close(by=world.coordinator, event=event)

    with pytest.raises(Conflict) as error:
        services.event_cancel(by=world.coordinator, event=event, reason="late")

    assert error.value.code == "already_held"


# --- Programme ------------------------------------------------------------------------------------


def test_the_programme_has_sessions_on_both_days_with_speakers(world, event):
    sessions = list(event.sessions.all())

    assert [s.day for s in sessions] == [event.starts_on, event.starts_on, event.ends_on]
    assert event.s1.speakers.get().display_name == world.chair.full_name
    external = event.s2.speakers.get()
    assert (external.display_name, external.organisation) == ("Әлия Нұрланқызы", "Электоралдық оқыту орталығы")


def test_each_session_gets_its_own_short_code(world, event):
    codes = {s.check_in_code for s in event.sessions.all()}

    assert len(codes) == 3
    assert all(len(code) == 6 and set(code) <= set(services.CHECK_IN_ALPHABET) for code in codes)


@pytest.mark.parametrize("offset", [-1, 2])
def test_a_session_outside_the_events_days_is_refused(world, event, offset):
    day = event.starts_on + offset * DAY

    with pytest.raises(DomainError) as error:
        services.session_create(by=world.coordinator, event=event, day=day, starts_at=datetime.time(9),
                                ends_at=datetime.time(10), title_kk="x", title_ru="x")

    assert error.value.code == "session_outside_event"
    assert event.sessions.count() == 3


@pytest.mark.parametrize("ends_at", [datetime.time(8, 59), datetime.time(9, 0)])
def test_a_session_ending_before_it_starts_is_refused(world, event, ends_at):
    with pytest.raises(DomainError) as error:
        services.session_create(by=world.coordinator, event=event, day=event.starts_on, starts_at=datetime.time(9),
                                ends_at=ends_at, title_kk="x", title_ru="x",
                                speakers=[{"name": "Сыртқы спикер"}])

    assert error.value.code == "session_end_before_start"
    assert event.sessions.count() == 3


def test_only_managers_add_sessions(world, event, event_trainer):
    for user in (event_trainer, world.trainer, world.abai_coordinator, world.participant):
        with pytest.raises(PermissionDenied):
            services.session_create(by=user, event=event, day=event.starts_on, starts_at=datetime.time(14),
                                    ends_at=datetime.time(15), title_kk="x", title_ru="x")
    assert event.sessions.count() == 3


# --- Trainers and the cascade ---------------------------------------------------------------------


def test_a_root_event_takes_any_trainer(world, event):
    trainer = services.trainer_add(by=world.coordinator, event=event, person=world.member2)

    assert trainer.event == event
    assert services.trainer_add(by=world.coordinator, event=event, person=world.member2) == trainer


def test_a_child_event_refuses_an_unaccredited_trainer(world, make_event):
    parent = make_event(level="regional", organiser=world.regional)
    child = make_event(level="territorial", parent=parent)

    with pytest.raises(DomainError) as error:
        services.trainer_add(by=world.coordinator, event=child, person=world.member2)

    assert error.value.code == "not_accredited"
    assert not EventTrainer.objects.filter(event=child).exists()


def test_a_child_event_with_an_unaccredited_trainer_is_not_created_at_all(world, make_event):
    parent = make_event(level="regional", organiser=world.regional)

    with pytest.raises(DomainError) as error:
        make_event(level="territorial", parent=parent, trainers=[world.member2])

    assert error.value.code == "not_accredited"
    assert list(Event.objects.all()) == [parent]


def test_an_accreditation_must_be_valid_on_the_child_events_first_day(world, make_event, today):
    parent = make_event(level="regional", organiser=world.regional, starts_on=today - 60 * DAY,
                        ends_on=today - 59 * DAY)
    child = make_event(level="territorial", parent=parent)
    Accreditation.objects.create(person=world.member2, event=parent, region=world.almaty_region,
                                 issued_on=today - 400 * DAY, valid_until=today - DAY)
    Accreditation.objects.create(person=world.chair, event=parent, region=world.almaty_region,
                                 issued_on=today + DAY, valid_until=today + 400 * DAY)

    for person in (world.member2, world.chair):
        with pytest.raises(DomainError) as error:
            services.trainer_add(by=world.coordinator, event=child, person=person)
        assert error.value.code == "not_accredited"

    Accreditation.objects.create(person=world.member1, event=parent, region=world.almaty_region,
                                 issued_on=today - 59 * DAY, valid_until=today)
    assert services.trainer_add(by=world.coordinator, event=child, person=world.member1).person == world.member1


def test_only_managers_add_trainers(world, event):
    with pytest.raises(PermissionDenied):
        services.trainer_add(by=world.abai_coordinator, event=event, person=world.member2)
    assert not event.trainers.exists()


def test_the_cascade_fixture_accredits_the_national_trainer(world, cascade_tree):
    accreditation = Accreditation.objects.get(person=world.chair)

    assert accreditation.event == cascade_tree.national
    assert accreditation.valid_until == datetime.date(2027, 2, 12)
    assert [t.person for t in cascade_tree.precinct2.trainers.all()] == [world.chair]


# --- Enrolment by list ----------------------------------------------------------------------------


def test_enrolment_beyond_capacity_goes_to_the_waiting_list(world, make_event):
    event = make_event(capacity=1)

    result = services.enrol_list(by=world.coordinator, event=event, people=[world.chair, world.member1, world.member2])

    assert (result.enrolled, result.waitlisted, result.already) == (1, 2, 0)
    assert statuses(event) == {"Ахметов": "enrolled", "Омарова": "waitlisted", "Иванов": "waitlisted"}
    assert AuditEntry.objects.filter(action="enrolment.waitlisted", object_id=str(event.pk)).count() == 2


def test_cancelling_a_place_promotes_the_first_on_the_waiting_list(world, make_event):
    event = make_event(capacity=1)
    services.enrol_list(by=world.coordinator, event=event, people=[world.chair])
    services.enrol_list(by=world.coordinator, event=event, people=[world.member1])
    services.enrol_list(by=world.coordinator, event=event, people=[world.member2])

    promoted = services.enrolment_cancel(by=world.coordinator, enrolment=Enrolment.objects.get(person=world.chair))

    assert promoted.person == world.member1
    assert statuses(event) == {"Ахметов": "cancelled", "Омарова": "enrolled", "Иванов": "waitlisted"}
    assert AuditEntry.objects.filter(action="enrolment.promoted").count() == 1


def test_cancelling_a_waiting_place_promotes_nobody(world, make_event):
    event = make_event(capacity=1)
    services.enrol_list(by=world.coordinator, event=event, people=[world.chair, world.member1, world.member2])

    assert services.enrolment_cancel(by=world.coordinator, enrolment=Enrolment.objects.get(person=world.member1)) is None
    assert statuses(event) == {"Ахметов": "enrolled", "Омарова": "cancelled", "Иванов": "waitlisted"}


def test_a_person_enrolled_twice_is_enrolled_once(world, event):
    first = services.enrol_list(by=world.coordinator, event=event, people=[world.member1, world.member1])
    second = services.enrol_list(by=world.coordinator, event=event, people=[world.member1, world.member2])

    assert (first.enrolled, first.already) == (1, 1)
    assert (second.enrolled, second.already) == (1, 1)
    assert event.enrolments.filter(person=world.member1).count() == 1
    assert event.enrolments.count() == 2


def test_a_cancelled_place_can_be_given_back_but_a_rejected_request_is_not_reopened_by_its_author(world, make_event):
    event = make_event(capacity=1)
    services.enrol_list(by=world.coordinator, event=event, people=[world.chair, world.member2])
    services.enrolment_cancel(by=world.coordinator, enrolment=Enrolment.objects.get(person=world.chair))

    again = services.enrol_list(by=world.coordinator, event=event, people=[world.chair])

    assert (again.enrolled, again.waitlisted, again.already) == (0, 1, 0)
    assert statuses(event) == {"Ахметов": "waitlisted", "Иванов": "enrolled"}
    assert event.enrolments.count() == 2

    services.enrolment_decide(by=world.coordinator, enrolment=services.self_register(user=world.participant, event=event),
                              approve=False)
    services.self_register(user=world.participant, event=event)
    assert event.enrolments.get(person=world.member1).status == EnrolmentStatus.REJECTED


def test_enrolment_records_the_current_commission(world, event):
    services.enrol_list(by=world.coordinator, event=event, people=[world.member1])

    enrolment = event.enrolments.get()
    assert (enrolment.commission, enrolment.source, enrolment.created_by) == (world.pec1, "list", world.coordinator)


def test_a_cancelled_or_held_event_takes_no_enrolments(world, make_event):
    cancelled = make_event()
    services.event_cancel(by=world.coordinator, event=cancelled, reason="x")
    held = make_event()
    services.event_close(by=world.coordinator, event=held)

    for event in (cancelled, held):
        with pytest.raises(Conflict) as error:
            services.enrol_list(by=world.coordinator, event=event, people=[world.member1])
        assert error.value.code == "event_closed"
    assert not Enrolment.objects.exists()


def test_only_managers_enrol(world, event, event_trainer):
    for user in (world.abai_coordinator, world.trainer, event_trainer, world.participant, world.auditor):
        with pytest.raises(PermissionDenied):
            services.enrol_list(by=user, event=event, people=[world.member1])
    assert not event.enrolments.exists()


# --- Enrolment by filter --------------------------------------------------------------------------


def test_enrol_by_filter_takes_current_members_only(world, event, today):
    ex_member = new_person(500, "Бұрынғы", world.pec1, term_end=today - DAY)
    future = new_person(501, "Болашақ", world.pec2, term_start=today + 30 * DAY)

    result = services.enrol_by_filter(by=world.coordinator, event=event,
                                      memberships=Membership.objects.filter(commission__level="precinct"))

    assert result.enrolled == 2
    assert set(event.enrolments.values_list("person__surname", flat=True)) == {"Омарова", "Иванов"}
    assert not event.enrolments.filter(person__in=[ex_member, future]).exists()
    assert set(event.enrolments.values_list("source", flat=True)) == {EnrolmentSource.FILTER}


def test_an_ex_member_who_sits_elsewhere_now_is_enrolled_through_the_current_seat_only(world, event, today):
    mover = new_person(502, "Көшкен", world.pec1, term_end=today - DAY)
    Membership.objects.create(person=mover, commission=world.abai_tec, position="member", term_start=today)

    services.enrol_by_filter(by=world.admin, event=event,
                             memberships=Membership.objects.filter(commission=world.pec1))

    assert not event.enrolments.filter(person=mover).exists()


def test_enrol_by_filter_over_chairs_of_territorial_commissions(world, event):
    services.enrol_by_filter(by=world.coordinator, event=event,
                             memberships=Membership.objects.filter(commission__level="territorial", position="chair",
                                                                   basis="permanent", commission__region=world.almaty_region))

    assert list(event.enrolments.values_list("person", flat=True)) == [world.chair.pk]


def test_a_filter_matching_only_ex_members_is_an_error(world, event, today):
    Membership.objects.filter(person=world.member2).update(term_end=today - DAY)

    with pytest.raises(DomainError) as error:
        services.enrol_by_filter(by=world.coordinator, event=event,
                                 memberships=Membership.objects.filter(commission=world.pec2))

    assert error.value.code == "filter_empty"
    assert not event.enrolments.exists()


def test_enrol_by_filter_respects_capacity_and_duplicates(world, make_event):
    event = make_event(capacity=2)
    services.enrol_list(by=world.coordinator, event=event, people=[world.member1])

    result = services.enrol_by_filter(by=world.coordinator, event=event,
                                      memberships=Membership.objects.filter(commission__region=world.almaty_region))

    assert (result.enrolled, result.waitlisted, result.already) == (1, 1, 1)


# --- Enrolment by file ----------------------------------------------------------------------------


def csv_file(*iins, header="ИИН") -> bytes:
    return ("\n".join([f"{header};Фамилия", *[f"{iin};x" for iin in iins]]) + "\n").encode()


def enrol_file(world, event, content, *, filename="list.csv", by=None):
    by = by or world.coordinator
    return services.enrol_by_file(by=by, event=event, filename=filename, content=content,
                                  people_scope=people_visible_to(by))


def test_enrol_by_file_reads_the_iin_column(world, event):
    result = enrol_file(world, event, csv_file(world.member1.iin, world.member2.iin, world.member1.iin))

    assert result.enrolled == 2
    assert set(event.enrolments.values_list("source", flat=True)) == {EnrolmentSource.FILE}


def test_enrol_by_file_reads_xlsx_with_a_kazakh_header(world, event):
    workbook = Workbook()
    workbook.active.append(["Тегі", "ЖСН"])
    workbook.active.append(["Омарова", world.member1.iin])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = enrol_file(world, event, buffer.getvalue(), filename="тізім.xlsx")

    assert result.enrolled == 1


def test_a_file_with_a_bad_iin_enrols_nobody(world, event):
    bad = world.member2.iin[:11] + str((int(world.member2.iin[11]) + 1) % 10)

    with pytest.raises(services.EnrolmentFileRejected) as error:
        enrol_file(world, event, csv_file(world.member1.iin, bad, "12AB34"))

    assert error.value.code == "file_rejected"
    assert [(p["row"], p["code"]) for p in error.value.problems] == [(3, "iin_checksum"), (4, "iin_format")]
    assert all(p["column"] == "ИИН" for p in error.value.problems)
    assert not Enrolment.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="enrolment.").exists()


def test_a_file_with_an_unknown_iin_enrols_nobody(world, event):
    stranger = make_iin(7777, year=1999)

    with pytest.raises(services.EnrolmentFileRejected) as error:
        enrol_file(world, event, csv_file(world.member1.iin, stranger))

    assert [(p["row"], p["code"]) for p in error.value.problems] == [(3, "unknown_person")]
    assert stranger in error.value.problems[0]["message"]
    assert not Enrolment.objects.exists()


def test_a_file_cannot_reach_people_outside_the_users_part_of_the_registry(world, event):
    with pytest.raises(services.EnrolmentFileRejected) as error:
        enrol_file(world, event, csv_file(world.abai_member.iin))

    assert error.value.problems[0]["code"] == "unknown_person"


def test_a_file_without_an_iin_column_is_rejected(world, event):
    with pytest.raises(services.EnrolmentFileRejected) as error:
        enrol_file(world, event, csv_file(world.member1.iin, header="Номер"))

    assert error.value.problems[0]["code"] == "missing_column"


def test_an_empty_file_is_rejected(world, event):
    with pytest.raises(services.EnrolmentFileRejected) as error:
        enrol_file(world, event, b"  \n")

    assert error.value.problems[0]["code"] == "file_empty"


# --- Self-registration and approval ---------------------------------------------------------------


def test_self_registration_waits_for_approval_then_is_approved(world, event, django_capture_on_commit_callbacks):
    enrolment = services.self_register(user=world.participant, event=event)
    assert (enrolment.status, enrolment.source) == (EnrolmentStatus.PENDING, EnrolmentSource.SELF)

    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_decide(by=world.coordinator, enrolment=enrolment, approve=True)

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert [m.to for m in mail.outbox] == [[world.member1.email]]


def test_self_registration_can_be_rejected(world, event):
    enrolment = services.self_register(user=world.participant, event=event)

    services.enrolment_decide(by=world.coordinator, enrolment=enrolment, approve=False)

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.REJECTED
    with pytest.raises(Conflict) as error:
        services.enrolment_decide(by=world.coordinator, enrolment=enrolment, approve=True)
    assert error.value.code == "not_pending"


def test_an_approval_beyond_capacity_goes_to_the_waiting_list(world, make_event):
    event = make_event(capacity=1)
    services.enrol_list(by=world.coordinator, event=event, people=[world.chair])
    enrolment = services.self_register(user=world.participant, event=event)

    services.enrolment_decide(by=world.coordinator, enrolment=enrolment, approve=True)

    assert enrolment.status == EnrolmentStatus.WAITLISTED


def test_self_registration_twice_is_one_request(world, event):
    services.self_register(user=world.participant, event=event)
    services.self_register(user=world.participant, event=event)

    assert event.enrolments.count() == 1


def test_self_registration_is_only_for_the_participants_region_or_national_events(world):
    abai_event = services.event_create(by=world.abai_coordinator, **event_fields(world, organiser=world.abai_tec))

    with pytest.raises(PermissionDenied):
        services.self_register(user=world.participant, event=abai_event)
    with pytest.raises(PermissionDenied):
        services.self_register(user=world.trainer, event=abai_event)  # no person in the registry
    assert not Enrolment.objects.exists()


def test_an_ex_member_cannot_ask_to_join_their_former_regions_events(world, event, today):
    Membership.objects.filter(person=world.member1).update(term_end=today - DAY)

    with pytest.raises(PermissionDenied):
        services.self_register(user=world.participant, event=event)

    national = services.event_create(by=world.admin, **event_fields(world, organiser=world.cec, level="republican"))
    assert services.self_register(user=world.participant, event=national).status == EnrolmentStatus.PENDING


def test_only_the_events_managers_decide(world, event):
    enrolment = services.self_register(user=world.participant, event=event)

    for user in (world.participant, world.abai_coordinator, world.auditor):
        with pytest.raises(PermissionDenied):
            services.enrolment_decide(by=user, enrolment=enrolment, approve=True)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.PENDING


# --- Attendance -----------------------------------------------------------------------------------


def test_the_assigned_trainer_marks_the_roster(world, enrolled, event_trainer):
    with at(enrolled.starts_on, "09:05"):
        attendance = services.attendance_mark(by=event_trainer, session=enrolled.s1, person=world.member1, present=True)

    assert (attendance.method, attendance.late, attendance.marked_by) == ("roster", False, event_trainer)
    assert AuditEntry.objects.filter(action="attendance.marked", actor=event_trainer).exists()


def test_a_second_tap_does_not_duplicate_and_present_false_clears(world, enrolled, event_trainer):
    services.attendance_mark(by=event_trainer, session=enrolled.s1, person=world.member1, present=True)
    services.attendance_mark(by=event_trainer, session=enrolled.s1, person=world.member1, present=True)
    assert Attendance.objects.count() == 1

    assert services.attendance_mark(by=event_trainer, session=enrolled.s1, person=world.member1, present=False) is None
    assert not Attendance.objects.exists()


def test_the_roster_notes_a_late_arrival_on_the_day(world, enrolled, event_trainer):
    with at(enrolled.starts_on, "09:11"):
        late = services.attendance_mark(by=event_trainer, session=enrolled.s1, person=world.member1, present=True)
    with at(enrolled.starts_on, "09:10"):
        on_time = services.attendance_mark(by=event_trainer, session=enrolled.s1, person=world.member2, present=True)

    assert (late.late, on_time.late) == (True, False)


def test_marking_the_roster_afterwards_is_not_late(world, enrolled):
    with at(enrolled.ends_on + 3 * DAY, "18:00"):
        attendance = services.attendance_mark(by=world.coordinator, session=enrolled.s1, person=world.member1,
                                              present=True)

    assert attendance.late is False


def test_other_trainers_cannot_mark_the_roster(world, enrolled, event_trainer):
    other = new_user("other_trainer", Role.TRAINER, region=world.almaty_region,
                     person=new_person(901, "Басқа", world.tec))

    for user in (world.trainer, other, world.abai_coordinator, world.participant, world.auditor):
        with pytest.raises(PermissionDenied) as error:
            services.attendance_mark(by=user, session=enrolled.s1, person=world.member1, present=True)
        assert error.value.code == "forbidden"
    assert not Attendance.objects.exists()


def test_a_trainer_assigned_elsewhere_cannot_mark_this_event(world, enrolled, event_trainer, make_event):
    other_event = make_event()
    EventTrainer.objects.filter(person=event_trainer.person).update(event=other_event)

    with pytest.raises(PermissionDenied):
        services.attendance_mark(by=event_trainer, session=enrolled.s1, person=world.member1, present=True)


def test_only_enrolled_people_are_on_the_roster(world, make_event, event, event_trainer):
    services.enrol_list(by=world.coordinator, event=event, people=[world.member1])
    services.self_register(user=world.participant, event=event)  # already enrolled: stays enrolled
    pending = new_user("pending", Role.PARTICIPANT, person=world.member2)
    services.self_register(user=pending, event=event)

    for person in (world.chair, world.member2):  # never enrolled; awaiting approval
        with pytest.raises(DomainError) as error:
            services.attendance_mark(by=event_trainer, session=event.s1, person=person, present=True)
        assert error.value.code == "not_enrolled"
    assert not Attendance.objects.exists()


def test_someone_on_the_waiting_list_is_not_on_the_roster(world, make_event):
    small = make_event(capacity=1)
    services.enrol_list(by=world.coordinator, event=small, people=[world.member1, world.member2])
    session = services.session_create(by=world.coordinator, event=small, day=small.starts_on,
                                      starts_at=datetime.time(9), ends_at=datetime.time(10), title_kk="x", title_ru="x")

    with pytest.raises(DomainError) as error:
        services.attendance_mark(by=world.coordinator, session=session, person=world.member2, present=True)

    assert error.value.code == "not_enrolled"


def test_check_in_with_the_code_on_time(world, enrolled):
    with at(enrolled.starts_on, "08:55") as moment:
        attendance = services.check_in(user=world.participant, code=f" {enrolled.s1.check_in_code.lower()} ")

    assert (attendance.person, attendance.session) == (world.member1, enrolled.s1)
    assert (attendance.method, attendance.late, attendance.checked_in_at) == ("code", False, moment)


def test_check_in_after_ten_minutes_is_late(world, enrolled):
    with at(enrolled.starts_on, "09:25"):
        attendance = services.check_in(user=world.participant, code=enrolled.s1.check_in_code, method="qr")

    assert (attendance.method, attendance.late) == ("qr", True)


def test_check_in_with_an_expired_code_is_refused(world, enrolled):
    with at(enrolled.starts_on, "10:31"), pytest.raises(DomainError) as error:
        services.check_in(user=world.participant, code=enrolled.s1.check_in_code)

    assert error.value.code == "code_expired"
    assert not Attendance.objects.exists()


def test_yesterdays_code_is_expired(world, enrolled):
    with at(enrolled.ends_on, "09:30"), pytest.raises(DomainError) as error:
        services.check_in(user=world.participant, code=enrolled.s1.check_in_code)

    assert error.value.code == "code_expired"


def test_check_in_closes_when_the_trainer_says(world, enrolled):
    session = enrolled.s1
    session.check_in_open_until = at_time(session.day, "09:15")
    session.save()

    with at(session.day, "09:16"), pytest.raises(DomainError) as error:
        services.check_in(user=world.participant, code=session.check_in_code)
    assert error.value.code == "code_expired"

    session.check_in_open_until = at_time(session.day, "11:00")
    session.save()
    with at(session.day, "10:45"):
        assert services.check_in(user=world.participant, code=session.check_in_code).late is True


def test_check_in_opens_an_hour_before_the_session(world, enrolled):
    with at(enrolled.starts_on, "07:59"), pytest.raises(DomainError) as error:
        services.check_in(user=world.participant, code=enrolled.s1.check_in_code)
    assert error.value.code == "code_not_yet"

    with at(enrolled.starts_on, "08:00"):
        assert services.check_in(user=world.participant, code=enrolled.s1.check_in_code)


def test_check_in_with_an_unknown_code(world, enrolled):
    with pytest.raises(DomainError) as error:
        services.check_in(user=world.participant, code="ZZZZZZ1")

    assert error.value.code == "unknown_code"


def test_check_in_by_someone_not_enrolled_is_refused(world, event):
    services.self_register(user=world.participant, event=event)  # pending is not enrolled

    for user in (world.participant, world.trainer):
        with at(event.starts_on, "09:00"), pytest.raises(DomainError) as error:
            services.check_in(user=user, code=event.s1.check_in_code)
        assert error.value.code == "not_enrolled"
    assert not Attendance.objects.exists()


def test_checking_in_twice_keeps_the_first_time(world, enrolled):
    with at(enrolled.starts_on, "09:00"):
        first = services.check_in(user=world.participant, code=enrolled.s1.check_in_code)
    with at(enrolled.starts_on, "09:30"):
        second = services.check_in(user=world.participant, code=enrolled.s1.check_in_code)

    assert second.pk == first.pk and second.late is False
    assert AuditEntry.objects.filter(action="attendance.checked_in").count() == 1


def test_attendance_rates_per_enrolled_person(world, enrolled):
    for session in (enrolled.s1, enrolled.s2):
        services.attendance_mark(by=world.coordinator, session=session, person=world.member1, present=True)
    services.attendance_mark(by=world.coordinator, session=enrolled.s3, person=world.member2, present=True)

    assert services.attendance_rates(enrolled) == {world.member1.pk: pytest.approx(2 / 3),
                                                   world.member2.pk: pytest.approx(1 / 3)}


def test_attendance_rates_of_an_event_without_a_programme(world, make_event):
    assert services.attendance_rates(make_event()) == {}


# --- Closing and accreditation --------------------------------------------------------------------


def test_closing_a_training_of_trainers_accredits_those_who_attended_enough(world, make_event, today):
    tot = make_event(level="regional", organiser=world.regional, trains_trainers=True, min_attendance_percent=75,
                     accreditation_months=12, starts_on=today - 3 * DAY, ends_on=today - 2 * DAY)
    sessions = [
        services.session_create(by=world.coordinator, event=tot, day=tot.starts_on, starts_at=datetime.time(h),
                                ends_at=datetime.time(h + 1), title_kk=f"{h}", title_ru=f"{h}")
        for h in (9, 10, 11, 12)
    ]
    services.enrol_list(by=world.coordinator, event=tot, people=[world.chair, world.member1, world.member2])
    for person, attended in ((world.chair, 4), (world.member1, 3), (world.member2, 2)):
        for session in sessions[:attended]:
            services.attendance_mark(by=world.coordinator, session=session, person=person, present=True)

    issued = services.event_close(by=world.coordinator, event=tot)

    assert {a.person_id for a in issued} == {world.chair.pk, world.member1.pk}
    accreditation = Accreditation.objects.get(person=world.member1)
    assert (accreditation.issued_on, accreditation.valid_until) == (tot.ends_on, services._add_months(tot.ends_on, 12))
    assert accreditation.region == world.almaty_region
    assert not Accreditation.objects.filter(person=world.member2).exists()
    tot.refresh_from_db()
    assert tot.status == EventStatus.HELD
    assert AuditEntry.objects.get(action="event.closed").changes == {"accreditations": 2}


def test_closing_an_ordinary_event_accredits_nobody(world, enrolled):
    services.attendance_mark(by=world.coordinator, session=enrolled.s1, person=world.member1, present=True)

    assert services.event_close(by=world.coordinator, event=enrolled) == []
    assert not Accreditation.objects.exists()


def test_an_event_cannot_be_closed_before_it_starts_or_twice(world, make_event, today):
    future = make_event(starts_on=today + DAY, ends_on=today + DAY)
    with pytest.raises(DomainError) as error:
        services.event_close(by=world.coordinator, event=future)
    assert error.value.code == "not_started"

    current = make_event()
    services.event_close(by=world.coordinator, event=current)
    with pytest.raises(Conflict) as error:
        services.event_close(by=world.coordinator, event=current)
    assert error.value.code == "not_scheduled"


def test_only_managers_close_events(world, event, event_trainer):
    for user in (event_trainer, world.abai_coordinator, world.auditor):
        with pytest.raises(PermissionDenied):
            services.event_close(by=user, event=event)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (datetime.date(2025, 1, 31), 1, datetime.date(2025, 2, 28)),
    (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
    (datetime.date(2025, 11, 6), 24, datetime.date(2027, 11, 6)),
    (datetime.date(2025, 12, 15), 1, datetime.date(2026, 1, 15)),
])
def test_add_months_keeps_the_day_where_the_month_allows(day, months, expected):
    assert services._add_months(day, months) == expected


# --- Notifications --------------------------------------------------------------------------------


def test_enrolment_mail_is_in_the_persons_language_with_a_calendar_file(world, event, django_capture_on_commit_callbacks):
    Person.objects.filter(pk=world.member2.pk).update(language="ru")

    with django_capture_on_commit_callbacks(execute=True):
        services.enrol_list(by=world.coordinator, event=event, people=[world.member1, world.member2])

    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {world.member1.email, world.member2.email}
    kazakh, russian = by_address[world.member1.email], by_address[world.member2.email]
    assert kazakh.subject == f"Сіз іс-шараға тіркелдіңіз: {event.title_kk}"
    assert russian.subject == f"Вы записаны на мероприятие: {event.title_ru}"
    assert "Сайлау науқанын ұйымдастыру" in kazakh.body
    assert "Организация избирательной кампании" in russian.body
    assert world.chair.full_name in russian.body

    for message, language_title in ((kazakh, event.s3.title_kk), (russian, event.s3.title_ru)):
        (name, content, mimetype), = message.attachments
        assert (name, mimetype) == ("event.ics", "text/calendar")
        calendar = Calendar.from_ical(content)
        entries = calendar.walk("VEVENT")
        assert len(entries) == 3
        summaries = [str(entry["summary"]) for entry in entries]
        assert any(language_title in summary for summary in summaries)
        first = min(entries, key=lambda entry: entry.decoded("dtstart"))
        start = first.decoded("dtstart")
        assert (start.date(), start.hour, start.minute) == (event.starts_on, 9, 0)
        assert start.utcoffset() is not None
        assert "Абай к-сі 1" in str(first["location"])


def test_nobody_on_the_waiting_list_or_without_an_email_is_mailed(world, make_event, django_capture_on_commit_callbacks):
    event = make_event(capacity=2)
    no_email = new_person(600, "Поштасыз", world.pec1, email=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.enrol_list(by=world.coordinator, event=event, people=[no_email, world.member1, world.member2])

    assert [m.to for m in mail.outbox] == [[world.member1.email]]


def test_a_promotion_from_the_waiting_list_is_mailed(world, make_event, django_capture_on_commit_callbacks):
    event = make_event(capacity=1)
    services.enrol_list(by=world.coordinator, event=event, people=[world.chair, world.member1])

    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_cancel(by=world.coordinator, enrolment=Enrolment.objects.get(person=world.chair))

    assert [m.to for m in mail.outbox] == [[world.member1.email]]


def test_the_calendar_of_an_event_without_a_programme_covers_its_days(world, make_event):
    from saylau.training.notifications import event_calendar

    event = make_event()
    services.event_cancel(by=world.coordinator, event=event, reason="x")

    entry, = Calendar.from_ical(event_calendar([event], language="ru")).walk("VEVENT")

    assert entry.decoded("dtstart") == event.starts_on
    assert entry.decoded("dtend") == event.ends_on + DAY
    assert str(entry["summary"]) == event.title_ru
    assert str(entry["status"]) == "CANCELLED"


def test_deleting_an_event_deletes_its_programme(world, event):
    Event.objects.filter(pk=event.pk).delete()

    assert not Session.objects.exists()


# --- Roadmap and coverage targets -----------------------------------------------------------------


def test_the_cec_administrator_creates_the_roadmap_once_a_year(world):
    roadmap = services.roadmap_create(by=world.admin, year=2025, resolution_number="58/73",
                                      resolution_date=datetime.date(2024, 12, 11))

    assert AuditEntry.objects.filter(action="roadmap.created", object_id=str(roadmap.pk)).exists()
    with pytest.raises(Conflict) as error:
        services.roadmap_create(by=world.admin, year=2025, resolution_number="1", resolution_date=datetime.date(2025, 1, 1))
    assert error.value.code == "roadmap_exists"


@pytest.mark.parametrize("role", ["coordinator", "auditor", "trainer", "participant"])
def test_only_the_administrator_changes_the_roadmap_and_targets(world, role, precinct_members):
    user = getattr(world, role)
    roadmap = services.roadmap_create(by=world.admin, year=2025, resolution_number="58/73",
                                      resolution_date=datetime.date(2024, 12, 11))

    for call in (
        lambda: services.roadmap_create(by=user, year=2026, resolution_number="1", resolution_date=datetime.date(2025, 12, 1)),
        lambda: services.roadmap_item_create(by=user, roadmap=roadmap, title_kk="x", title_ru="x", kind="seminar",
                                             level="regional", responsible=world.regional),
        lambda: services.coverage_target_set(by=user, year=2025, region=world.almaty_region, audience=precinct_members,
                                             target=10),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert (roadmap.items.count(), CoverageTarget.objects.count()) == (0, 0)


def test_roadmap_items_are_numbered_and_take_their_quarter_from_the_month(world, precinct_members):
    roadmap = services.roadmap_create(by=world.admin, year=2025, resolution_number="58/73",
                                      resolution_date=datetime.date(2024, 12, 11))

    first = services.roadmap_item_create(by=world.admin, roadmap=roadmap, title_kk="Семинар", title_ru="Семинар",
                                         kind="seminar", level="territorial", responsible=world.tec, planned_month=8,
                                         audiences=[precinct_members], planned_participants=1500)
    second = services.roadmap_item_create(by=world.admin, roadmap=roadmap, title_kk="Вебинар", title_ru="Вебинар",
                                          kind="webinar", level="republican", responsible=world.cec, planned_quarter=4)

    assert (first.number, first.planned_quarter) == (1, 3)
    assert (second.number, second.planned_month, second.planned_quarter) == (2, None, 4)
    assert list(first.audiences.all()) == [precinct_members]


@pytest.mark.parametrize(("fields", "code"), [({"planned_month": 13}, "bad_month"), ({"planned_quarter": 5}, "bad_quarter")])
def test_a_roadmap_item_with_a_bad_month_or_quarter_is_refused(world, fields, code):
    roadmap = services.roadmap_create(by=world.admin, year=2025, resolution_number="58/73",
                                      resolution_date=datetime.date(2024, 12, 11))

    with pytest.raises(DomainError) as error:
        services.roadmap_item_create(by=world.admin, roadmap=roadmap, title_kk="x", title_ru="x", kind="seminar",
                                     level="regional", responsible=world.regional, **fields)

    assert error.value.code == code
    assert not roadmap.items.exists()


def test_a_coverage_target_is_set_then_changed_in_place(world, precinct_members):
    services.coverage_target_set(by=world.admin, year=2025, region=world.almaty_region, audience=precinct_members,
                                 target=900)
    services.coverage_target_set(by=world.admin, year=2025, region=world.almaty_region, audience=precinct_members,
                                 target=1500)

    assert list(CoverageTarget.objects.values_list("target", flat=True)) == [1500]
    assert AuditEntry.objects.filter(action="coverage_target.set").count() == 2


def test_check_in_to_a_cancelled_event_is_refused(world, enrolled):
    services.event_cancel(by=world.coordinator, event=enrolled, reason="Су тасқыны / Паводок")
    with at(enrolled.starts_on, "08:55"), pytest.raises(DomainError) as error:
        services.check_in(user=world.participant, code=enrolled.s1.check_in_code)

    assert error.value.code == "event_cancelled"
    assert not Attendance.objects.exists()


def test_a_trainer_accredited_for_another_region_cannot_teach_a_cascade_event_here(world, cascade_tree):
    from saylau.training.models import Accreditation

    Accreditation.objects.create(person=world.abai_member, event=cascade_tree.national, region=world.abai,
                                 issued_on=datetime.date(2025, 2, 12), valid_until=datetime.date(2027, 2, 12))
    with pytest.raises(DomainError) as error:
        services.trainer_add(by=world.coordinator, event=cascade_tree.territorial, person=world.abai_member)

    assert error.value.code == "not_accredited"
    assert not cascade_tree.territorial.trainers.filter(person=world.abai_member).exists()
