import datetime
import json

import pytest
from django.utils import timezone

from saylau.assessment import attempts, results
from saylau.assessment.models import Attempt, AttemptItem, AttemptStatus
from saylau.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from saylau.core.models import AuditEntry

from .factories import approved_item, bank_of, distance_exam, scenario_document

pytestmark = pytest.mark.django_db


def test_an_attempt_freezes_its_items_and_resumes_instead_of_starting_twice(world):
    exam = distance_exam(world, bank_of(world.admin, 3))
    first = attempts.attempt_start(by=world.participant, exam=exam, person=world.member1, language="ru")
    again = attempts.attempt_start(by=world.participant, exam=exam, person=world.member1, language="ru")
    assert again.pk == first.pk
    assert AttemptItem.objects.filter(attempt=first).count() == 3


def test_answers_are_saved_scored_at_submit_and_frozen_after(world):
    items = bank_of(world.admin, 2)
    exam = distance_exam(world, items)
    attempt = attempts.attempt_start(by=None, exam=exam, person=world.member1, language="ru")
    attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=items[0].pk,
                         response={"choices": ["a"]})
    attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=items[1].pk,
                         response={"choices": ["b"]})
    submitted = attempts.attempt_submit(attempt=attempt, by=None)
    assert (submitted.score, submitted.max_score, submitted.percent) == (1, 2, 50)
    assert submitted.passed is False
    with pytest.raises(Conflict) as error:
        attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=items[1].pk,
                             response={"choices": ["a"]})
    assert error.value.code == "attempt_closed"
    assert attempts.attempt_submit(attempt=attempt, by=None).score == 1  # a second submit changes nothing


def test_another_persons_attempt_is_not_found(world):
    items = bank_of(world.admin, 1)
    attempt = attempts.attempt_start(by=None, exam=distance_exam(world, items), person=world.member1, language="ru")
    with pytest.raises(NotFound):
        attempts.answer_save(person_id=world.member2.pk, attempt_id=attempt.pk, item_id=items[0].pk,
                             response={"choices": ["a"]})


def test_past_the_deadline_the_attempt_is_submitted_with_what_was_saved(world):
    items = bank_of(world.admin, 2)
    attempt = attempts.attempt_start(by=None, exam=distance_exam(world, items, time_limit_minutes=10),
                                     person=world.member1, language="kk")
    attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=items[0].pk,
                         response={"choices": ["a"]})
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(Conflict):
        attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=items[1].pk,
                             response={"choices": ["a"]})
    assert attempts.submit_overdue() == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.submitted_at_deadline
    assert attempt.score == 1


def test_only_eligible_people_start(world):
    exam = distance_exam(world, bank_of(world.admin, 1), people=[world.member2])
    with pytest.raises(PermissionDenied):
        attempts.attempt_start(by=None, exam=exam, person=world.member1)


def test_no_key_reaches_the_examinee_before_submission(world):
    items = [approved_item(world.admin, scenario_document())] + bank_of(world.admin, 1)
    attempt = attempts.attempt_start(by=None, exam=distance_exam(world, items), person=world.member1, language="ru")
    rows = AttemptItem.objects.filter(attempt=attempt).select_related("version")
    payload = json.dumps([attempts.item_payload(row, "ru", with_key=False) for row in rows], ensure_ascii=False)
    for marker in ("fraction", "feedback", "Комментарий", "Верно", "key"):
        assert marker not in payload
    scenario = next(row for row in rows if row.item_id == items[0].pk)
    assert len(attempts.item_payload(scenario, "ru", with_key=False)["steps"]) == 1
    attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=items[0].pk,
                         response={"choices": ["s1c"]})
    scenario.refresh_from_db()
    assert len(attempts.item_payload(scenario, "ru", with_key=False)["steps"]) == 2


def test_the_result_breaks_the_score_down_by_topic_and_names_what_to_reread(world):
    items = [approved_item(world.admin, scenario_document())] + bank_of(world.admin, 2)
    attempt = attempts.attempt_start(by=None, exam=distance_exam(world, items), person=world.member1, language="ru")
    attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=items[0].pk,
                         response={"choices": ["s1c", "s2a"]})
    attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=items[1].pk,
                         response={"choices": ["a"]})
    attempt = attempts.attempt_submit(attempt=attempt, by=None)
    result = results.attempt_result(attempt)
    by_topic = {topic.code: (topic.score, topic.max_score) for topic in result.topics}
    assert by_topic == {"observers": (1.5, 2.0), "voter-lists": (1.0, 2.0)}
    assert [topic.code for topic in result.weakest] == ["voter-lists", "observers"]
    assert {"act": "elections", "article": "20", "paragraph": "3"} in result.references


def test_closing_the_room_submits_open_attempts(world):
    from saylau.assessment import exams

    items = bank_of(world.admin, 1)
    exam = distance_exam(world, items, mode="room", closes_at=None, opens_at=None)
    with pytest.raises(Conflict):
        attempts.attempt_start(by=None, exam=exam, person=world.member1)
    exams.room_set_state(by=world.admin, exam=exam, state="open")
    attempt = attempts.attempt_start(by=None, exam=exam, person=world.member1)
    exams.room_set_state(by=world.admin, exam=exam, state="closed")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED


