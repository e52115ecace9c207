"""The training API under /api/v1/: the same role scoping as the pages, domain errors as codes and statuses."""

import datetime

import pytest
from django.core import mail

from saylau.accounts.models import Role
from saylau.core.models import AuditEntry
from saylau.training import services
from saylau.training.models import Attendance, CoverageTarget, Enrolment, Event, RoadmapItem, Session

from .conftest import at, event_fields, new_user

d = datetime.date


def login(client, user):
    client.force_login(user)
    return client


def event_payload(world, **overrides) -> dict:
    return {
        "title_kk": "Аудандық АСК мүшелеріне семинар", "title_ru": "Семинар для членов районных ТИК",
        "kind": "seminar", "level": "territorial", "format": "hybrid", "starts_on": "2026-03-02",
        "ends_on": "2026-03-03", "organiser": world.tec.pk, "audiences": ["tec_members", "precinct_members"],
        "capacity": 30, "venue_address": "Қонаев", "online_link": "https://meet.example.kz/seminar",
    } | overrides


def session_payload(day, **overrides) -> dict:
    return {"day": day.isoformat(), "starts_at": "09:00", "ends_at": "10:30", "title_kk": "Ашылу",
            "title_ru": "Открытие", "topic": "Модуль 1", "method": "lecture"} | overrides


# --- Anonymous ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/events", "/api/v1/events/{event}", "/api/v1/events/{event}/cascade",
                                  "/api/v1/events/{event}/enrolments", "/api/v1/sessions/{session}/attendance",
                                  "/api/v1/coverage?year=2025"])
def test_anonymous_requests_are_refused(client, world, event, path):
    response = client.get(path.format(event=event.pk, session=event.s1.pk))

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_bearer_token_works_like_the_session(client, world, event):
    token = client.post("/api/v1/auth/token", {"username": "coordinator", "password": "pass-12345-word"},
                        content_type="application/json").json()["token"]

    response = client.get(f"/api/v1/events/{event.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200


# --- Listing and reading --------------------------------------------------------------------------


def test_the_event_list_has_the_documented_shape(client, world, event):
    payload = login(client, world.coordinator).get("/api/v1/events").json()

    assert payload["count"] == 1
    (item,) = payload["items"]
    assert {"id", "title_kk", "title_ru", "kind", "level", "starts_on", "ends_on", "status", "parent"} <= set(item)
    assert (item["id"], item["status"], item["parent"], item["region"]) == (event.pk, "scheduled", None, "KZ-19")
    assert item["starts_on"] == event.starts_on.isoformat()


def test_the_event_list_filters(client, world, make_event):
    spring = make_event(starts_on=d(2025, 4, 1), ends_on=d(2025, 4, 1))
    make_event(starts_on=d(2026, 4, 1), ends_on=d(2026, 4, 1))
    regional = make_event(starts_on=d(2025, 5, 1), ends_on=d(2025, 5, 1), level="regional", organiser=world.regional)
    login(client, world.admin)

    def ids(query):
        return [item["id"] for item in client.get(f"/api/v1/events?{query}").json()["items"]]

    assert ids("year=2025") == [spring.pk, regional.pk]
    assert ids("year=2025&region=KZ-19&level=regional") == [regional.pk]
    assert ids("region=KZ-10") == []
    assert client.get("/api/v1/events?level=galactic").status_code == 422


def test_the_event_list_pages(client, world, make_event):
    events = [make_event(starts_on=d(2025, 1, n), ends_on=d(2025, 1, n)) for n in range(1, 6)]
    login(client, world.admin)

    payload = client.get("/api/v1/events?page=2&page_size=2").json()

    assert payload["count"] == 5
    assert [item["id"] for item in payload["items"]] == [events[2].pk, events[3].pk]


def test_an_event_comes_with_its_programme(client, world, event):
    payload = login(client, world.coordinator).get(f"/api/v1/events/{event.pk}").json()

    assert payload["id"] == event.pk
    assert payload["audiences"] == ["precinct_members"]
    assert [(s["day"], s["starts_at"][:5], s["title_ru"]) for s in payload["programme"]] == [
        (event.starts_on.isoformat(), "09:00", "Организация избирательной кампании"),
        (event.starts_on.isoformat(), "11:00", "Наблюдатели и СМИ"),
        (event.ends_on.isoformat(), "09:00", "День голосования: практикум"),
    ]
    assert payload["programme"][0]["speakers"] == [
        {"person_id": world.chair.pk, "name": world.chair.full_name, "organisation": "", "position": ""}]
    assert payload["programme"][1]["speakers"][0]["organisation"] == "Электоралдық оқыту орталығы"
    assert "check_in_code" not in payload["programme"][0]


@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("auditor", 200), ("coordinator", 200), ("trainer", 200),
    ("abai_coordinator", 404), ("participant", 404),
])
def test_reading_a_regional_event_is_scoped(client, world, event, role, status):
    response = login(client, getattr(world, role)).get(f"/api/v1/events/{event.pk}")

    assert response.status_code == status
    if status == 404:
        assert response.json()["code"] == "not_found"


