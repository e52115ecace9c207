import re

import pytest
from django.urls import reverse

from saylau.assessment import exams
from saylau.assessment.models import Attempt, AttemptItem

from .factories import approved_item, bank_of, distance_exam, scenario_document

pytestmark = pytest.mark.django_db

KEY_MARKERS = ("fraction", "Верно.", "Комментарий", "Списки составляет")


def start(client, world, exam, language="ru"):
    client.force_login(world.participant)
    response = client.post(reverse("assessment:join_code", args=[exam.join_code]), {"language": language})
    assert response.status_code == 302
    return Attempt.objects.get(exam=exam, person=world.member1)


def test_a_participant_joins_with_the_code_and_starts(client, world):
    exam = distance_exam(world, bank_of(world.admin, 2))
    client.force_login(world.participant)
    response = client.get(reverse("assessment:join"), {"code": exam.join_code.lower()})
    assert response.status_code == 302 and response.url.endswith(f"/join/{exam.join_code}/")
    page = client.get(response.url)
    assert "Дистанционный тест" in page.content.decode() or "Қашықтықтан тест" in page.content.decode()
    attempt = start(client, world, exam)
    page = client.get(reverse("assessment:attempt", args=[attempt.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "кто составляет списки избирателей" in html
    for marker in KEY_MARKERS:
        assert marker not in html


def test_an_unknown_code_says_so(client, world):
    client.force_login(world.participant)
    response = client.get(reverse("assessment:join"), {"code": "ZZZZZZ"})
    assert response.status_code == 200 and "ZZZZZZ" in response.content.decode()


def test_answers_posted_without_javascript_are_saved_and_survive_a_reload(client, world):
    items = bank_of(world.admin, 2)
    attempt = start(client, world, distance_exam(world, items))
    response = client.post(reverse("assessment:attempt", args=[attempt.pk]),
                           {f"item-{items[0].pk}": "a", "action": "save"})
    assert response.status_code == 302
    assert AttemptItem.objects.get(attempt=attempt, item=items[0]).response == {"choices": ["a"]}
    html = client.get(reverse("assessment:attempt", args=[attempt.pk])).content.decode()
    assert re.search(rf'name="item-{items[0].pk}" value="a" checked', html)


def test_a_scenario_reveals_its_next_decision_once_the_first_is_saved(client, world):
    item = approved_item(world.admin, scenario_document())
    attempt = start(client, world, distance_exam(world, [item]))
    url = reverse("assessment:attempt", args=[attempt.pk])
    assert f"item-{item.pk}-step-s2" not in client.get(url).content.decode()
    client.post(url, {f"item-{item.pk}-step-s1": "s1a", "action": "save"})
    assert f"item-{item.pk}-step-s2" in client.get(url).content.decode()


def test_submitting_shows_the_result_with_the_topic_breakdown_and_review(client, world):
    items = [approved_item(world.admin, scenario_document())] + bank_of(world.admin, 1)
    attempt = start(client, world, distance_exam(world, items))
    client.post(reverse("assessment:attempt", args=[attempt.pk]),
                {f"item-{items[1].pk}": "a", f"item-{items[0].pk}-step-s1": "s1c", "action": "finish"})
    confirm = client.get(reverse("assessment:attempt_submit", args=[attempt.pk]))
    assert confirm.status_code == 200
    response = client.post(reverse("assessment:attempt_submit", args=[attempt.pk]))
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "50%" in html or "50.0%" in html  # 0.5 + 1 of 3 points
    assert "Дауыс беру күніндегі байқаушылар" in html  # the topic, in Kazakh (the default language)
    assert "Комментарий к s1a" in html  # review with commentary after submission (policy: after submit)


def test_someone_elses_attempt_is_not_found(client, world):
    items = bank_of(world.admin, 1)
    attempt = start(client, world, distance_exam(world, items))
    client.force_login(world.coordinator)
    assert client.get(reverse("assessment:attempt", args=[attempt.pk])).status_code == 404


def test_an_in_room_test_waits_for_the_trainer(client, world):
    exam = distance_exam(world, bank_of(world.admin, 1), mode="room", opens_at=None, closes_at=None)
    client.force_login(world.participant)
    html = client.get(reverse("assessment:join_code", args=[exam.join_code])).content.decode()
    assert 'type="radio" name="language"' not in html
    exams.room_set_state(by=world.admin, exam=exam, state="open")
    html = client.get(reverse("assessment:join_code", args=[exam.join_code])).content.decode()
    assert 'type="radio" name="language"' in html
