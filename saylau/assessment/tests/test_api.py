"""The assessment API: tests, attempts and the item bank under /api/v1/, scoped by role, keys kept back."""

import datetime
import json
import threading

import pytest
from django.db import connection
from django.utils import timezone

from saylau.assessment.models import Attempt, AttemptItem, Item, ItemStatus

from .factories import approved_item, bank_of, choice_document, scenario_document

pytestmark = pytest.mark.django_db

KEY_MARKERS = ('"fraction"', '"feedback"', '"key"', "Верно.", "Дұрыс.", "Комментарий", "general_feedback",
               '"answers"', '"numbers"')


def login(client, user):
    client.force_login(user)
    return client


def create_test(client, world, items, **overrides):
    now = timezone.now()
    payload = {"title_kk": "Қорытынды тест", "title_ru": "Итоговый тест", "commission": world.regional.pk,
               "items": [item.pk for item in items], "time_limit_minutes": 30, "pass_mark_percent": 60,
               "eligible": {"persons": [world.member1.pk]}, "opens_at": (now - datetime.timedelta(hours=1)).isoformat(),
               "closes_at": (now + datetime.timedelta(hours=5)).isoformat(), "shuffle_items": False} | overrides
    response = login(client, world.admin).post("/api/v1/tests", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_creating_a_test_returns_its_id_and_a_six_character_join_code(client, world):
    created = create_test(client, world, bank_of(world.admin, 2))
    assert set(created) == {"id", "join_code"} and len(created["join_code"]) == 6


def test_a_test_from_a_blueprint_checks_the_bank(client, world):
    bank_of(world.admin, 3, topic="voter-lists")
    response = login(client, world.admin).post("/api/v1/tests", {
        "title_kk": "Т", "title_ru": "Т", "commission": world.regional.pk, "closes_at": "2030-01-01T00:00:00Z",
        "blueprint": [{"topic": "voter-lists", "count": 5}], "eligible": {"persons": [world.member1.pk]},
    }, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "bank_too_small"


def test_the_whole_attempt_lifecycle_over_the_api(client, world):
    items = [approved_item(world.admin, scenario_document())] + bank_of(world.admin, 2)
    test = create_test(client, world, items)
    participant = login(client, world.participant)
    started = participant.post(f"/api/v1/tests/{test['id']}/attempts", {"language": "ru"},
                               content_type="application/json")
    assert started.status_code == 201
    body = started.json()
    assert body["deadline"] and [item["id"] for item in body["items"]] == [item.pk for item in items]
    for marker in KEY_MARKERS:
        assert marker not in started.content.decode(), marker
    attempt_id = body["attempt_id"]
    url = f"/api/v1/attempts/{attempt_id}/answers/"
    assert participant.put(url + str(items[1].pk), {"choices": ["a"]}, content_type="application/json").status_code == 204
    assert participant.put(url + str(items[2].pk), {"choices": ["b"]}, content_type="application/json").status_code == 204
    assert participant.put(url + str(items[0].pk), {"choices": ["s1a", "s2b"]},
                           content_type="application/json").status_code == 204
    reread = participant.get(f"/api/v1/attempts/{attempt_id}")
    assert reread.json()["answered"] == 3 and reread.json()["status"] == "open"
    for marker in KEY_MARKERS:
        assert marker not in reread.content.decode(), marker
    result = participant.post(f"/api/v1/attempts/{attempt_id}/submit").json()
    assert (result["score"], result["max_score"], result["percent"], result["passed"]) == (2.0, 4.0, 50.0, False)
    assert {(t["topic"], t["score"], t["max_score"]) for t in result["topics"]} == {
        ("observers", 1.0, 2.0), ("voter-lists", 1.0, 2.0)}
    again = participant.post(f"/api/v1/attempts/{attempt_id}/submit").json()
    assert again["score"] == 2.0
    late = participant.put(url + str(items[2].pk), {"choices": ["a"]}, content_type="application/json")
    assert late.status_code == 409 and late.json()["code"] == "attempt_closed"
    after = participant.get(f"/api/v1/attempts/{attempt_id}").json()
    assert after["result"]["percent"] == 50.0 and "key" in after["items"][0]


def test_an_answer_to_another_persons_attempt_is_not_found(client, world):
    items = bank_of(world.admin, 1)
    test = create_test(client, world, items, eligible={"persons": [world.member1.pk, world.member2.pk]})
    attempt_id = login(client, world.participant).post(f"/api/v1/tests/{test['id']}/attempts").json()["attempt_id"]
    from saylau.accounts.models import Role, User

    other = User.objects.create_user(username="member2", password="pass-12345-word", role=Role.PARTICIPANT,
                                     person=world.member2)
    response = login(client, other).put(f"/api/v1/attempts/{attempt_id}/answers/{items[0].pk}", {"choices": ["a"]},
                                        content_type="application/json")
    assert response.status_code == 404
    assert login(client, other).get(f"/api/v1/attempts/{attempt_id}").status_code == 404


def test_an_unknown_option_is_refused_with_a_code(client, world):
    items = bank_of(world.admin, 1)
    test = create_test(client, world, items)
    participant = login(client, world.participant)
    attempt_id = participant.post(f"/api/v1/tests/{test['id']}/attempts").json()["attempt_id"]
    response = participant.put(f"/api/v1/attempts/{attempt_id}/answers/{items[0].pk}", {"choices": ["zz"]},
                               content_type="application/json")
    assert response.status_code == 400 and response.json()["code"].startswith("invalid_answer")


def test_after_the_deadline_saving_is_refused_and_reading_submits(client, world):
    items = bank_of(world.admin, 2)
    test = create_test(client, world, items)
    participant = login(client, world.participant)
    attempt_id = participant.post(f"/api/v1/tests/{test['id']}/attempts").json()["attempt_id"]
    participant.put(f"/api/v1/attempts/{attempt_id}/answers/{items[0].pk}", {"choices": ["a"]},
                    content_type="application/json")
    Attempt.objects.filter(pk=attempt_id).update(deadline=timezone.now() - datetime.timedelta(seconds=1))
    response = participant.put(f"/api/v1/attempts/{attempt_id}/answers/{items[1].pk}", {"choices": ["a"]},
                               content_type="application/json")
    assert response.status_code == 409
    state = participant.get(f"/api/v1/attempts/{attempt_id}").json()
    assert state["status"] == "submitted" and state["result"]["score"] == 1.0


def test_a_second_start_resumes_the_open_attempt(client, world):
    test = create_test(client, world, bank_of(world.admin, 2))
    participant = login(client, world.participant)
    first = participant.post(f"/api/v1/tests/{test['id']}/attempts").json()
    second = participant.post(f"/api/v1/tests/{test['id']}/attempts").json()
    assert first["attempt_id"] == second["attempt_id"]


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers: concurrency is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_the_same_answer_leave_one_whole_answer(world):
    from saylau.assessment import attempts, exams

    items = bank_of(world.admin, 1)
    multiple = dict(choice_document(9), type="multiple_choice")
    multiple["options"] = [dict(option, fraction=0.5 if option["id"] in "ab" else -1.0) for option in multiple["options"]]
    items.append(approved_item(world.admin, multiple))
    exam = exams.exam_create(by=world.admin, commission=world.regional, items=items, eligible_people=[world.member1],
                             title_kk="Т", title_ru="Т", mode="distance",
                             closes_at=timezone.now() + datetime.timedelta(hours=1))
    attempt = attempts.attempt_start(by=None, exam=exam, person=world.member1, language="ru")
    answers = [["a"], ["b"], ["a", "b"], ["c"]] * 5
    errors = []

    def save(choices):
        try:
            attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=items[1].pk,
                                 response={"choices": choices})
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(choices,)) for choices in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    saved = AttemptItem.objects.get(attempt=attempt, item=items[1]).response
    assert saved in [{"choices": choices} for choices in answers]


