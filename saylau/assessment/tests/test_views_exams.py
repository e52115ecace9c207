"""The trainer's and coordinator's test pages: who reaches which page, creating tests through the forms, the
seminar room's controls and live view, the results (with the numbers worked out by hand here), the XLSX export
and marking essays."""

from __future__ import annotations

import datetime
import io
import re
from html import unescape

import pytest
from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook

from conftest import make_iin
from saylau.accounts.models import Role, User
from saylau.assessment import attempts, exams
from saylau.assessment.models import Attempt, AttemptItem, AttemptStatus, Exam, RoomState, Topic
from saylau.commissions.models import Membership, Person
from saylau.training import services as training
from saylau.training.models import EventTrainer

from .factories import approved_item, bank_of, choice_document, distance_exam

pytestmark = pytest.mark.django_db

# --- Helpers ----------------------------------------------------------------------------------------------------


def login(client, user):
    """Logged in, the pages in English (the default is Kazakh; the messages compared here are the source texts)."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text(response) -> str:
    return response.content.decode()


def plain(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def decimal_point(value: str) -> str:
    return re.sub(r"(\d),(\d)", r"\1.\2", value)


def rows(html: str, css_class: str) -> list[list[str]]:
    """The cells' text of the table rows with ``css_class``, numbers with a decimal point whatever the language."""
    found = []
    for row in re.findall(rf'<tr class="{css_class}">(.*?)</tr>', html, re.S):
        found.append([decimal_point(plain(cell)) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)])
    return found


def figure(html: str, label: str) -> str:
    """The value of a ``<dt>label</dt><dd>value</dd>`` figure."""
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd[^>]*>(.*?)</dd>", html, re.S)
    assert match, f"no figure {label!r}"
    return decimal_point(plain(match.group(1)))


def new_person(n: int, surname: str, first_name: str, world) -> Person:
    iin = make_iin(500 + n, year=1970)
    from saylau.commissions import iin as iin_rules

    facts = iin_rules.parse(iin)[1]
    person = Person.objects.create(iin=iin, surname=surname, first_name=first_name, birth_date=facts.birth_date,
                                   sex=facts.sex)
    Membership.objects.create(person=person, commission=world.pec1, position="member", basis="non_permanent",
                              term_start=datetime.date(2021, 4, 1))
    return person


def take(exam: Exam, person: Person, right: set[int], items) -> Attempt:
    """``person`` answers every item of ``exam``: option "a" (right) for the items in ``right``, "b" for others."""
    attempt = attempts.attempt_start(by=None, exam=exam, person=person, language="ru")
    for item in items:
        attempts.answer_save(person_id=person.pk, attempt_id=attempt.pk, item_id=item.pk,
                             response={"choices": ["a" if item.pk in right else "b"]})
    return attempts.attempt_submit(attempt=attempt, by=None)


def make_event(world, by=None, **fields):
    today = timezone.localdate()
    defaults = {"title_kk": "УСК мүшелеріне арналған семинар", "title_ru": "Семинар для членов УИК", "kind": "seminar",
                "format": "in_person", "level": "territorial", "starts_on": today,
                "ends_on": today + datetime.timedelta(days=1), "organiser": world.tec}
    return training.event_create(by=by or world.coordinator, **(defaults | fields))


def essay_document() -> dict:
    return {"type": "essay", "name": "Шағым туралы эссе", "topic": "complaints", "points": 4,
            "text": {"kk": "<p>Шағымды қалай қарайсыз?</p>", "ru": "<p>Как вы рассмотрите жалобу?</p>"},
            "essay": {"response_format": "plain", "min_words": None,
                      "grader_info": {"kk": "Мерзімді атаңыз", "ru": "Ответ должен назвать срок: пять дней"}}}


# --- Fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture
def sat(world):
    """A distance test of the Almaty region (two items) that member1 has taken: one right, one wrong."""
    items = bank_of(world.admin, 2)
    exam = distance_exam(world, items)
    exam.attempt = take(exam, world.member1, {items[0].pk}, items)
    return exam


