"""The training pages for each role: what renders, what is refused, and the forms behind them."""

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from icalendar import Calendar

from saylau.core.models import AuditEntry
from saylau.training import services
from saylau.training.models import (
    Accreditation,
    Attendance,
    CoverageTarget,
    Enrolment,
    EnrolmentStatus,
    Event,
    EventStatus,
    Roadmap,
    RoadmapItem,
)

from .conftest import at, event_fields, new_person

DAY = datetime.timedelta(days=1)
ROLES = ["admin", "auditor", "coordinator", "abai_coordinator", "trainer", "participant"]


def login(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# --- Who gets which page --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/training/", "/training/calendar/", "/training/calendar.ics", "/training/new/",
                                  "/training/mine/", "/training/roadmap/", "/training/coverage/",
                                  "/training/check-in/", "/training/{event}/", "/training/{event}/programme/",
                                  "/training/{event}/cascade/", "/training/sessions/{session}/roster/"])
def test_anonymous_visitors_are_sent_to_log_in(client, world, event, path):
    response = client.get(path.format(event=event.pk, session=event.s1.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/training/", "/training/calendar/", "/training/roadmap/", "/training/coverage/",
                                  "/training/check-in/"])
def test_the_general_pages_render_for_every_role(client, world, event, role, path):
    assert login(client, getattr(world, role)).get(path).status_code == 200


EVENT_PAGES = {
    # page: expected status per role (the participant here is not enrolled)
    "/training/{event}/": {"admin": 200, "auditor": 200, "coordinator": 200, "trainer": 200,
                           "abai_coordinator": 404, "participant": 404},
    "/training/{event}/programme/": {"admin": 200, "auditor": 200, "coordinator": 200, "trainer": 200,
                                     "abai_coordinator": 404, "participant": 404},
    "/training/{event}/cascade/": {"admin": 200, "auditor": 200, "coordinator": 200, "trainer": 200,
                                   "abai_coordinator": 404, "participant": 404},
    "/training/{event}/edit/": {"admin": 200, "auditor": 403, "coordinator": 200, "trainer": 403,
                                "abai_coordinator": 404, "participant": 404},
    "/training/{event}/sessions/new/": {"admin": 200, "auditor": 403, "coordinator": 200, "trainer": 403,
                                        "abai_coordinator": 404, "participant": 404},
    "/training/{event}/enrol/": {"admin": 200, "auditor": 403, "coordinator": 200, "trainer": 403,
                                 "abai_coordinator": 404, "participant": 404},
    "/training/sessions/{session}/roster/": {"admin": 200, "auditor": 403, "coordinator": 200, "trainer": 403,
                                             "abai_coordinator": 404, "participant": 404},
    "/training/sessions/{session}/qr.svg": {"admin": 200, "auditor": 403, "coordinator": 200, "trainer": 403,
                                            "abai_coordinator": 404, "participant": 404},
    "/training/new/": {"admin": 200, "auditor": 403, "coordinator": 200, "trainer": 403,
                       "abai_coordinator": 200, "participant": 403},
}


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in EVENT_PAGES for role in ROLES])
def test_event_pages_are_scoped_by_role(client, world, event, path, role):
    response = login(client, getattr(world, role)).get(path.format(event=event.pk, session=event.s1.pk))

    assert response.status_code == EVENT_PAGES[path][role]


@pytest.mark.parametrize("path", ["/training/{event}/", "/training/{event}/programme/",
                                  "/training/sessions/{session}/roster/", "/training/sessions/{session}/qr.svg"])
def test_the_assigned_trainer_opens_the_event_and_its_roster(client, world, enrolled, event_trainer, path):
    response = login(client, event_trainer).get(path.format(event=enrolled.pk, session=enrolled.s1.pk))

    assert response.status_code == 200