def test_the_bank_api_is_closed_to_participants_and_keys_stay_there(client, world):
    item = approved_item(world.admin, choice_document())
    assert login(client, world.participant).get(f"/api/v1/items/{item.pk}").status_code == 404
    assert login(client, world.participant).get("/api/v1/items").json()["count"] == 0
    body = login(client, world.trainer).get(f"/api/v1/items/{item.pk}").json()
    assert body["document"]["options"][0]["fraction"] == 1.0


def test_editing_an_approved_item_makes_a_new_version_and_attempts_keep_theirs(client, world):
    items = bank_of(world.admin, 1)
    test = create_test(client, world, items)
    attempt_id = login(client, world.participant).post(f"/api/v1/tests/{test['id']}/attempts", {"language": "ru"},
                                                       content_type="application/json").json()["attempt_id"]
    document = choice_document(1)
    document["text"]["ru"] = "<p>Новая формулировка</p>"
    response = login(client, world.admin).put(f"/api/v1/items/{items[0].pk}", {"document": document},
                                              content_type="application/json")
    assert response.json()["version"] == 2 and response.json()["status"] == ItemStatus.DRAFT
    shown = login(client, world.participant).get(f"/api/v1/attempts/{attempt_id}").json()["items"][0]["text"]
    assert "кто составляет" in shown


