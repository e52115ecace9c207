"""The analysis of tests in the database: what is analysed, the figures stored, flags, abilities, refreshing."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import make_iin
from saylau.assessment import attempts, exams
from saylau.assessment.models import Attempt, AttemptItem
from saylau.assessment.tests.factories import approved_item, bank_of, distance_exam, scenario_document
from saylau.commissions import iin as iin_rules
from saylau.commissions.models import Person
from saylau.psychometrics import analysis, tasks
from saylau.psychometrics.flags import item_flags
from saylau.psychometrics.models import AttemptAbility, ItemAnalysis, TestAnalysis

pytestmark = pytest.mark.django_db


def people(count: int, start: int = 100) -> list[Person]:
    result = []
    for n in range(start, start + count):
        iin = make_iin(n)
        facts = iin_rules.parse(iin)[1]
        result.append(Person.objects.create(iin=iin, surname=f"Тестов{n}", first_name="Асқар",
                                            birth_date=facts.birth_date, sex=facts.sex))
    return result


def answer(exam, person, choices_by_item: dict[int, str], submit: bool = True) -> Attempt:
    attempt = attempts.attempt_start(by=None, exam=exam, person=person, language="ru")
    for item_id, choice in choices_by_item.items():
        attempts.answer_save(person_id=person.pk, attempt_id=attempt.pk, item_id=item_id,
                             response={"choices": [choice]})
    return attempts.attempt_submit(attempt=attempt, by=None) if submit else attempt


@pytest.fixture
def sat(world):
    """A test of 3 single-choice items taken by 40 people: the first item right for everyone with an even
    number, the second for the first 30, the third for nobody but the last 4 (who chose option "c")."""
    items = bank_of(world.admin, 3, topic="voting")
    group = people(40)
    exam = distance_exam(world, items, people=group)
    for k, person in enumerate(group):
        answer(exam, person, {items[0].pk: "a" if k % 2 == 0 else "b", items[1].pk: "a" if k < 30 else "b",
                              items[2].pk: "a" if k >= 36 else ("c" if k < 10 else "b")})
    return exam, items, group


def test_the_stored_figures_are_moodles_on_the_submitted_attempts(sat):
    exam, items, group = sat
    stored = analysis.analyse_test(exam=exam)
    assert stored.attempts == 40
    rows = {row["item_id"]: row for row in stored.items}
    assert [row["item_id"] for row in stored.items] == [item.pk for item in items]  # in test order
    assert rows[items[0].pk]["facility"] == pytest.approx(50.0)
    assert rows[items[1].pk]["facility"] == pytest.approx(75.0)
    assert rows[items[2].pk]["facility"] == pytest.approx(10.0)
    # The discrimination index: the correlation of the item with the rest of the test, computed here directly.
    marks = np.array([[float(p) for p in AttemptItem.objects.filter(attempt=a).order_by("position")
                       .values_list("points", flat=True)] for a in Attempt.objects.filter(exam=exam).order_by("pk")])
    rest = marks.sum(axis=1) - marks[:, 1]
    expected = 100 * np.corrcoef(marks[:, 1], rest)[0, 1]
    assert rows[items[1].pk]["discrimination_index"] == pytest.approx(expected, abs=1e-3)
    totals = marks.sum(axis=1)
    assert stored.test["mean"] == pytest.approx(totals.mean(), abs=1e-4)
    assert stored.test["sd"] == pytest.approx(totals.std(ddof=1), abs=1e-4)
    assert stored.irt["model"] == "rasch" and stored.irt["parameterisation"].startswith("P = 1 / (1 + exp(-a")


def test_distractors_are_shares_of_each_group_and_the_right_option_is_marked(sat):
    exam, items, _group = sat
    stored = analysis.analyse_test(exam=exam)
    third = next(row for row in stored.items if row["item_id"] == items[2].pk)
    options = {row["option"]: row for row in third["distractors"]}
    assert options["a"]["correct"] and not options["c"]["correct"]
    assert options["a"]["total"] == pytest.approx(10.0) and options["c"]["total"] == pytest.approx(25.0)
    assert sum(row["total"] for row in third["distractors"]) == pytest.approx(100.0)
    codes = {flag["code"] for flag in third["flags"]}
    assert "too_hard" in codes


def test_open_attempts_and_attempts_awaiting_a_mark_are_left_out(sat, world):
    exam, items, _group = sat
    late = people(2, start=500)
    exam.eligible_people.add(*late)
    answer(exam, late[0], {items[0].pk: "a"}, submit=False)
    waiting = answer(exam, late[1], {items[0].pk: "a"})
    Attempt.objects.filter(pk=waiting.pk).update(awaiting_grading=True)
    assert analysis.analyse_test(exam=exam).attempts == 40


def test_items_drawn_at_random_are_analysed_on_the_attempts_that_showed_them(world):
    pool = bank_of(world.admin, 6, topic="voting")
    group = people(24)
    exam = distance_exam(world, [], people=group, blueprint=[{"topic": "voting", "count": 2}])
    shown = {}
    for person in group:
        attempt = attempts.attempt_start(by=None, exam=exam, person=person, language="ru")
        for item_id in attempt.items.values_list("item_id", flat=True):
            shown[item_id] = shown.get(item_id, 0) + 1
            attempts.answer_save(person_id=person.pk, attempt_id=attempt.pk, item_id=item_id,
                                 response={"choices": ["a"]})
        attempts.attempt_submit(attempt=attempt, by=None)
    stored = analysis.analyse_test(exam=exam)
    assert {row["item_id"]: row["n"] for row in stored.items} == {pk: float(n) for pk, n in shown.items()}
    assert set(shown) <= {item.pk for item in pool}


def test_the_bank_pools_every_test_and_puts_every_attempt_on_one_scale(sat, world):
    exam, items, group = sat
    again = distance_exam(world, items[:2], people=group[:10])
    for person in group[:10]:
        answer(again, person, {items[0].pk: "a", items[1].pk: "b"})
    assert analysis.analyse_bank() == 3
    first = ItemAnalysis.objects.get(item=items[0])
    assert (first.attempts, first.tests) == (50, 2)
    assert first.figures["facility"] == pytest.approx(100 * (20 + 10) / 50)
    assert AttemptAbility.objects.count() == 50
    ability = dict(AttemptAbility.objects.values_list("attempt__percent", "theta"))
    ordered = [ability[key] for key in sorted(ability)]
    assert ordered == sorted(ordered)  # a higher score never gets a lower ability (Rasch: the score is sufficient)


def test_a_scenario_is_analysed_with_its_partial_credit_and_every_steps_options(world):
    scenario = approved_item(world.admin, scenario_document(topic="voting"))
    group = people(4)
    exam = distance_exam(world, [scenario], people=group)
    for person, (first, second) in zip(group, [("s1a", "s2a"), ("s1c", "s2a"), ("s1b", "s2b"), ("s1a", "s2b")],
                                       strict=True):
        attempt = attempts.attempt_start(by=None, exam=exam, person=person, language="ru")
        attempts.answer_save(person_id=person.pk, attempt_id=attempt.pk, item_id=scenario.pk,
                             response={"choices": [first, second]})
        attempts.attempt_submit(attempt=attempt, by=None)
    row = analysis.analyse_test(exam=exam).items[0]
    # Credits: 1, 0.75, 0, 0.5 of 2 marks.
    assert row["facility"] == pytest.approx(100 * (1 + 0.75 + 0 + 0.5) / 4)
    assert {option["option"] for option in row["distractors"]} == {"s1a", "s1b", "s1c", "s2a", "s2b"}
    assert row["flags"] == []  # four attempts: too few to judge


def test_flags_follow_the_thresholds_and_need_enough_attempts():
    figures = {"n": 50, "facility": 95.0, "discrimination_index": -5.0, "alpha_if_deleted": 82.0}
    distractors = [{"option": "a", "correct": True, "upper": 40.0, "total": 60.0},
                   {"option": "b", "correct": False, "upper": 60.0, "total": 40.0},
                   {"option": "c", "correct": False, "upper": 0.0, "total": 0.0}]
    codes = [flag["code"] for flag in item_flags(figures, distractors, test_alpha=80.0)]
    assert codes == ["too_easy", "negative_discrimination", "key_below_distractor", "unused_distractor",
                     "alpha_rises"]
    assert item_flags({**figures, "n": 19}, distractors, test_alpha=80.0) == []
    calm = {"n": 50, "facility": 60.0, "discrimination_index": 35.0, "alpha_if_deleted": 80.5}
    healthy = [{"option": "a", "correct": True, "upper": 70.0, "total": 60.0},
               {"option": "b", "correct": False, "upper": 30.0, "total": 40.0}]
    assert item_flags(calm, healthy, test_alpha=80.0) == []
    assert [f["code"] for f in item_flags({**calm, "discrimination_index": 10.0}, [], test_alpha=None)] == [
        "low_discrimination"]


def test_closed_tests_are_refreshed_once_and_again_after_new_attempts(sat, world):
    exam, items, group = sat
    assert analysis.closed_tests_to_refresh() == []  # still open
    exam.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    exam.save(update_fields=["closes_at"])
    assert analysis.closed_tests_to_refresh() == [exam]
    assert tasks.refresh_closed_tests.call() == 1
    assert TestAnalysis.objects.get(exam=exam).attempts == 40 and ItemAnalysis.objects.count() == 3
    assert analysis.closed_tests_to_refresh() == []
    Attempt.objects.filter(exam=exam).update(submitted_at=timezone.now())
    assert analysis.closed_tests_to_refresh() == [exam]


def test_closing_a_room_test_enqueues_its_statistics(world, django_capture_on_commit_callbacks):
    items = bank_of(world.admin, 2, topic="voting")
    room = exams.exam_create(by=world.coordinator, commission=world.regional, items=items, mode="room",
                             title_kk="Т", title_ru="Т", eligibility="persons", eligible_people=[world.member1])
    exams.room_set_state(by=world.coordinator, exam=room, state="open")
    answer(room, world.member1, {items[0].pk: "a", items[1].pk: "b"})
    with django_capture_on_commit_callbacks(execute=True):
        exams.room_set_state(by=world.coordinator, exam=room, state="closed")
    assert TestAnalysis.objects.get(exam=room).attempts == 1  # the test settings run tasks at once


def test_the_schedule_refreshes_closed_tests(sat):
    exam, _items, _group = sat
    exam.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    exam.save(update_fields=["closes_at"])
    call_command("run_schedule", "--once")
    assert TestAnalysis.objects.filter(exam=exam).exists()


def test_item_analysis_prints_the_report_of_a_test_in_the_database(sat):
    import io
    import json

    exam, items, _group = sat
    out = io.StringIO()
    call_command("item_analysis", "--test", str(exam.pk), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["model"] == "rasch" and result["n_examinees"] == 40
    assert [row["name"] for row in result["items"]] == [item.name for item in items]
    stored = analysis.analyse_test(exam=exam)
    for row, figures in zip(result["items"], stored.items, strict=True):
        assert row["facility"] == pytest.approx(figures["facility"], abs=1e-3)
        assert row["discrimination_index"] == pytest.approx(figures["discrimination_index"], abs=1e-3)
        assert row["difficulty"] == pytest.approx(figures["difficulty"], abs=1e-3)
    assert result["test"]["alpha"] == pytest.approx(stored.test["alpha"], abs=1e-3)
    assert {"loglik", "sd", "error_ratio", "standard_error"} <= set(result["test"])
    with pytest.raises(Exception, match="No test"):
        call_command("item_analysis", "--test", "999999")


def test_the_api_serves_the_stored_statistics_to_those_who_manage_the_test(sat, client, world):
    exam, items, _group = sat
    client.force_login(world.admin)
    missing = client.get(f"/api/v1/tests/{exam.pk}/statistics")
    assert missing.status_code == 404 and missing.json()["code"] == "not_computed"
    analysis.analyse_test(exam=exam)
    analysis.analyse_bank()
    body = client.get(f"/api/v1/tests/{exam.pk}/statistics").json()
    assert body["attempts"] == 40 and [row["item_id"] for row in body["items"]] == [item.pk for item in items]
    item = client.get(f"/api/v1/items/{items[2].pk}/statistics").json()
    assert item["attempts"] == 40 and "too_hard" in {flag["code"] for flag in item["flags"]}
    client.force_login(world.participant)
    assert client.get(f"/api/v1/tests/{exam.pk}/statistics").status_code == 404
    assert client.get(f"/api/v1/items/{items[2].pk}/statistics").status_code == 404


def test_the_analyses_read_the_items_in_a_bounded_number_of_queries(sat, world, django_assert_max_num_queries):
    exam, _items, group = sat
    more = bank_of(world.admin, 12, topic="observers")
    wider = distance_exam(world, more, people=group[:3])
    for person in group[:3]:
        answer(wider, person, {item.pk: "a" for item in more})
    with django_assert_max_num_queries(12):  # not one per item
        analysis.analyse_test(exam=wider)
    with django_assert_max_num_queries(16):
        analysis.analyse_bank()