def test_an_enrolled_participant_sees_their_event_but_not_the_others(client, world, enrolled):
    response = login(client, world.participant).get(f"/training/{enrolled.pk}/")

    assert response.status_code == 200
    page = text(response)
    assert enrolled.title_kk in page
    assert world.member2.surname not in page  # the participant list is for organisers and trainers
    assert client.get(f"/training/{enrolled.pk}/enrol/").status_code == 403


def test_unknown_ids_are_404(client, world):
    login(client, world.admin)

    assert client.get("/training/999999/").status_code == 404
    assert client.get("/training/sessions/999999/roster/").status_code == 404


# --- The event page and the printable programme ---------------------------------------------------


def test_the_event_page_shows_the_programme_participants_and_attendance_rates(client, world, enrolled, event_trainer):
    services.attendance_mark(by=world.coordinator, session=enrolled.s1, person=world.member1, present=True)

    page = text(login(client, world.coordinator).get(f"/training/{enrolled.pk}/"))

    for title in (enrolled.s1.title_kk, enrolled.s2.title_kk, enrolled.s3.title_kk):
        assert title in page
    assert "Әлия Нұрланқызы" in page
    assert world.member1.surname in page and world.member2.surname in page
    assert "<td>33 %</td>" in page and "<td>0 %</td>" in page  # member1: one session of three; member2: none
    assert f"/training/sessions/{enrolled.s1.pk}/roster/" in page
    assert event_trainer.person.full_name in page


def test_the_printable_programme_shows_both_days(client, world, event):
    page = text(login(client, world.coordinator).get(f"/training/{event.pk}/programme/"))

    assert event.starts_on.isoformat() in page and event.ends_on.isoformat() in page
    assert page.count("<h2>") == 2
    assert page.index(event.s1.title_kk) < page.index(event.s2.title_kk) < page.index(event.s3.title_kk)
    assert "09:00–10:30" in page and "11:00–12:30" in page and "09:00–12:00" in page
    assert "Әлия Нұрланқызы, тренер, Электоралдық оқыту орталығы" in page


def test_the_printable_programme_in_russian(client, world, event):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    page = text(login(client, world.coordinator).get(f"/training/{event.pk}/programme/"))

    assert event.title_ru in page
    assert event.s1.title_ru in page and event.s3.title_ru in page
    assert event.s1.title_kk not in page


def test_the_cascade_page_draws_the_tree(client, world, cascade_tree):
    page = text(login(client, world.coordinator).get(f"/training/{cascade_tree.national.pk}/cascade/"))

    for event in (cascade_tree.regional, cascade_tree.territorial, cascade_tree.precinct1, cascade_tree.precinct2):
        assert f'href="/training/{event.pk}/"' in page
    assert page.index(cascade_tree.regional.title_kk) < page.index(cascade_tree.territorial.title_kk) \
        < page.index(cascade_tree.precinct1.title_kk)
    assert page.count('class="cascade"') == 3  # the nested lists below the root


# --- Lists, calendar, iCal --------------------------------------------------------------------------


def test_the_list_filters_and_scopes(client, world, make_event):
    almaty = make_event(starts_on=datetime.date(2025, 4, 1), ends_on=datetime.date(2025, 4, 1))
    abai = services.event_create(by=world.abai_coordinator, **event_fields(
        world, organiser=world.abai_tec, title_kk="Абай семинары", starts_on=datetime.date(2025, 4, 2),
        ends_on=datetime.date(2025, 4, 2)))

    assert abai.title_kk in text(login(client, world.admin).get("/training/?year=2025"))
    assert abai.title_kk not in text(client.get("/training/?year=2025&region=KZ-19"))
    coordinator_page = text(login(client, world.coordinator).get("/training/"))
    assert almaty.title_kk in coordinator_page and abai.title_kk not in coordinator_page


def test_the_participant_is_offered_open_events(client, world, event):
    page = text(login(client, world.participant).get("/training/"))

    assert event.title_kk in page