def test_marking_an_article_amended_flags_the_items_citing_it(client, world):
    cites = approved_item(world.admin, choice_document(1, references=[{"act": "referendum", "article": "9",
                                                                        "paragraph": ""}]))
    other = approved_item(world.admin, choice_document(2))
    response = login(client, world.admin).post("/api/v1/amendments", {
        "act": "referendum", "article": "9", "paragraph": "2", "amended_on": "2024-06-01"},
        content_type="application/json")
    assert response.status_code == 201 and response.json()["items_flagged"] == 1
    assert Item.objects.get(pk=cites.pk).status == ItemStatus.REVIEW
    assert "referendum, art. 9" in Item.objects.get(pk=cites.pk).review_reason
    assert Item.objects.get(pk=other.pk).status == ItemStatus.APPROVED
    assert login(client, world.coordinator).post("/api/v1/amendments", {
        "act": "referendum", "article": "9", "amended_on": "2024-06-01"},
        content_type="application/json").status_code == 403


def test_the_room_is_opened_and_closed_by_the_manager(client, world):
    test = create_test(client, world, bank_of(world.admin, 1), mode="room", opens_at=None, closes_at=None)
    participant = login(client, world.participant)
    refused = participant.post(f"/api/v1/tests/{test['id']}/attempts")
    assert refused.status_code == 409 and refused.json()["code"] == "room_closed"
    assert login(client, world.admin).post(f"/api/v1/tests/{test['id']}/room", {"state": "open"},
                                           content_type="application/json").json()["room_state"] == "open"
    joined = login(client, world.participant).post("/api/v1/tests/join", {"code": test["join_code"].lower()},
                                                   content_type="application/json")
    assert joined.json()["id"] == test["id"]
    assert login(client, world.participant).post(f"/api/v1/tests/{test['id']}/attempts").status_code == 201


def test_results_of_a_test_are_for_its_managers(client, world):
    test = create_test(client, world, bank_of(world.admin, 1))
    participant = login(client, world.participant)
    attempt_id = participant.post(f"/api/v1/tests/{test['id']}/attempts").json()["attempt_id"]
    participant.post(f"/api/v1/attempts/{attempt_id}/submit")
    assert login(client, world.participant).get(f"/api/v1/tests/{test['id']}/results").status_code == 404
    assert login(client, world.abai_coordinator).get(f"/api/v1/tests/{test['id']}/results").status_code == 404
    body = login(client, world.coordinator).get(f"/api/v1/tests/{test['id']}/results").json()
    assert body["count"] == 1 and json.dumps(body)


def test_html_from_the_api_is_sanitised_before_any_page_shows_it(client, world):
    document = choice_document(1)
    document["text"]["ru"] = '<p onclick="steal()">Вопрос<script>alert(1)</script></p>'
    document["options"][1]["feedback"] = {"ru": '<img src="x" onerror="steal()">Нет'}
    response = login(client, world.admin).post("/api/v1/items", {"document": document}, content_type="application/json")
    stored = response.json()["document"]
    assert stored["text"]["ru"] == "<p>Вопрос</p>"
    assert stored["options"][1]["feedback"]["ru"] == "Нет"


@pytest.mark.skipif(connection.vendor == "sqlite", reason="the one-statement writes are PostgreSQL's; SQLite takes the ORM")
def test_a_start_and_a_submit_over_a_token_take_a_few_statements_each(client, world, django_assert_max_num_queries):
    """The opening and the closing of a nationwide test: a start is the token, the test, earlier attempts, the
    eligibility, the draw, the item documents (once per process) and one write; a submit the token, the locked
    attempt, its items, one write, and what listens to a result (courses) and names its topics."""
    from saylau.accounts.services import api_token_create

    bank_of(world.admin, 6, topic="voter-lists")
    test = create_test(client, world, [], blueprint=[{"topic": "voter-lists", "count": 4}])
    client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.participant)}"}
    assert client.get("/api/v1/me", **auth).status_code == 200  # marks the token used
    with django_assert_max_num_queries(7):
        started = client.post(f"/api/v1/tests/{test['id']}/attempts", {"language": "ru"},
                              content_type="application/json", **auth)
    assert started.status_code == 201 and len(started.json()["items"]) == 4
    with django_assert_max_num_queries(7):
        result = client.post(f"/api/v1/attempts/{started.json()['attempt_id']}/submit", **auth)
    assert result.status_code == 200 and result.json()["max_score"] == 4.0
