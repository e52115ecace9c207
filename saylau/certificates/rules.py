"""Who has earned an award: the rule's conditions over attendance and test results, read in a few queries for the
whole award (bulk issuance evaluates thousands of people at once).

- attendance: at least N % of the event's sessions *held* (a cancelled session counts for nobody), compared in
  integers so that exactly the threshold passes;
- a test: a submitted attempt marked passed (an attempt awaiting essay grading has not passed yet);
- a distance course: the course's own completion rule, met (the course app records it on the enrolment).
The result shown on the certificate is the best percentage in the test the rule names."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Min
from django.utils import timezone

from saylau.assessment.models import Attempt, AttemptStatus
from saylau.courses.models import CourseEnrolment
from saylau.training.models import EnrolmentStatus
from saylau.training.services import attendance_counts, attended_enough

from .models import Award, AwardKind


@dataclass(frozen=True)
class Outcome:
    person_id: int
    eligible: bool
    attended: int | None = None  # sessions attended, of ``held``
    held: int | None = None
    passed: bool | None = None
    result_percent: Decimal | None = None
    tested_on: datetime.date | None = None  # the day the test was passed (a test award's date)


def _test_results(exam_id: int, person_ids=None) -> dict[int, tuple[bool, Decimal | None, datetime.date | None]]:
    attempts = Attempt.objects.filter(exam_id=exam_id, status=AttemptStatus.SUBMITTED)
    if person_ids is not None:
        attempts = attempts.filter(person_id__in=person_ids)
    best = dict(attempts.values("person_id").annotate(best=Max("percent")).values_list("person_id", "best"))
    passed_on = dict(attempts.filter(passed=True).values("person_id").annotate(first=Min("submitted_at"))
                     .values_list("person_id", "first"))
    return {person_id: (person_id in passed_on, percent,
                        timezone.localdate(passed_on[person_id]) if person_id in passed_on else None)
            for person_id, percent in best.items()}


def _course_completions(award: Award) -> dict[int, tuple]:
    """person id → (completed on, final test result) for the course's learners who completed it."""
    rows = CourseEnrolment.objects.filter(course_id=award.course_id, completed_at__isnull=False).values_list(
        "person_id", "completed_at", "final_percent")
    return {person_id: (timezone.localdate(done), percent) for person_id, done, percent in rows}


def candidates(award: Award) -> list[int]:
    """Everyone the rule is evaluated for: an event's enrolled participants, a test's examinees, a course's
    learners who completed it."""
    if award.kind == AwardKind.COURSE:  # only those who completed: a course may have 70,000 learners
        return list(CourseEnrolment.objects.filter(course_id=award.course_id, completed_at__isnull=False)
                    .values_list("person_id", flat=True).order_by("person_id"))
    if award.kind == AwardKind.EVENT:
        return list(award.event.enrolments.filter(status=EnrolmentStatus.ENROLLED)
                    .values_list("person_id", flat=True).order_by("person_id"))
    return list(Attempt.objects.filter(exam_id=award.exam_id, status=AttemptStatus.SUBMITTED)
                .values_list("person_id", flat=True).distinct().order_by("person_id"))


def evaluate(award: Award, person_ids: list[int] | None = None) -> list[Outcome]:
    """The rule's verdict for each candidate (or for the given people among them), in person id order."""
    people = candidates(award)
    if person_ids is not None:
        wanted = set(person_ids)
        people = [pid for pid in people if pid in wanted]
    if award.kind == AwardKind.COURSE:
        done = _course_completions(award)
        return [Outcome(person_id=pid, eligible=pid in done, passed=pid in done or None,
                        result_percent=done[pid][1] if pid in done else None,
                        tested_on=done[pid][0] if pid in done else None) for pid in people]
    exam_id = award.required_exam_id or (award.exam_id if award.kind == AwardKind.TEST else None)
    results = _test_results(exam_id, people) if exam_id else {}
    held, attended = (attendance_counts(award.event) if award.kind == AwardKind.EVENT
                      and award.min_attendance_percent is not None else (None, {}))
    outcomes = []
    for person_id in people:
        eligible = True
        outcome = {"person_id": person_id}
        if held is not None:
            outcome.update(attended=attended.get(person_id, 0), held=held)
            eligible &= attended_enough(attended.get(person_id, 0), held, award.min_attendance_percent)
        if exam_id:
            passed, percent, passed_on = results.get(person_id, (False, None, None))
            outcome.update(passed=passed, result_percent=percent, tested_on=passed_on)
            eligible &= passed
        outcomes.append(Outcome(eligible=eligible, **outcome))
    return outcomes
