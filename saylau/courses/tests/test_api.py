"""The API: the library's search, the courses list with the caller's own progress, and progress by scope."""

import pytest

from saylau.accounts.services import api_token_create
from saylau.courses import services

from .conftest import article


def get(client, user, url, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")


def test_materials_search_answers_in_the_documented_shape(client, world):
    material = article(world.admin, topic=None)
    article(world.admin, title_kk="Дауыс беру", title_ru="Голосование", body_kk="# Дауыс беру", body_ru="# Голос")
    body = get(client, world.participant, "/api/v1/materials", q="сайлаушылардың").json()
    assert body["count"] == 1
    assert body["items"][0] | {"updated_at": None} == {
        "id": material.pk, "title": "Сайлаушылар тізімі", "language": "kk+ru", "topic": None, "kind": "article",
        "version": 1, "updated_at": None}
    assert get(client, world.participant, "/api/v1/materials", language="en").status_code == 400
    assert get(client, world.participant, "/api/v1/materials", language="ru", q="голосование").json()["count"] == 1


def test_materials_need_a_login(client):
    assert client.get("/api/v1/materials").status_code == 401


def test_courses_with_the_callers_progress(client, world, course, learner):
    services.lesson_complete(enrolment=learner, lesson=course.read)
    [item] = get(client, world.participant, "/api/v1/courses").json()["items"]
    assert (item["id"], item["lessons"], item["my_progress"]["percent"]) == (course.pk, 4, 25)
    assert get(client, world.coordinator, "/api/v1/courses").json()["items"][0]["my_progress"] is None


def test_a_learner_reads_their_own_progress_lesson_by_lesson(client, world, course, learner):
    services.lesson_complete(enrolment=learner, lesson=course.read)
    body = get(client, world.participant, f"/api/v1/courses/{course.pk}/progress").json()
    assert body["scope"] == "learner" and body["lessons_done"] == 1
    assert [(row["done"], row["locked"]) for row in body["lessons"]] == [
        (True, False), (False, False), (False, True), (False, True)]


@pytest.fixture
def enrolled_everywhere(world, course):
    services.cohort_enrol(by=world.admin, course=course, name="all",
                          people=[world.member1, world.member2, world.abai_member])
    return course


def test_a_coordinator_reads_their_region_by_commission(client, world, enrolled_everywhere):
    body = get(client, world.coordinator, f"/api/v1/courses/{enrolled_everywhere.pk}/progress").json()
    assert body["scope"] == "region" and body["region"] == "KZ-19"
    assert body["totals"]["enrolled"] == 2
    assert sorted(row["code"] for row in body["commissions"]) == ["PEC-19-0001", "PEC-19-0002"]
    other = get(client, world.coordinator, f"/api/v1/courses/{enrolled_everywhere.pk}/progress", region="KZ-10")
    assert other.json()["totals"]["enrolled"] == 0  # another region's learners are not theirs to count


def test_the_cec_reads_every_region(client, world, enrolled_everywhere):
    body = get(client, world.admin, f"/api/v1/courses/{enrolled_everywhere.pk}/progress").json()
    assert body["scope"] == "national" and body["totals"]["enrolled"] == 3
    assert {row["iso_code"]: row["enrolled"] for row in body["regions"]} == {"KZ-19": 2, "KZ-10": 1}


def test_a_participant_not_enrolled_gets_a_clear_error(client, world, course):
    response = get(client, world.participant, f"/api/v1/courses/{course.pk}/progress")
    assert response.status_code == 400 and response.json()["code"] == "not_enrolled"
    assert get(client, world.participant, "/api/v1/courses/999/progress").status_code == 404