def test_the_coordinator_of_abai_gets_404_everywhere_on_a_kz19_event(client, world, enrolled):
    login(client, world.abai_coordinator)

    for response in (
        client.get(f"/api/v1/events/{enrolled.pk}"),
        client.get(f"/api/v1/events/{enrolled.pk}/cascade"),
        client.get(f"/api/v1/events/{enrolled.pk}/enrolments"),
        client.post(f"/api/v1/events/{enrolled.pk}/enrolments", {"person_ids": [world.abai_member.pk]},
                    content_type="application/json"),
        client.post(f"/api/v1/events/{enrolled.pk}/sessions", session_payload(enrolled.starts_on),
                    content_type="application/json"),
        client.get(f"/api/v1/sessions/{enrolled.s1.pk}/attendance"),
        client.post(f"/api/v1/sessions/{enrolled.s1.pk}/attendance", {"person_id": world.member1.pk},
                    content_type="application/json"),
    ):
        assert response.status_code == 404
    assert enrolled.enrolments.count() == 2 and enrolled.sessions.count() == 3
    assert [i["id"] for i in client.get("/api/v1/events").json()["items"]] == []


def test_an_enrolled_participant_reads_their_event(client, world, enrolled):
    assert login(client, world.participant).get(f"/api/v1/events/{enrolled.pk}").status_code == 200
    assert client.get(f"/api/v1/events/{enrolled.pk}/enrolments").status_code == 404


# --- Creating -------------------------------------------------------------------------------------


def test_a_coordinator_creates_an_event_for_their_tec(client, world):
    response = login(client, world.coordinator).post("/api/v1/events", event_payload(world),
                                                     content_type="application/json")

    assert response.status_code == 201
    payload = response.json()
    event = Event.objects.get(pk=payload["id"])
    assert (event.region, event.organiser, event.created_by) == (world.almaty_region, world.tec, world.coordinator)
    assert (payload["region"], payload["format"], payload["capacity"]) == ("KZ-19", "hybrid", 30)
    assert set(payload["audiences"]) == {"tec_members", "precinct_members"}
    assert payload["programme"] == []
    assert AuditEntry.objects.filter(action="event.created", actor=world.coordinator).exists()


def test_a_coordinator_creates_a_child_of_a_national_event(client, world):
    parent = services.event_create(by=world.admin, **event_fields(world, organiser=world.cec, level="republican"))

    response = login(client, world.coordinator).post(
        "/api/v1/events", event_payload(world, parent=parent.pk, organiser=world.regional.pk, level="regional"),
        content_type="application/json")

    assert response.status_code == 201
    assert response.json()["parent"] == parent.pk


def test_an_event_cannot_be_a_child_of_an_event_the_user_cannot_see(client, world):
    abai = services.event_create(by=world.abai_coordinator, **event_fields(world, organiser=world.abai_tec,
                                                                           level="regional"))

    response = login(client, world.coordinator).post("/api/v1/events", event_payload(world, parent=abai.pk),
                                                     content_type="application/json")

    assert response.status_code == 404
    assert Event.objects.count() == 1