def test_the_calendar_shows_the_event_on_both_days(client, world, event):
    month = event.starts_on.strftime("%Y-%m")

    page = text(login(client, world.coordinator).get(f"/training/calendar/?month={month}"))

    expected = 2 if event.ends_on.month == event.starts_on.month else 1
    assert page.count(event.title_kk) >= expected


def test_the_calendar_tolerates_a_bad_month(client, world):
    assert login(client, world.coordinator).get("/training/calendar/?month=2025-13").status_code == 200


def test_the_ical_feed_parses(client, world, event):
    response = login(client, world.coordinator).get("/training/calendar.ics")

    assert response["Content-Type"] == "text/calendar"
    entries = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(entries) == 3
    assert all(event.title_kk in str(entry["summary"]) for entry in entries)


def test_the_ical_feed_is_scoped(client, world, event):
    response = login(client, world.abai_coordinator).get("/training/calendar.ics")

    assert Calendar.from_ical(response.content).walk("VEVENT") == []


def test_my_training_lists_enrolments_and_accreditations(client, world, cascade_tree):
    chair_user = world.coordinator.__class__.objects.create(username="chair", role="participant", person=world.chair)

    page = text(login(client, chair_user).get("/training/mine/"))

    assert cascade_tree.national.title_kk in page
    assert "2027-02-12" in page or "12.02.2027" in page


def test_my_training_without_a_person_goes_to_the_list(client, world):
    response = login(client, world.coordinator).get("/training/mine/")

    assert response.status_code == 302 and response["Location"] == "/training/"


def test_the_roadmap_page_shows_derived_statuses(client, world, make_event):
    roadmap = Roadmap.objects.create(year=2025, resolution_number="58/73", resolution_date=datetime.date(2024, 12, 11))
    planned = RoadmapItem.objects.create(roadmap=roadmap, number=1, title_kk="Жоспарланған", title_ru="План",
                                         kind="seminar", level="territorial", responsible=world.tec, planned_month=3)
    cancelled = RoadmapItem.objects.create(roadmap=roadmap, number=2, title_kk="Болмаған", title_ru="Отменено",
                                           kind="seminar", level="territorial", responsible=world.tec, planned_quarter=2)
    services.event_cancel(by=world.coordinator, event=make_event(roadmap_item=cancelled), reason="x")

    page = text(login(client, world.auditor).get("/training/roadmap/2025/"))

    assert "58/73" in page
    assert planned.title_kk in page and cancelled.title_kk in page


def test_the_coverage_page(client, world, precinct_members):
    CoverageTarget.objects.create(year=2025, region=world.almaty_region, audience=precinct_members, target=1500)
    CoverageTarget.objects.create(year=2025, region=world.abai, audience=precinct_members, target=900)

    page = text(login(client, world.coordinator).get("/training/coverage/?year=2025"))

    assert "1500" in page and "900" not in page
    assert "PEC-19-0001" in page and "PEC-19-0002" in page
    assert login(client, world.coordinator).get("/training/coverage/?year=abc").status_code == 200


# --- Creating and editing ---------------------------------------------------------------------------


def form_data(world, **overrides):
    return {
        "title_kk": "Жаңа семинар", "title_ru": "Новый семинар", "kind": "seminar", "format": "in_person",
        "level": "territorial", "starts_on": "2026-05-11", "ends_on": "2026-05-12", "organiser": world.tec.pk,
        "languages": ["kk", "ru"], "min_attendance_percent": 75, "accreditation_months": 24,
    } | overrides


