"""The arithmetic of a learner's progress, on plain values (no database): which lessons are open, the percentage,
whether the completion rule holds, and from which day a learner is behind the pace their deadline asks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

# Behind: further behind the straight line from enrolment to the deadline than this share of the course.
BEHIND_MARGIN_PERCENT = 25


@dataclass(frozen=True)
class LessonState:
    lesson_id: int
    done: bool
    locked: bool


def lesson_states(lesson_ids: list[int], done: set[int], *, sequential: bool) -> list[LessonState]:
    """Lessons in course order; with sequential unlocking a lesson opens once every lesson before it is done."""
    states, all_before_done = [], True
    for lesson_id in lesson_ids:
        is_done = lesson_id in done
        states.append(LessonState(lesson_id, is_done, locked=sequential and not all_before_done and not is_done))
        all_before_done &= is_done
    return states


def percent(done: int, total: int) -> int:
    """Whole percent, rounded down: 100 only when everything is done."""
    return 0 if total <= 0 else min(100, done * 100 // total)


def rule_met(*, require_all_lessons: bool, require_final_test: bool, lessons_done: int, lessons_total: int,
             final_passed: bool | None, has_final: bool) -> bool:
    """The course's completion rule. A rule that asks for nothing is met by nobody (it must ask for something)."""
    if not (require_all_lessons or (require_final_test and has_final)):
        return False
    if require_all_lessons and lessons_done < lessons_total:
        return False
    if require_final_test and has_final and not final_passed:
        return False
    return True


def behind_from(start: datetime.date, deadline: datetime.date | None, percent_done: int) -> datetime.date | None:
    """The first day on which a learner at ``percent_done`` counts as behind: when the share of the time from
    enrolment to deadline that has passed exceeds their share of the course by ``BEHIND_MARGIN_PERCENT``, and in
    any case the day after the deadline. None without a deadline. Stored on the enrolment, so that "who is
    behind today" is one indexed comparison for 70,000 learners."""
    if deadline is None:
        return None
    due_share = percent_done + BEHIND_MARGIN_PERCENT
    if due_share >= 100:
        return deadline + datetime.timedelta(days=1)
    span = max((deadline - start).days, 1)
    return start + datetime.timedelta(days=-(-span * due_share // 100))  # ceiling: on the line is on time