def test_a_coordinator_cannot_create_for_another_region(client, world):
    response = login(client, world.abai_coordinator).post("/api/v1/events", event_payload(world),
                                                          content_type="application/json")

    assert response.status_code == 404
    assert not Event.objects.exists()


@pytest.mark.parametrize("role", ["participant", "trainer", "auditor"])
def test_only_managers_create_events(client, world, role):
    payload = event_payload(world, organiser=world.pec1.pk, level="precinct")

    response = login(client, getattr(world, role)).post("/api/v1/events", payload, content_type="application/json")

    assert response.status_code in (403, 404)
    assert not Event.objects.exists()


@pytest.mark.parametrize(("override", "status", "code"), [
    ({"ends_on": "2026-03-01"}, 400, "end_before_start"),
    ({"title_kk": "", "title_ru": ""}, 400, "title_required"),
    ({"capacity": -5}, 400, "invalid"),
    ({"online_link": "not a link"}, 400, "invalid"),
    ({"kind": "party"}, 422, "invalid"),
    ({"starts_on": "2026-02-30"}, 422, "invalid"),
])
def test_bad_input_is_a_clear_error_and_nothing_is_written(client, world, override, status, code):
    response = login(client, world.coordinator).post("/api/v1/events", event_payload(world, **override),
                                                     content_type="application/json")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert not Event.objects.exists()


# --- Programme ------------------------------------------------------------------------------------


def test_a_coordinator_adds_a_session_on_the_second_day(client, world, event):
    response = login(client, world.coordinator).post(
        f"/api/v1/events/{event.pk}/sessions", session_payload(event.ends_on, starts_at="14:00", ends_at="15:30"),
        content_type="application/json")

    assert response.status_code == 201
    session = Session.objects.get(pk=response.json()["id"])
    assert (session.day, session.starts_at, session.topic) == (event.ends_on, datetime.time(14), "Модуль 1")
    assert response.json()["speakers"] == []


@pytest.mark.parametrize(("override", "code"), [
    ({"day": "2000-01-01"}, "session_outside_event"),
    ({"starts_at": "10:00", "ends_at": "09:00"}, "session_end_before_start"),
])
def test_bad_sessions_are_refused(client, world, event, override, code):
    response = login(client, world.coordinator).post(f"/api/v1/events/{event.pk}/sessions",
                                                     session_payload(event.starts_on) | override,
                                                     content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert event.sessions.count() == 3


def test_a_session_one_day_after_the_event_is_refused(client, world, event):
    day = event.ends_on + datetime.timedelta(days=1)

    response = login(client, world.coordinator).post(f"/api/v1/events/{event.pk}/sessions", session_payload(day),
                                                     content_type="application/json")

    assert response.json()["code"] == "session_outside_event"


@pytest.mark.parametrize("role", ["trainer", "auditor", "participant"])
def test_only_managers_add_sessions(client, world, event, role):
    response = login(client, getattr(world, role)).post(f"/api/v1/events/{event.pk}/sessions",
                                                        session_payload(event.starts_on),
                                                        content_type="application/json")

    assert response.status_code == 404
    assert event.sessions.count() == 3


# --- Enrolment ------------------------------------------------------------------------------------


def test_enrolling_by_list_beyond_capacity_and_twice(client, world, make_event, django_capture_on_commit_callbacks):
    event = make_event(capacity=2)
    login(client, world.coordinator)
    url = f"/api/v1/events/{event.pk}/enrolments"

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"person_ids": [world.chair.pk, world.member1.pk, world.member2.pk]},
                            content_type="application/json")
    second = client.post(url, {"person_ids": [world.member1.pk, world.member1.pk]}, content_type="application/json")

    assert first.json() == {"enrolled": 2, "waitlisted": 1, "pending": 0, "already": 0}
    assert second.json() == {"enrolled": 0, "waitlisted": 0, "pending": 0, "already": 2}
    listing = client.get(url).json()
    # The waiting list follows the order of the request, not the alphabet.
    assert [(e["surname"], e["status"], e["source"]) for e in listing] == [
        ("Ахметов", "enrolled", "list"), ("Иванов", "waitlisted", "list"), ("Омарова", "enrolled", "list")]
    assert len(mail.outbox) == 2