def test_a_save_is_one_statement_once_the_attempt_is_known_and_the_checks_still_hold(
        world, django_assert_num_queries):
    items = bank_of(world.admin, 2)
    exam = distance_exam(world, items)
    attempt = attempts.attempt_start(by=None, exam=exam, person=world.member1, language="ru")
    attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=items[0].pk,
                         response={"choices": ["b"]})  # the full path: the attempt is now known to this process
    with django_assert_num_queries(1):
        attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=items[1].pk,
                             response={"choices": ["a"]})
    # Someone else asking for the same attempt learns nothing of it, cache or not.
    with pytest.raises(NotFound):
        attempts.answer_save(person_id=world.member2.pk, attempt_id=attempt.pk, item_id=items[0].pk,
                             response={"choices": ["a"]})
    with pytest.raises(DomainError) as invalid:
        attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=items[0].pk,
                             response={"choices": ["zzz"]})
    assert invalid.value.code.startswith("invalid_answer")
    attempts.attempt_submit(attempt=attempt, by=None)
    with pytest.raises(Conflict):
        attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=items[0].pk,
                             response={"choices": ["a"]})
    assert dict(AttemptItem.objects.filter(attempt=attempt).values_list("item_id", "response")) == {
        items[0].pk: {"choices": ["b"]}, items[1].pk: {"choices": ["a"]}}


def test_a_start_writes_the_attempt_its_items_and_its_audit_entry_together(world):
    items = [approved_item(world.admin, scenario_document())] + bank_of(world.admin, 2)
    exam = distance_exam(world, items)
    attempt, rows = attempts.attempt_start_with_items(by=world.participant, exam=exam, person=world.member1,
                                                      language="ru")
    stored = Attempt.objects.get(pk=attempt.pk)
    for field in ("exam_id", "person_id", "number", "language", "status", "started_at", "deadline",
                  "last_activity_at", "submitted_at_deadline", "awaiting_grading", "passed", "score"):
        assert getattr(stored, field) == getattr(attempt, field), field
    written = list(AttemptItem.objects.filter(attempt=attempt).order_by("position").values_list(
        "position", "item_id", "version_id", "topic_id", "order", "max_points", "response", "grader_comment"))
    assert written == [(row.position, row.item_id, row.version_id, row.topic_id, row.order, row.max_points, None, "")
                       for row in rows]
    assert [item_id for _position, item_id, *_rest in written] == [item.pk for item in items]
    assert {version_id for _p, _i, version_id, *_rest in written} == {item.current_id for item in items}
    assert isinstance(written[0][4], list) and len(written[0][4]) == 2  # a scenario's option order per step
    entry = AuditEntry.objects.get(action="assessment.attempt.started")
    assert (entry.object_type, entry.object_id, entry.object_repr, entry.actor_id) == (
        "assessment.attempt", str(attempt.pk), str(stored), world.participant.pk)
    assert entry.changes == {"exam": exam.pk, "language": "ru", "items": [item.pk for item in items]}


def test_a_start_that_loses_a_race_to_another_start_writes_nothing(world, monkeypatch):
    exam = distance_exam(world, bank_of(world.admin, 2))
    eligible = attempts.is_eligible

    def another_start_gets_there_first(exam, person):
        Attempt.objects.create(exam=exam, person=person, number=1, language="ru", started_at=timezone.now())
        return eligible(exam, person)

    monkeypatch.setattr(attempts, "is_eligible", another_start_gets_there_first)
    with pytest.raises(Conflict) as error:
        attempts.attempt_start(by=None, exam=exam, person=world.member1, language="ru")
    assert error.value.code == "already_started"
    assert Attempt.objects.filter(exam=exam).count() == 1
    assert not AttemptItem.objects.exists()
    assert not AuditEntry.objects.filter(action="assessment.attempt.started").exists()


def test_a_submit_writes_every_score_the_result_and_its_audit_entry(world):
    items = [approved_item(world.admin, scenario_document())] + bank_of(world.admin, 2)
    exam = distance_exam(world, items)
    attempt = attempts.attempt_start(by=None, exam=exam, person=world.member1, language="ru")
    for item, choices in ((items[0], ["s1a", "s2b"]), (items[1], ["a"])):
        attempts.answer_save(person_id=world.member1.pk, attempt_id=attempt.pk, item_id=item.pk,
                             response={"choices": choices})
    submitted, scored = attempts.attempt_submit_scored(attempts=Attempt.objects.filter(pk=attempt.pk),
                                                       by=world.participant)
    stored = Attempt.objects.get(pk=attempt.pk)
    for field in attempts._SUBMISSION_FIELDS:
        assert getattr(stored, field) == getattr(submitted, field), field
    assert stored.status == AttemptStatus.SUBMITTED and stored.submitted_at is not None
    assert list(AttemptItem.objects.filter(attempt=attempt).order_by("position").values_list(
        "item_id", "fraction", "points")) == [(item.pk, row.fraction, row.points)
                                              for item, row in zip(items, scored, strict=True)]
    assert [row.fraction for row in scored] == [0.5, 1.0, 0.0]
    entry = AuditEntry.objects.get(action="assessment.attempt.submitted")
    assert (entry.object_id, entry.actor_id) == (str(attempt.pk), world.participant.pk)
    assert abs(entry.at - stored.submitted_at) < datetime.timedelta(seconds=5)
    assert entry.changes == {"score": str(stored.score), "max_score": str(stored.max_score),
                             "percent": str(stored.percent), "at_deadline": False}
    # The result from the rows just scored is the result read back.
    assert results.attempt_result(stored, scored) == results.attempt_result(stored)
    assert attempts.attempt_submit_scored(attempts=Attempt.objects.filter(pk=attempt.pk), by=None)[1] is None


def test_a_submit_selects_nothing_outside_the_attempts_given(world):
    from saylau.assessment.scoping import own_attempts

    attempt = attempts.attempt_start(by=None, exam=distance_exam(world, bank_of(world.admin, 1)),
                                     person=world.member1, language="ru")
    with pytest.raises(NotFound):
        attempts.attempt_submit_scored(attempts=own_attempts(world.admin).filter(pk=attempt.pk), by=world.admin)
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.OPEN