@pytest.fixture
def group(world):
    """Five people took a four-item test: two voter-list items (v1, v2), two observer items (o1, o2).

    | person     | right          | %   |
    |------------|----------------|-----|
    | Абаев      | v1 v2 o1 o2    | 100 |
    | Бекова     | v1 v2 o1       | 75  |
    | Валиев    | v1 v2          | 50  |
    | Горина  | v1 o1          | 50  |
    | Дюсенов    | v1             | 25  |

    Mean 60, median 50, passed (60 %) 2; top 3: Абаев 1, Бекова 2, Валиев and Горина 3 (a tie).
    Per topic: voter lists 2+2+2+1+1 = 8 of 10 = 80 %, observers 2+1+0+1+0 = 4 of 10 = 40 % (the weakest).
    """
    v1, v2 = (approved_item(world.admin, choice_document(n, topic="voter-lists")) for n in (1, 2))
    o1, o2 = (approved_item(world.admin, choice_document(n, topic="observers")) for n in (3, 4))
    items = [v1, v2, o1, o2]
    people = [new_person(1, "Абаев", "Арман", world), new_person(2, "Бекова", "Дана", world),
              new_person(3, "Валиев", "Ерік", world), new_person(4, "Горина", "Жанар", world),
              new_person(5, "Дюсенов", "Нұр", world)]
    exam = distance_exam(world, items, people=people, pass_mark_percent=60)
    answers = [{v1.pk, v2.pk, o1.pk, o2.pk}, {v1.pk, v2.pk, o1.pk}, {v1.pk, v2.pk}, {v1.pk, o1.pk}, {v1.pk}]
    exam.taken = [take(exam, person, right, items) for person, right in zip(people, answers, strict=True)]
    exam.people = people
    return exam


@pytest.fixture
def room_exam(world):
    """An in-room test of the Almaty region for member1 and member2, not opened yet."""
    items = bank_of(world.admin, 3)
    exam = exams.exam_create(by=world.coordinator, commission=world.regional, items=items, mode="room",
                             title_kk="Семинардағы тест", title_ru="Тест на семинаре", eligibility="persons",
                             eligible_people=[world.member1, world.member2], shuffle_items=False,
                             shuffle_options=False)
    exam.items = items
    return exam


# --- Who reaches which page -------------------------------------------------------------------------------------