def test_a_coordinator_creates_a_two_day_event_and_its_programme(client, world):
    login(client, world.coordinator)

    response = client.post("/training/new/", form_data(world))

    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/training/{event.pk}/"
    assert (event.region, event.starts_on, event.ends_on) == (world.almaty_region, datetime.date(2026, 5, 11),
                                                              datetime.date(2026, 5, 12))
    for day in ("2026-05-11", "2026-05-12"):
        response = client.post(f"/training/{event.pk}/sessions/new/", {
            "day": day, "starts_at": "10:00", "ends_at": "11:00", "title_kk": f"Сабақ {day}", "title_ru": f"Занятие {day}",
            "method": "lecture", "speaker_name": "Сыртқы", "speaker_organisation": "ЭОО"})
        assert response.status_code == 302
    assert [s.day.isoformat() for s in event.sessions.all()] == ["2026-05-11", "2026-05-12"]
    assert event.sessions.first().speakers.get().organisation == "ЭОО"


def test_the_event_form_refuses_an_end_before_the_start(client, world):
    response = login(client, world.coordinator).post("/training/new/", form_data(world, ends_on="2026-05-10"))

    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"]
    assert not Event.objects.exists()


def test_the_event_form_offers_only_the_users_commissions(client, world):
    response = login(client, world.coordinator).post("/training/new/", form_data(world, organiser=world.abai_tec.pk))

    assert "organiser" in response.context["form"].errors
    assert not Event.objects.exists()


