"""The pure arithmetic of progress: unlocking, percentages, the completion rule and the day a learner falls behind."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from saylau.courses import progress

START = datetime.date(2026, 11, 1)


def test_sequential_lessons_open_one_after_another():
    states = progress.lesson_states([1, 2, 3], {1}, sequential=True)
    assert [(s.done, s.locked) for s in states] == [(True, False), (False, False), (False, True)]


def test_free_order_never_locks():
    assert not any(s.locked for s in progress.lesson_states([1, 2, 3], set(), sequential=False))


def test_a_lesson_done_stays_open_even_after_a_reorder_puts_it_later():
    states = progress.lesson_states([1, 2, 3], {3}, sequential=True)
    assert [s.locked for s in states] == [False, True, False]


def test_percent_is_rounded_down_and_100_only_when_all_done():
    assert progress.percent(0, 0) == 0
    assert progress.percent(2, 3) == 66
    assert progress.percent(15, 16) == 93
    assert progress.percent(16, 16) == 100


def test_the_completion_rule():
    rule = dict(lessons_total=4, has_final=True)
    assert progress.rule_met(require_all_lessons=True, require_final_test=True, lessons_done=4, final_passed=True,
                             **rule)
    assert not progress.rule_met(require_all_lessons=True, require_final_test=True, lessons_done=3,
                                 final_passed=True, **rule)
    assert not progress.rule_met(require_all_lessons=True, require_final_test=True, lessons_done=4,
                                 final_passed=False, **rule)
    assert progress.rule_met(require_all_lessons=False, require_final_test=True, lessons_done=1, final_passed=True,
                             **rule)
    assert not progress.rule_met(require_all_lessons=False, require_final_test=False, lessons_done=4,
                                 final_passed=True, **rule)


def test_no_deadline_means_never_behind():
    assert progress.behind_from(START, None, 0) is None


def test_a_learner_who_has_not_started_is_behind_after_a_quarter_of_the_time():
    # 40 days: 25 % of the time passed on day 10.
    assert progress.behind_from(START, START + datetime.timedelta(days=40), 0) == START + datetime.timedelta(days=10)


def test_three_quarters_done_is_behind_only_after_the_deadline():
    deadline = START + datetime.timedelta(days=40)
    assert progress.behind_from(START, deadline, 75) == deadline + datetime.timedelta(days=1)


@given(st.integers(0, 100), st.integers(0, 100), st.integers(1, 400))
def test_more_progress_never_makes_a_learner_behind_sooner(a, b, days):
    deadline = START + datetime.timedelta(days=days)
    low, high = sorted((a, b))
    assert progress.behind_from(START, deadline, low) <= progress.behind_from(START, deadline, high)
    assert progress.behind_from(START, deadline, high) <= deadline + datetime.timedelta(days=1)