PAGES = {
    "list": "/assessment/tests/",
    "new": "/assessment/tests/new/",
    "detail": "/assessment/tests/{exam}/",
    "projector": "/assessment/tests/{exam}/projector/",
    "qr": "/assessment/tests/{exam}/qr.svg",
    "live": "/assessment/tests/{exam}/live/",
    "results": "/assessment/tests/{exam}/results/",
    "xlsx": "/assessment/tests/{exam}/results.xlsx",
    "grading": "/assessment/tests/{exam}/grading/",
    "attempt": "/assessment/tests/{exam}/attempts/{attempt}/",
}
EXPECTED = {
    # role:           list new  detail projector qr   live results xlsx grading attempt
    "admin":          (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "coordinator":    (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "auditor":        (200, 403, 200, 403, 403, 403, 200, 200, 403, 200),
    "abai_coordinator": (200, 200, 404, 404, 404, 404, 404, 404, 404, 404),
    "trainer":        (200, 200, 404, 404, 404, 404, 404, 404, 404, 404),
    "participant":    (403, 403, 404, 404, 404, 404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_page_answers_each_role_as_the_scoping_says(client, world, sat, role):
    login(client, getattr(world, role))
    got = tuple(client.get(url.format(exam=sat.pk, attempt=sat.attempt.pk)).status_code for url in PAGES.values())
    assert dict(zip(PAGES, got, strict=True)) == dict(zip(PAGES, EXPECTED[role], strict=True))


@pytest.mark.parametrize("page", list(PAGES))
def test_anonymous_visitors_are_sent_to_log_in(client, world, sat, page):
    response = client.get(PAGES[page].format(exam=sat.pk, attempt=sat.attempt.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_trainer_runs_the_tests_they_created_and_those_of_events_they_train_at(client, world, sat):
    own = exams.exam_create(by=world.trainer, commission=world.tec, items=bank_of(world.admin, 1, topic="voting"),
                            title_kk="Тренер тесті", title_ru="Тест тренера", eligible_people=[world.member1])
    event = make_event(world)
    person = new_person(9, "Тренерова", "Әлия", world)
    EventTrainer.objects.create(event=event, person=person)
    event_trainer = User.objects.create(username="event_trainer", role=Role.TRAINER, person=person)
    pre, _post = exams.exam_pair_create(by=world.coordinator, event=event, commission=world.tec,
                                        blueprint=[{"topic": "voter-lists", "count": 1}], title_kk="Семинар",
                                        title_ru="Семинар", mode="room")

    login(client, world.trainer)
    listing = text(client.get("/assessment/tests/"))
    assert "Тренер тесті" in listing and sat.title_kk not in listing
    assert client.get(f"/assessment/tests/{own.pk}/live/").status_code == 200

    login(client, event_trainer)
    assert client.get(f"/assessment/tests/{pre.pk}/projector/").status_code == 200
    assert client.get(f"/assessment/tests/{own.pk}/").status_code == 404


# --- The list ---------------------------------------------------------------------------------------------------


def test_the_list_shows_each_tests_status_and_submitted_attempts_and_filters_by_purpose(client, world, sat, room_exam):
    login(client, world.coordinator)
    html = text(client.get("/assessment/tests/"))
    table = re.findall(r"<tr><td><a href=\"/assessment/tests/(\d+)/\">.*?</tr>", html, re.S)
    assert set(map(int, table)) == {sat.pk, room_exam.pk}
    sat_html = re.search(rf'<a href="/assessment/tests/{sat.pk}/">.*?</tr>', html, re.S).group(0)
    assert "state-open" in sat_html and plain(sat_html).endswith("1")
    room_html = re.search(rf'<a href="/assessment/tests/{room_exam.pk}/">.*?</tr>', html, re.S).group(0)
    assert "state-waiting" in room_html and plain(room_html).endswith("0")

    filtered = text(client.get("/assessment/tests/", {"mode": "room"}))
    assert f"/assessment/tests/{room_exam.pk}/" in filtered and f"/assessment/tests/{sat.pk}/" not in filtered


# --- Creating a test --------------------------------------------------------------------------------------------


def form_data(world, **overrides) -> dict:
    data = {"action": "create", "title_kk": "Сайлаушылар тізімі", "title_ru": "Списки избирателей",
            "commission": world.regional.pk, "purpose": "distance", "mode": "distance", "composition": "fixed",
            "item_ids": "", "pass_mark_percent": "70", "attempts_allowed": "2", "feedback_policy": "after_close",
            "shuffle_items": "on", "time_limit_minutes": "30", "eligibility": "persons", "filter_region": "KZ-19",
            "opens_at": "2030-03-01T09:00", "closes_at": "2030-03-10T18:00",
            "bp-TOTAL_FORMS": "5", "bp-INITIAL_FORMS": "0", "bp-MIN_NUM_FORMS": "0", "bp-MAX_NUM_FORMS": "60"}
    return data | overrides


def test_a_coordinator_creates_a_fixed_list_test_from_typed_numbers_and_ticked_items(client, world):
    typed = bank_of(world.admin, 2)
    ticked = approved_item(world.admin, choice_document(9, topic="observers"))
    login(client, world.coordinator)
    assert "Сұрақ 9" in text(client.get("/assessment/tests/new/", {"topic": "observers"}))

    response = client.post("/assessment/tests/new/", form_data(
        world, item_ids=f"{typed[1].pk}, {typed[0].pk}", items=[ticked.pk],
        iins=f"{world.member1.iin}\n{world.member2.iin}"))

    exam = Exam.objects.get(title_ru="Списки избирателей")
    assert response.status_code == 302 and response["Location"] == f"/assessment/tests/{exam.pk}/"
    assert list(exam.fixed_items.values_list("item_id", flat=True)) == [typed[1].pk, typed[0].pk, ticked.pk]
    assert set(exam.eligible_people.all()) == {world.member1, world.member2}
    assert (exam.pass_mark_percent, exam.attempts_allowed, exam.time_limit_minutes) == (70, 2, 30)
    assert (exam.shuffle_items, exam.shuffle_options, exam.feedback_policy) == (True, False, "after_close")
    assert timezone.localtime(exam.closes_at).strftime("%Y-%m-%d %H:%M") == "2030-03-10 18:00"
    page = text(client.get(response["Location"]))
    assert exam.join_code in page and "Сұрақ 9" in page


def test_a_trainer_creates_a_blueprint_test_for_a_registry_filter(client, world):
    bank_of(world.admin, 3, topic="voting")
    login(client, world.trainer)
    response = client.post("/assessment/tests/new/", form_data(
        world, commission=world.tec.pk, composition="blueprint", eligibility="filter", filter_position=["member"],
        filter_region="KZ-19", **{"bp-0-topic": "voting", "bp-0-count": "2", "bp-0-difficulty_min": "1",
                                  "bp-0-difficulty_max": "3"}))

    exam = Exam.objects.get(title_ru="Списки избирателей")
    assert response.status_code == 302
    assert exam.blueprint == [{"topic": "voting", "count": 2, "difficulty_min": 1, "difficulty_max": 3}]
    assert exam.eligible_filter == {"region": "KZ-19", "position": ["member"]}
    assert exam.created_by == world.trainer
    page = text(client.get(f"/assessment/tests/{exam.pk}/"))
    assert "<td class=\"num\">2</td><td>1–3</td><td class=\"num\">3</td>" in page  # 2 drawn of 3 approved


def field_errors(html: str, field: str) -> list[str]:
    return [plain(error) for error in re.findall(rf'<p class="error" id="id_{field}_error">(.*?)</p>', html, re.S)]


def test_a_distance_test_without_a_closing_time_shows_the_services_error_on_that_field(client, world):
    items = bank_of(world.admin, 1)
    login(client, world.coordinator)
    response = client.post("/assessment/tests/new/", form_data(world, item_ids=str(items[0].pk), closes_at="",
                                                               iins=world.member1.iin))
    assert response.status_code == 400
    assert field_errors(text(response), "closes_at") == ["A distance test needs a closing time."]
    assert not Exam.objects.exists()


def test_a_missing_title_unknown_items_and_unknown_iins_are_named_on_their_fields(client, world):
    item = bank_of(world.admin, 1)[0]
    login(client, world.coordinator)
    html = text(client.post("/assessment/tests/new/", form_data(world, title_ru=" ", item_ids=str(item.pk),
                                                                iins=world.member1.iin)))
    assert field_errors(html, "title_ru") == ["The title is required in Kazakh and Russian."]

    html = text(client.post("/assessment/tests/new/", form_data(world, item_ids="99999", iins=world.member1.iin)))
    assert field_errors(html, "item_ids") == ["No items have the numbers 99999."]

    html = text(client.post("/assessment/tests/new/", form_data(world, item_ids=str(item.pk),
                                                                iins=world.abai_member.iin)))
    assert field_errors(html, "iins") == [
        f"Not found among the people you see in the registry: {world.abai_member.iin}."]
    assert not Exam.objects.exists()


def test_a_blueprint_row_asking_for_more_than_the_bank_holds_shows_the_error_on_that_row(client, world):
    bank_of(world.admin, 2, topic="counting")
    login(client, world.coordinator)
    response = client.post("/assessment/tests/new/", form_data(
        world, composition="blueprint", iins=world.member1.iin,
        **{"bp-0-topic": "voting", "bp-0-count": "", "bp-1-topic": "counting", "bp-1-count": "5"}
        | {"bp-0-topic": "", "bp-2-topic": "counting", "bp-2-count": "1"}))
    assert response.status_code == 400
    assert field_errors(text(response), "bp-1-count") == [
        "Row 1 of the blueprint asks for 5 items, the bank has 2 approved."]


def test_showing_a_topics_items_keeps_what_was_typed_and_creates_nothing(client, world):
    typed = bank_of(world.admin, 1)[0]
    ticked = approved_item(world.admin, choice_document(5, topic="observers"))
    login(client, world.coordinator)
    response = client.post("/assessment/tests/new/", form_data(
        world, action="show_items", item_ids=str(typed.pk), items=[ticked.pk], item_topic="voter-lists",
        **{"bp-0-topic": "voting", "bp-0-count": "4"}))
    html = text(response)
    assert response.status_code == 200 and not Exam.objects.exists()
    assert f'value="{typed.pk}, {ticked.pk}"' in html  # the ticked item moved into the numbers field
    assert 'value="Списки избирателей"' in html and 'name="bp-0-count" value="4"' in html
    assert f'name="items" value="{typed.pk}"' in html  # the voter-lists items are shown now
    assert "class=\"error\"" not in html


# --- The entry/final pair -------------------------------------------------------------------------------------


def test_the_entry_and_final_pair_is_drawn_for_an_event_from_one_blueprint(client, world):
    bank_of(world.admin, 4, topic="voting")
    event = make_event(world)
    login(client, world.coordinator)
    form = text(client.get(f"/assessment/tests/pair/{event.pk}/"))
    assert 'value="Семинар для членов УИК"' in form and f'<option value="{world.tec.pk}" selected>' in form
    response = client.post(f"/assessment/tests/pair/{event.pk}/", {
        "action": "create", "title_kk": "Семинар", "title_ru": "Семинар", "commission": world.tec.pk, "mode": "room",
        "pass_mark_percent": "60", "attempts_allowed": "1", "feedback_policy": "after_close",
        "bp-TOTAL_FORMS": "5", "bp-INITIAL_FORMS": "0", "bp-0-topic": "voting", "bp-0-count": "2"})

    pre = Exam.objects.get(purpose="pre")
    post = Exam.objects.get(purpose="post")
    assert response.status_code == 302 and response["Location"] == f"/assessment/tests/{pre.pk}/"
    assert post.pre_test == pre and pre.event == post.event == event
    assert pre.title_ru == "Семинар: входное тестирование" and post.mode == "room"
    pre_items = set(pre.fixed_items.values_list("item_id", flat=True))
    post_items = set(post.fixed_items.values_list("item_id", flat=True))
    assert len(pre_items) == len(post_items) == 2 and not pre_items & post_items


def test_the_pair_page_refuses_other_regions_and_people_who_do_not_run_the_event(client, world):
    event = make_event(world)
    login(client, world.abai_coordinator)
    assert client.get(f"/assessment/tests/pair/{event.pk}/").status_code == 404
    login(client, world.trainer)  # sees the region's events but trains at none
    assert client.get(f"/assessment/tests/pair/{event.pk}/").status_code == 403
    login(client, world.auditor)
    assert client.get(f"/assessment/tests/pair/{event.pk}/").status_code == 403


def test_a_blueprint_too_large_for_the_bank_is_refused_on_the_pair_form(client, world):
    bank_of(world.admin, 1, topic="voting")
    event = make_event(world)
    login(client, world.coordinator)
    response = client.post(f"/assessment/tests/pair/{event.pk}/", {
        "action": "create", "title_kk": "С", "title_ru": "С", "commission": world.tec.pk, "mode": "room",
        "pass_mark_percent": "60", "attempts_allowed": "1", "feedback_policy": "after_submit",
        "bp-TOTAL_FORMS": "5", "bp-INITIAL_FORMS": "0", "bp-0-topic": "voting", "bp-0-count": "3"})
    assert response.status_code == 400
    assert field_errors(text(response), "bp-0-count") == [
        "Row 1 of the blueprint asks for 3 items, the bank has 1 approved."]
    assert not Exam.objects.exists()


def test_the_event_page_offers_the_pair_to_those_who_run_it_and_then_lists_the_tests(client, world):
    bank_of(world.admin, 2, topic="voting")
    event = make_event(world)
    login(client, world.coordinator)
    html = text(client.get(f"/training/{event.pk}/"))
    assert f"/assessment/tests/pair/{event.pk}/" in html and f"/assessment/tests/new/?event={event.pk}" in html

    pre, post = exams.exam_pair_create(by=world.coordinator, event=event, commission=world.tec,
                                       blueprint=[{"topic": "voting", "count": 1}], title_kk="Семинар",
                                       title_ru="Семинар", mode="room")
    html = text(client.get(f"/training/{event.pk}/"))
    assert f"/assessment/tests/{pre.pk}/" in html and f"/assessment/tests/{post.pk}/" in html
    assert f"/assessment/tests/pair/{event.pk}/" not in html  # the pair exists

    login(client, world.auditor)
    html = text(client.get(f"/training/{event.pk}/"))
    assert f"/assessment/tests/{pre.pk}/" in html and f"/assessment/tests/new/?event={event.pk}" not in html
    training.enrol_list(by=world.coordinator, event=event, people=[world.member1])
    login(client, world.participant)
    html = text(client.get(f"/training/{event.pk}/"))
    assert event.title_kk in html and "/assessment/tests/" not in html


# --- The room: open, close, projector, live view -----------------------------------------------------------------


def test_the_open_and_close_buttons_run_the_room_and_closing_submits_open_attempts(client, world, room_exam):
    login(client, world.coordinator)
    detail = f"/assessment/tests/{room_exam.pk}/"
    assert 'name="state" value="open"' in text(client.get(detail))

    response = client.post(f"{detail}room/", {"state": "open", "next": f"{detail}live/"})
    assert response.status_code == 302 and response["Location"] == f"{detail}live/"
    room_exam.refresh_from_db()
    assert room_exam.room_state == RoomState.OPEN
    assert 'name="state" value="closed"' in text(client.get(f"{detail}live/"))

    attempt = attempts.attempt_start(by=None, exam=room_exam, person=world.member1, language="ru")
    client.post(f"{detail}room/", {"state": "closed", "next": "https://elsewhere.example/"})
    room_exam.refresh_from_db()
    attempt.refresh_from_db()
    assert room_exam.room_state == RoomState.CLOSED and attempt.status == AttemptStatus.SUBMITTED
    assert "Attempts submitted on closing: 1." in text(client.get(detail))


def test_the_room_buttons_are_for_managers_and_in_room_tests_only(client, world, room_exam, sat):
    login(client, world.auditor)
    assert client.post(f"/assessment/tests/{room_exam.pk}/room/", {"state": "open"}).status_code == 403
    login(client, world.coordinator)
    assert 'name="state"' not in text(client.get(f"/assessment/tests/{sat.pk}/"))
    response = client.post(f"/assessment/tests/{sat.pk}/room/", {"state": "open"}, follow=True)
    assert "Only in-room tests are opened and closed live." in text(response)


def test_the_projector_shows_the_join_code_and_a_qr_code_of_the_join_page(client, world, room_exam):
    login(client, world.coordinator)
    html = text(client.get(f"/assessment/tests/{room_exam.pk}/projector/"))
    assert f'<span aria-hidden="true">{room_exam.join_code}</span>' in html
    assert f'<span class="sr-only">Join code: {" ".join(room_exam.join_code)}</span>' in html
    assert f'<img class="qr" src="/assessment/tests/{room_exam.pk}/qr.svg"' in html
    assert "Семинардағы тест" in html or "Тест на семинаре" in html
    assert "http://testserver/assessment/join/" in html
    status = text(client.get(f"/assessment/tests/{room_exam.pk}/projector/", headers={"X-Fragment": "1"}))
    assert "<html" not in status and "The test has not started yet." in status
    svg = client.get(f"/assessment/tests/{room_exam.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_the_live_view_counts_who_joined_who_is_answering_and_who_submitted(client, world, room_exam):
    exams.room_set_state(by=world.coordinator, exam=room_exam, state="open")
    login(client, world.coordinator)
    live = f"/assessment/tests/{room_exam.pk}/live/"
    html = text(client.get(live))
    assert (figure(html, "Joined"), figure(html, "Answering now"), figure(html, "Submitted")) == ("0", "0", "0")
    assert "Nobody has joined yet." in html and "assessment/live.js" in html and f'href="{live}"' in html

    first = attempts.attempt_start(by=None, exam=room_exam, person=world.member1, language="ru")
    attempts.attempt_start(by=None, exam=room_exam, person=world.member2, language="ru")
    attempts.answer_save(person_id=world.member1.pk, attempt_id=first.pk, item_id=room_exam.items[0].pk,
                         response={"choices": ["a"]})
    html = text(client.get(live))
    assert (figure(html, "Joined"), figure(html, "Answering now"), figure(html, "Submitted")) == ("2", "1", "0")
    assert rows(html, "is-answering") == [["Омарова Айгүл Серікұлы", "answering", "1 of 3", "—"]]

    attempts.attempt_submit(attempt=first, by=None)
    fragment = client.get(live, headers={"X-Fragment": "1"})
    html = text(fragment)
    assert "<html" not in html and 'aria-live="polite"' in html and "X-Fragment" in fragment["Vary"]
    assert (figure(html, "Joined"), figure(html, "Answering now"), figure(html, "Submitted")) == ("2", "0", "1")
    assert rows(html, "is-submitted") == [["Омарова Айгүл Серікұлы", "submitted", "1 of 3", "33.3"]]


# --- Results ------------------------------------------------------------------------------------------------------


def test_the_results_show_the_groups_figures_the_top_three_with_a_tie_and_the_weakest_topic(client, world, group):
    login(client, world.coordinator)
    html = text(client.get(f"/assessment/tests/{group.pk}/results/"))

    assert (figure(html, "Submitted"), figure(html, "Passed")) == ("5", "2")
    assert (figure(html, "Mean"), figure(html, "Median")) == ("60 %", "50 %")
    assert [row[:2] for row in rows(html, "top-row")] == [
        ["1", "Абаев Арман"], ["2", "Бекова Дана"], ["3", "Валиев Ерік"], ["3", "Горина Жанар"]]
    assert [row[2] for row in rows(html, "top-row")] == ["100.0", "75.0", "50.0", "50.0"]
    topics = rows(html, "topic-row")
    observers, voter_lists = (Topic.objects.get(code=code).name_en for code in ("observers", "voter-lists"))
    assert topics == [[f"{observers} below the pass mark", "40.0", "4 / 10"], [voter_lists, "80.0", "8 / 10"]]
    assert rows(html, "band-counts") == [["people", "0", "0", "1", "0", "0", "2", "0", "1", "0", "1"]]
    people = rows(html, "person-row")
    assert [(row[0], row[1], row[2], row[4]) for row in people] == [
        ("Абаев Арман", group.people[0].iin, "100.0", "yes"), ("Бекова Дана", group.people[1].iin, "75.0", "yes"),
        ("Валиев Ерік", group.people[2].iin, "50.0", "no"), ("Горина Жанар", group.people[3].iin, "50.0", "no"),
        ("Дюсенов Нұр", group.people[4].iin, "25.0", "no")]
    review = f"/assessment/tests/{group.pk}/attempts/{group.taken[0].pk}/"
    assert review in html
    assert "<svg class=\"chart\"" in html


def test_iins_are_shown_only_to_those_who_may_see_personal_data(client, world, group):
    iin = group.people[0].iin
    for user, shown in ((world.coordinator, True), (world.admin, True), (world.auditor, False)):
        login(client, user)
        assert (iin in text(client.get(f"/assessment/tests/{group.pk}/results/"))) is shown
        workbook = load_workbook(io.BytesIO(client.get(f"/assessment/tests/{group.pk}/results.xlsx").content))
        assert any(iin in [str(c) for c in row] for row in workbook.worksheets[0].iter_rows(values_only=True)) is shown


def test_the_xlsx_export_holds_the_same_numbers_as_the_page(client, world, group):
    login(client, world.coordinator)
    response = client.get(f"/assessment/tests/{group.pk}/results.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    people = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert people[0][:4] == ("Name", "IIN", "Percent", "Score")
    by_name = {row[0]: row for row in people[1:]}
    assert {name.split()[0]: row[2] for name, row in by_name.items()} == {
        "Абаев": 100, "Бекова": 75, "Валиев": 50, "Горина": 50, "Дюсенов": 25}
    assert by_name["Абаев Арман"][1] == group.people[0].iin and by_name["Абаев Арман"][5] == "yes"
    summary = dict(row[:2] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True))
    assert (summary["Submitted"], summary["Passed"], summary["Mean, %"], summary["Median, %"]) == (5, 2, 60, 50)
    topics = list(workbook["Topics"].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in topics] == [40, 80]


def test_a_final_tests_results_compare_each_participant_with_the_entry_test(client, world):
    """Entry: Абаев 50, Бекова 25, Валиев 0; final: Абаев 100, Бекова 50, Валиев 75, Горина 100 (no entry).

    Gains (post − pre) / (100 − pre): Абаев 50/50 = 1.00, Бекова 25/75 = 0.33, Валиев 75/100 = 0.75.
    The group (the three who took both): entry mean 25.0, final mean 75.0, gain (75 − 25) / (100 − 25) = 0.67.
    """
    items = bank_of(world.admin, 4)
    people = [new_person(1, "Абаев", "Арман", world), new_person(2, "Бекова", "Дана", world),
              new_person(3, "Валиев", "Ерік", world), new_person(4, "Горина", "Жанар", world)]
    ids = [item.pk for item in items]
    pre = distance_exam(world, items, people=people, purpose="pre")
    post = distance_exam(world, items, people=people, purpose="post", pre_test=pre)
    for person, right in zip(people[:3], (ids[:2], ids[:1], []), strict=True):
        take(pre, person, set(right), items)
    for person, right in zip(people, (ids, ids[:2], ids[:3], ids), strict=True):
        take(post, person, set(right), items)

    login(client, world.coordinator)
    html = text(client.get(f"/assessment/tests/{post.pk}/results/"))
    assert rows(html, "gain-row") == [
        ["Абаев Арман", "50.0", "100.0", "1.00"], ["Бекова Дана", "25.0", "50.0", "0.33"],
        ["Валиев Ерік", "0.0", "75.0", "0.75"], ["Горина Жанар", "—", "100.0", "—"]]
    assert (figure(html, "Took both tests"), figure(html, "Entry, mean"), figure(html, "Final, mean")) == (
        "3", "25 %", "75 %")
    assert figure(html, "Normalised gain of the group") == "0.67"
    assert f"/assessment/tests/{post.pk}/results/" in text(client.get(f"/assessment/tests/{pre.pk}/results/"))

    workbook = load_workbook(io.BytesIO(client.get(f"/assessment/tests/{post.pk}/results.xlsx").content))
    gains = list(workbook["Entry vs final"].iter_rows(min_row=2, values_only=True))
    assert gains[0] == ("Абаев Арман", 50, 100, 1.0)
    assert gains[-1] == ("Group (took both)", 25, 75, pytest.approx(0.667))


# --- Marking essays -----------------------------------------------------------------------------------------------


@pytest.fixture
def essay_exam(world):
    """member1 answered an essay (4 points) and a choice item right (1 point): 1 of 5 until the essay is marked."""
    essay = approved_item(world.admin, essay_document())
    choice = bank_of(world.admin, 1)[0]
    exam = distance_exam(world, [essay, choice], pass_mark_percent=60)
    attempt = attempts.attempt_start(by=None, exam=exam, person=world.member1, language="ru")
    attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=essay.pk,
                         response={"text": "Комиссия рассматривает жалобу в течение пяти дней."})
    attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=choice.pk,
                         response={"choices": ["a"]})
    exam.attempt = attempts.attempt_submit(attempt=attempt, by=None)
    exam.row = AttemptItem.objects.get(attempt=attempt, item=essay)
    return exam


def test_grading_an_essay_changes_the_result(client, world, essay_exam):
    login(client, world.coordinator)
    grading = f"/assessment/tests/{essay_exam.pk}/grading/"
    html = text(client.get(grading))
    assert "Как вы рассмотрите жалобу?" in html and "в течение пяти дней" in html
    assert "Ответ должен назвать срок" in html or "Мерзімді атаңыз" in html
    results_html = text(client.get(f"/assessment/tests/{essay_exam.pk}/results/"))
    assert figure(results_html, "Awaiting a mark") == "1" and figure(results_html, "Passed") == "0"

    response = client.post(grading, {"row": essay_exam.row.pk, "points": "3", "comment": "Срок назван верно"})
    assert response.status_code == 302
    attempt = Attempt.objects.get(pk=essay_exam.attempt.pk)
    assert (attempt.score, attempt.percent, attempt.passed, attempt.awaiting_grading) == (4, 80, True, False)
    assert "No essays are waiting for a mark." in text(client.get(grading))
    assert "Срок назван верно" in text(client.get(f"{grading}?all=1"))
    results_html = text(client.get(f"/assessment/tests/{essay_exam.pk}/results/"))
    assert (figure(results_html, "Passed"), figure(results_html, "Mean")) == ("1", "80 %")


def test_a_mark_above_the_items_maximum_is_refused_on_the_points_field(client, world, essay_exam):
    login(client, world.coordinator)
    response = client.post(f"/assessment/tests/{essay_exam.pk}/grading/", {"row": essay_exam.row.pk, "points": "9"})
    assert response.status_code == 400
    assert field_errors(text(response), f"points_{essay_exam.row.pk}") == ["The mark must be between 0 and 4.00."]
    assert Attempt.objects.get(pk=essay_exam.attempt.pk).awaiting_grading


def test_an_answer_of_another_test_cannot_be_marked_through_this_page(client, world, essay_exam, sat):
    login(client, world.coordinator)
    response = client.post(f"/assessment/tests/{sat.pk}/grading/", {"row": essay_exam.row.pk, "points": "1"})
    assert response.status_code == 404


# --- Reviewing an attempt -----------------------------------------------------------------------------------------


def test_the_attempt_review_shows_what_was_chosen_and_what_was_right(client, world, sat):
    login(client, world.coordinator)
    html = text(client.get(f"/assessment/tests/{sat.pk}/attempts/{sat.attempt.pk}/"))
    assert "Омарова Айгүл" in html and sat.attempt.person.iin in html
    assert html.count('class="chosen right"') == 1 and html.count('class="chosen wrong"') == 1
    assert "50 %" in html