def test_the_session_form_refuses_a_day_outside_the_event(client, world, event):
    response = login(client, world.coordinator).post(f"/training/{event.pk}/sessions/new/", {
        "day": (event.ends_on + DAY).isoformat(), "starts_at": "10:00", "ends_at": "11:00", "title_kk": "x",
        "title_ru": "x", "method": "lecture"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert event.sessions.count() == 3


def test_editing_an_event(client, world, event):
    data = form_data(world, starts_on=event.starts_on.isoformat(), ends_on=event.ends_on.isoformat(),
                     title_kk=event.title_kk, title_ru=event.title_ru, venue_room="305")

    response = login(client, world.coordinator).post(f"/training/{event.pk}/edit/", data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.venue_room == "305"


def test_editing_cannot_strand_sessions(client, world, event):
    data = form_data(world, starts_on=event.starts_on.isoformat(), ends_on=event.starts_on.isoformat(),
                     title_kk=event.title_kk, title_ru=event.title_ru)

    response = login(client, world.coordinator).post(f"/training/{event.pk}/edit/", data)

    assert response.status_code == 200
    event.refresh_from_db()
    assert event.ends_on == event.starts_on + DAY


def test_cancelling_and_closing_from_the_event_page(client, world, make_event):
    login(client, world.coordinator)
    to_cancel, to_close = make_event(), make_event()

    client.post(f"/training/{to_cancel.pk}/cancel/", {"reason": "Карантин"})
    client.post(f"/training/{to_close.pk}/close/")

    to_cancel.refresh_from_db()
    to_close.refresh_from_db()
    assert (to_cancel.status, to_cancel.cancel_reason) == (EventStatus.CANCELLED, "Карантин")
    assert to_close.status == EventStatus.HELD


def test_others_cannot_cancel_or_close(client, world, event):
    login(client, world.trainer)

    client.post(f"/training/{event.pk}/cancel/", {"reason": "x"})
    client.post(f"/training/{event.pk}/close/")

    event.refresh_from_db()
    assert event.status == EventStatus.SCHEDULED
    assert login(client, world.abai_coordinator).post(f"/training/{event.pk}/close/").status_code == 404


# --- Enrolment pages --------------------------------------------------------------------------------


def test_enrol_by_filter_previews_then_enrols_current_members_only(client, world, event, today):
    ex_member = new_person(500, "Бұрынғы", world.pec1, term_end=today - DAY)
    login(client, world.coordinator)
    data = {"by_filter": "1", "under": world.tec.pk, "level": ["precinct"]}

    preview = client.post(f"/training/{event.pk}/enrol/", data)
    assert preview.context["preview"] == 2
    assert not event.enrolments.exists()

    response = client.post(f"/training/{event.pk}/enrol/", data | {"confirm": "1"})

    assert response.status_code == 302
    assert set(event.enrolments.values_list("person", flat=True)) == {world.member1.pk, world.member2.pk}
    assert not event.enrolments.filter(person=ex_member).exists()


def test_enrol_by_file_with_problems_shows_them_and_writes_nothing(client, world, event):
    content = f"ИИН\n{world.member1.iin}\n123\n".encode()

    response = login(client, world.coordinator).post(
        f"/training/{event.pk}/enrol/", {"by_file": "1", "file": SimpleUploadedFile("list.csv", content)})

    assert response.status_code == 422
    assert [p["row"] for p in response.context["problems"]] == [3]
    assert "123" in text(response)
    assert not Enrolment.objects.exists()


def test_enrol_by_file(client, world, event):
    content = f"ЖСН;Аты\n{world.member1.iin};Айгүл\n".encode()

    response = login(client, world.coordinator).post(
        f"/training/{event.pk}/enrol/", {"by_file": "1", "file": SimpleUploadedFile("list.csv", content)})

    assert response.status_code == 302
    assert list(event.enrolments.values_list("person", flat=True)) == [world.member1.pk]


def test_self_registration_and_approval_through_the_pages(client, world, event):
    detail = text(login(client, world.participant).get("/training/"))
    assert f"/training/{event.pk}/" in detail

    response = client.post(f"/training/{event.pk}/register/")
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(event=event, person=world.member1)
    assert enrolment.status == EnrolmentStatus.PENDING
    assert client.get(f"/training/{event.pk}/").status_code == 200  # the request makes the event visible

    assert world.member1.surname in text(login(client, world.coordinator).get(f"/training/{event.pk}/enrol/"))
    client.post(f"/training/enrolments/{enrolment.pk}/decide/", {"action": "approve"})
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED


def test_rejecting_and_cancelling_through_the_pages(client, world, enrolled):
    login(client, world.coordinator)
    member2 = Enrolment.objects.get(event=enrolled, person=world.member2)

    client.post(f"/training/enrolments/{member2.pk}/decide/", {"action": "cancel"})

    member2.refresh_from_db()
    assert member2.status == EnrolmentStatus.CANCELLED


def test_only_managers_decide_on_enrolments(client, world, event):
    enrolment = services.self_register(user=world.participant, event=event)

    for user in (world.participant, world.abai_coordinator, world.trainer):
        assert login(client, user).post(f"/training/enrolments/{enrolment.pk}/decide/",
                                        {"action": "approve"}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.PENDING


def test_self_registration_outside_the_participants_region_is_refused(client, world):
    abai = services.event_create(by=world.abai_coordinator, **event_fields(world, organiser=world.abai_tec))

    response = login(client, world.participant).post(f"/training/{abai.pk}/register/")

    assert response.status_code == 302 and response["Location"] == "/training/"
    assert not Enrolment.objects.exists()


# --- Attendance pages -------------------------------------------------------------------------------


def test_the_trainer_marks_the_roster_with_one_tap(client, world, enrolled, event_trainer):
    login(client, event_trainer)
    url = f"/training/sessions/{enrolled.s1.pk}/roster/"

    page = text(client.get(url))
    assert world.member1.full_name in page and world.member2.full_name in page
    assert enrolled.s1.check_in_code in page

    with at(enrolled.starts_on, "09:15"):
        login(client, event_trainer)  # the session's expiry follows the stopped clock
        response = client.post(url, {"person": world.member1.pk, "present": "1"})
    assert response.status_code == 302 and response["Location"] == f"{url}#p{world.member1.pk}"
    attendance = Attendance.objects.get()
    assert (attendance.person, attendance.late, attendance.marked_by) == (world.member1, True, event_trainer)

    login(client, event_trainer)
    client.post(url, {"person": world.member1.pk, "present": "0"})
    assert not Attendance.objects.exists()


def test_another_trainer_cannot_post_to_the_roster(client, world, enrolled, event_trainer):
    response = login(client, world.trainer).post(f"/training/sessions/{enrolled.s1.pk}/roster/",
                                                 {"person": world.member1.pk, "present": "1"})

    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_the_qr_code_is_an_svg(client, world, event):
    response = login(client, world.coordinator).get(f"/training/sessions/{event.s1.pk}/qr.svg")

    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_self_check_in_by_qr(client, world, enrolled):
    login(client, world.participant)
    assert enrolled.s2.check_in_code in text(client.get(f"/training/check-in/{enrolled.s2.check_in_code}/"))

    with at(enrolled.starts_on, "11:03"):
        login(client, world.participant)  # the session's expiry follows the stopped clock
        response = client.post("/training/check-in/", {"code": enrolled.s2.check_in_code, "via": "qr"})

    assert response.status_code == 200
    assert enrolled.s2.title_kk in text(response)
    attendance = Attendance.objects.get()
    assert (attendance.session, attendance.method, attendance.late) == (enrolled.s2, "qr", False)


def test_self_check_in_with_an_expired_code_shows_an_error(client, world, enrolled):
    with at(enrolled.ends_on, "09:00"):
        login(client, world.participant)  # the session's expiry follows the stopped clock
        response = client.post("/training/check-in/", {"code": enrolled.s1.check_in_code})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not Attendance.objects.exists()
    assert not AuditEntry.objects.filter(action="attendance.checked_in").exists()


# --- Assigning trainers -----------------------------------------------------------------------------


def test_the_event_page_offers_accredited_trainers_and_assigns_one(client, world, cascade_tree):
    child = cascade_tree.child(cascade_tree.territorial, "precinct", world.tec, datetime.date(2025, 9, 1), "Күз")
    child.trainers.all().delete()
    login(client, world.coordinator)

    page = text(client.get(f"/training/{child.pk}/"))
    assert f'action="/training/{child.pk}/trainers/"' in page
    assert f'<option value="{world.chair.pk}">' in page

    response = client.post(f"/training/{child.pk}/trainers/", {"person": world.chair.pk})

    assert response.status_code == 302
    assert [t.person for t in child.trainers.all()] == [world.chair]


def test_an_unaccredited_trainer_is_refused_with_a_message(client, world, cascade_tree):
    login(client, world.coordinator)

    response = client.post(f"/training/{cascade_tree.precinct1.pk}/trainers/", {"person": world.member2.pk},
                           follow=True)

    assert response.status_code == 200
    assert world.member2.full_name in text(response)  # "… has no valid trainer accreditation."
    assert not cascade_tree.precinct1.trainers.filter(person=world.member2).exists()


def test_a_trainer_accredited_twice_can_be_assigned(client, world, cascade_tree):
    second_tot = services.event_create(by=world.admin, **event_fields(
        world, organiser=world.cec, level="republican", trains_trainers=True, starts_on=datetime.date(2025, 5, 1),
        ends_on=datetime.date(2025, 5, 1)))
    Accreditation.objects.create(person=world.chair, event=second_tot, region=world.almaty_region,
                                 issued_on=datetime.date(2025, 5, 1), valid_until=datetime.date(2027, 5, 1))
    child = cascade_tree.child(cascade_tree.territorial, "precinct", world.tec, datetime.date(2025, 9, 1), "Күз")
    child.trainers.all().delete()

    response = login(client, world.coordinator).post(f"/training/{child.pk}/trainers/", {"person": world.chair.pk})

    assert response.status_code == 302
    assert child.trainers.count() == 1


def test_only_managers_assign_trainers(client, world, event):
    for user, status in ((world.trainer, 403), (world.auditor, 403), (world.abai_coordinator, 404)):
        response = login(client, user).post(f"/training/{event.pk}/trainers/", {"person": world.chair.pk})
        assert response.status_code == status
    assert not event.trainers.exists()