def test_enrolling_someone_outside_the_users_registry_is_refused(client, world, event):
    response = login(client, world.coordinator).post(
        f"/api/v1/events/{event.pk}/enrolments", {"person_ids": [world.member1.pk, world.abai_member.pk]},
        content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_person"
    assert not Enrolment.objects.exists()


def test_enrolling_in_a_cancelled_event_is_a_conflict(client, world, event):
    services.event_cancel(by=world.coordinator, event=event, reason="x")

    response = login(client, world.coordinator).post(f"/api/v1/events/{event.pk}/enrolments",
                                                     {"person_ids": [world.member1.pk]},
                                                     content_type="application/json")

    assert response.status_code == 409
    assert response.json()["code"] == "event_closed"


# --- Attendance -----------------------------------------------------------------------------------


def test_the_assigned_trainer_marks_and_reads_attendance(client, world, enrolled, event_trainer):
    url = f"/api/v1/sessions/{enrolled.s1.pk}/attendance"

    with at(enrolled.starts_on, "09:20"):
        login(client, event_trainer)  # the session's expiry follows the stopped clock
        response = client.post(url, {"person_id": world.member1.pk}, content_type="application/json")

    login(client, event_trainer)
    assert response.status_code == 200
    assert (response.json()["method"], response.json()["late"]) == ("roster", True)
    assert [(a["person_id"], a["late"]) for a in client.get(url).json()] == [(world.member1.pk, True)]

    cleared = client.post(url, {"person_id": world.member1.pk, "present": False}, content_type="application/json")
    assert cleared.status_code == 200
    assert cleared.json() is None
    assert client.get(url).json() == []


def test_a_trainer_in_another_region_assigned_to_the_event_sees_it(client, world, enrolled):
    from .conftest import new_person

    abai_trainer = new_user("abai_trainer", Role.TRAINER, region=world.abai,
                            person=new_person(950, "Абайлық", world.abai_tec))
    enrolled.trainers.create(person=abai_trainer.person)

    login(client, abai_trainer)
    assert client.get(f"/api/v1/events/{enrolled.pk}").status_code == 200
    response = client.post(f"/api/v1/sessions/{enrolled.s2.pk}/attendance", {"person_id": world.member2.pk},
                           content_type="application/json")
    assert response.status_code == 200


def test_a_trainer_not_assigned_is_refused(client, world, enrolled, event_trainer):
    login(client, world.trainer)
    url = f"/api/v1/sessions/{enrolled.s1.pk}/attendance"

    marked = client.post(url, {"person_id": world.member1.pk}, content_type="application/json")

    assert marked.status_code == 403
    assert marked.json()["code"] == "forbidden"
    assert client.get(url).status_code == 404
    assert not Attendance.objects.exists()


def test_marking_someone_not_enrolled_or_unknown(client, world, enrolled):
    login(client, world.coordinator)
    url = f"/api/v1/sessions/{enrolled.s1.pk}/attendance"

    not_enrolled = client.post(url, {"person_id": world.chair.pk}, content_type="application/json")
    unknown = client.post(url, {"person_id": 999999}, content_type="application/json")

    assert (not_enrolled.status_code, not_enrolled.json()["code"]) == (400, "not_enrolled")
    assert unknown.status_code == 404
    assert client.post("/api/v1/sessions/999999/attendance", {"person_id": world.member1.pk},
                       content_type="application/json").status_code == 404


# --- Cascade --------------------------------------------------------------------------------------


def test_the_cascade_endpoint_returns_the_tree(client, world, cascade_tree):
    payload = login(client, world.admin).get(f"/api/v1/events/{cascade_tree.national.pk}/cascade").json()

    assert payload["id"] == cascade_tree.national.pk
    assert payload["reached_in_subtree"] == 3
    regional = payload["children"][0]
    assert (regional["id"], regional["level"], regional["trainers"]) == (
        cascade_tree.regional.pk, "regional", ["Ахметов Ерлан"])
    territorial = regional["children"][0]
    assert [c["title_kk"] for c in territorial["children"]] == ["№1 УСК оқуы", "№2 УСК оқуы"]
    assert (territorial["enrolled"], territorial["attended"], territorial["reached_in_subtree"]) == (1, 1, 2)
    assert territorial["starts_on"] == "2025-03-20"


def test_the_cascade_for_the_coordinator_of_abai_leaves_out_kz19(client, world, cascade_tree):
    payload = login(client, world.abai_coordinator).get(f"/api/v1/events/{cascade_tree.national.pk}/cascade").json()

    assert payload["children"] == []
    assert payload["reached_in_subtree"] == 1
    assert client.get(f"/api/v1/events/{cascade_tree.regional.pk}/cascade").status_code == 404


def test_the_cascade_query_count_does_not_grow_with_events(client, world, cascade_tree, django_assert_max_num_queries):
    login(client, world.admin)
    url = f"/api/v1/events/{cascade_tree.national.pk}/cascade"
    # session + user, the event, the root, one per level below it (the last finds nothing), trainers, and for
    # events this process has not counted yet: enrolled, attendees
    with django_assert_max_num_queries(11):
        client.get(url)

    for n in range(10):
        event = cascade_tree.child(cascade_tree.territorial, "precinct", world.tec, d(2025, 5, 1 + n), f"Қосымша {n}")
        cascade_tree.attend(event, world.member2)
        cascade_tree.child(cascade_tree.regional, "territorial", world.tec, d(2025, 6, 1 + n), f"Тағы {n}")

    with django_assert_max_num_queries(11):
        payload = client.get(url).json()
    assert len(payload["children"][0]["children"]) == 11
    assert payload["reached_in_subtree"] == 3
    with django_assert_max_num_queries(9):  # nothing changed: nothing counted again
        assert client.get(url).json() == payload


# --- Coverage -------------------------------------------------------------------------------------


@pytest.fixture
def targets(world, cascade_tree, precinct_members):
    CoverageTarget.objects.create(year=2025, region=world.almaty_region, audience=precinct_members, target=1500)
    CoverageTarget.objects.create(year=2025, region=world.abai, audience=precinct_members, target=900)


def test_coverage_per_region_and_audience(client, world, targets):
    payload = login(client, world.admin).get("/api/v1/coverage?year=2025").json()

    assert payload["year"] == 2025
    by_region = {item["region"]: item for item in payload["items"]}
    almaty = by_region["KZ-19"]
    assert (almaty["audience"], almaty["target"], almaty["reached"]) == ("precinct_members", 1500, 2)
    assert almaty["percent"] == pytest.approx(0.1)
    assert (almaty["untrained_commissions_count"], almaty["untrained_commissions"]) == (0, [])
    assert by_region["KZ-10"]["reached"] == 0


def test_coverage_lists_untrained_commissions(client, world, targets):
    Attendance.objects.filter(person=world.member2).delete()

    item = login(client, world.admin).get("/api/v1/coverage?year=2025&region=KZ-19").json()["items"][0]

    assert item["reached"] == 1
    assert item["untrained_commissions"] == [{"id": world.pec2.pk, "code": "PEC-19-0002"}]
    assert item["untrained_commissions_count"] == 1


@pytest.mark.parametrize(("role", "regions"), [
    ("coordinator", ["KZ-19"]), ("abai_coordinator", ["KZ-10"]), ("auditor", ["KZ-10", "KZ-19"]),
])
def test_coverage_is_scoped_to_the_users_regions(client, world, targets, role, regions):
    payload = login(client, getattr(world, role)).get("/api/v1/coverage?year=2025").json()

    assert [item["region"] for item in payload["items"]] == regions


def test_a_coordinator_asking_for_another_region_gets_nothing(client, world, targets):
    assert login(client, world.coordinator).get("/api/v1/coverage?year=2025&region=KZ-10").json()["items"] == []


def test_coverage_needs_a_year(client, world):
    assert login(client, world.admin).get("/api/v1/coverage").status_code == 422


def test_the_coverage_query_count_does_not_grow_with_events(client, world, targets, cascade_tree,
                                                            django_assert_max_num_queries):
    login(client, world.admin)
    # session + user, the targets, then per commission audience: its members, the qualifying events, their
    # revisions, (for events this process has not counted yet) their enrolments and check-ins, the codes of the
    # commissions with nobody trained
    with django_assert_max_num_queries(9):
        client.get("/api/v1/coverage?year=2025")

    for n in range(10):
        event = cascade_tree.child(cascade_tree.territorial, "precinct", world.tec, d(2025, 5, 1 + n), f"Қосымша {n}")
        cascade_tree.attend(event, world.member2, world.member1)

    with django_assert_max_num_queries(9):
        payload = client.get("/api/v1/coverage?year=2025").json()
    assert {item["region"]: item["reached"] for item in payload["items"]} == {"KZ-19": 2, "KZ-10": 0}
    with django_assert_max_num_queries(7):  # nothing changed: no check-in read again
        assert client.get("/api/v1/coverage?year=2025").json() == payload


# --- Roadmap and targets --------------------------------------------------------------------------


def roadmap_item_payload(world, **overrides):
    return {"title_kk": "УСК мүшелеріне семинар", "title_ru": "Семинар для членов УИК", "kind": "seminar",
            "level": "territorial", "audiences": ["precinct_members"], "planned_month": 4,
            "responsible": world.tec.pk, "funding": "local_budget", "planned_participants": 1500} | overrides


def test_the_administrator_writes_the_roadmap_and_everyone_reads_it(client, world, make_event):
    login(client, world.admin)
    created = client.post("/api/v1/roadmaps", {"year": 2025, "resolution_number": "58/73",
                                               "resolution_date": "2024-12-11"}, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["items"] == []

    item = client.post("/api/v1/roadmaps/2025/items", roadmap_item_payload(world), content_type="application/json")
    assert item.status_code == 201
    assert (item.json()["number"], item.json()["planned_quarter"], item.json()["status"]) == (1, 2, "planned")

    event = make_event(roadmap_item=RoadmapItem.objects.get(pk=item.json()["id"]))

    payload = login(client, world.participant).get("/api/v1/roadmaps/2025").json()
    assert payload["resolution_number"] == "58/73"
    (row,) = payload["items"]
    assert (row["status"], row["events"], row["audiences"]) == ("scheduled", [event.pk], ["precinct_members"])


def test_roadmap_errors(client, world):
    login(client, world.admin)
    body = {"year": 2025, "resolution_number": "58/73", "resolution_date": "2024-12-11"}
    client.post("/api/v1/roadmaps", body, content_type="application/json")

    duplicate = client.post("/api/v1/roadmaps", body, content_type="application/json")
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "roadmap_exists")
    assert client.get("/api/v1/roadmaps/2030").status_code == 404
    assert client.post("/api/v1/roadmaps/2030/items", roadmap_item_payload(world),
                       content_type="application/json").status_code == 404
    assert client.post("/api/v1/roadmaps/2025/items", roadmap_item_payload(world, planned_month=13),
                       content_type="application/json").status_code == 422


def test_a_coordinator_cannot_write_the_roadmap(client, world):
    login(client, world.coordinator)

    response = client.post("/api/v1/roadmaps", {"year": 2025, "resolution_number": "1", "resolution_date": "2024-12-11"},
                           content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_coverage_targets_are_set_by_the_administrator(client, world, precinct_members):
    body = {"year": 2025, "region": "kz-19", "audience": "precinct_members", "target": 1500}

    assert login(client, world.coordinator).put("/api/v1/coverage/targets", body,
                                                content_type="application/json").status_code == 403
    response = login(client, world.admin).put("/api/v1/coverage/targets", body, content_type="application/json")

    assert response.json() == {"year": 2025, "region": "KZ-19", "audience": "precinct_members", "target": 1500}
    assert [i["target"] for i in client.get("/api/v1/coverage?year=2025").json()["items"]] == [1500]
    unknown = client.put("/api/v1/coverage/targets", body | {"region": "KZ-99"}, content_type="application/json")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_region_or_audience")
    assert client.put("/api/v1/coverage/targets", body | {"target": -1},
                      content_type="application/json").status_code == 422
