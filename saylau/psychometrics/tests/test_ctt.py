"""Classical item analysis: each statistic against a plain computation (loops and the statistics module), the
handling of items not presented, counts, and properties that must hold for any data."""

import dataclasses
import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats as scipy_stats

from saylau.psychometrics.ctt import distractor_analysis, group_membership, item_analysis

# 12 examinees × 4 items, marks out of 1, 2, 1 and 3; chosen so that no statistic is degenerate.
MARKS = [
    [1, 2, 0, 3],
    [0, 1, 0, 1],
    [1, 2, 1, 2],
    [1, 0, 0, 0],
    [0, 2, 1, 3],
    [1, 1, 1, 2],
    [0, 0, 0, 1],
    [1, 2, 1, 1.5],
    [1, 1, 0, 2.5],
    [0, 1, 1, 0.5],
    [1, 2, 0, 3],
    [0, 0, 1, 0],
]
MAX_MARKS = [1, 2, 1, 3]


# --- A plain, independent computation ----------------------------------------------------------------------


def plain_item(rows, j, max_mark):
    """Moodle's item figures by their definitions, with loops over the examinees given the item."""
    marks, rests = [], []
    for row in rows:
        if row[j] is None:
            continue
        marks.append(row[j])
        rests.append(sum(v for v in row if v is not None) - row[j])
    mark_mean, rest_mean = statistics.mean(marks), statistics.mean(rests)
    covariance = statistics.covariance(marks, rests)
    covariance_max = sum((a - mark_mean) * (b - rest_mean) for a, b in zip(sorted(marks), sorted(rests), strict=True))
    covariance_max /= len(marks) - 1
    return {
        "n": len(marks),
        "facility": 100 * mark_mean / max_mark,
        "sd": 100 * statistics.stdev(marks) / max_mark,
        "discrimination_index": 100 * statistics.correlation(marks, rests),
        "discriminative_efficiency": 100 * covariance / covariance_max,
        "covariance_with_total": statistics.covariance(marks, [m + r for m, r in zip(marks, rests, strict=True)]),
    }


def plain_alpha(rows):
    """Cronbach's alpha in %, complete data."""
    k = len(rows[0])
    item_variances = sum(statistics.variance([row[j] for row in rows]) for j in range(k))
    return 100 * k / (k - 1) * (1 - item_variances / statistics.variance([sum(row) for row in rows]))


def test_item_statistics_follow_the_definitions():
    analysis = item_analysis(MARKS, MAX_MARKS)
    for j, max_mark in enumerate(MAX_MARKS):
        plain = plain_item(MARKS, j, max_mark)
        item = analysis.items[j]
        assert item.n == plain["n"] == 12
        assert item.facility == pytest.approx(plain["facility"])
        assert item.sd == pytest.approx(plain["sd"])
        assert item.discrimination_index == pytest.approx(plain["discrimination_index"])
        assert item.discriminative_efficiency == pytest.approx(plain["discriminative_efficiency"])
        assert item.intended_weight == pytest.approx(100 * max_mark / sum(MAX_MARKS))


def test_effective_weights_share_the_root_covariances_with_the_total():
    analysis = item_analysis(MARKS, MAX_MARKS)
    roots = [math.sqrt(plain_item(MARKS, j, m)["covariance_with_total"]) for j, m in enumerate(MAX_MARKS)]
    assert [item.effective_weight for item in analysis.items] == pytest.approx([100 * r / sum(roots) for r in roots])


def test_an_item_with_negative_covariance_has_no_effective_weight():
    # Item 1 is answered right by those who do worse on the rest.
    rows = [[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 1, 1], [0, 1, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1]]
    analysis = item_analysis(rows)
    first = analysis.items[0]
    assert plain_item(rows, 0, 1)["covariance_with_total"] < 0
    assert first.negative_covariance and first.effective_weight is None
    assert sum(item.effective_weight for item in analysis.items[1:]) == pytest.approx(100)


def test_random_guess_score_is_shown_in_percent():
    analysis = item_analysis(MARKS, MAX_MARKS, random_guess=[0.25, None, 0.5, np.nan])
    assert [item.random_guess_score for item in analysis.items] == [25.0, None, 50.0, None]


def test_test_statistics_follow_the_definitions():
    analysis = item_analysis(MARKS, MAX_MARKS)
    totals = [sum(row) for row in MARKS]
    test = analysis.test
    assert test.n == 12
    assert test.mean == pytest.approx(statistics.mean(totals))
    assert test.median == pytest.approx(statistics.median(totals))
    assert test.sd == pytest.approx(statistics.stdev(totals))
    # Moodle's skewness and kurtosis are the k-statistic ratios, i.e. the bias-corrected G1 and G2.
    assert test.skewness == pytest.approx(scipy_stats.skew(totals, bias=False))
    assert test.kurtosis == pytest.approx(scipy_stats.kurtosis(totals, bias=False))
    assert test.alpha == pytest.approx(plain_alpha(MARKS))
    assert test.error_ratio == pytest.approx(100 * math.sqrt(1 - test.alpha / 100))
    assert test.standard_error == pytest.approx(test.error_ratio * test.sd / 100)
    assert test.max_score == sum(MAX_MARKS)


def test_alpha_if_deleted_is_the_alpha_of_the_other_items():
    analysis = item_analysis(MARKS, MAX_MARKS)
    for j, item in enumerate(analysis.items):
        others = [[v for k, v in enumerate(row) if k != j] for row in MARKS]
        assert item.alpha_if_deleted == pytest.approx(plain_alpha(others))


def test_upper_lower_index_compares_the_top_and_bottom_27_percent():
    rng = np.random.default_rng(7)
    # 100 examinees with distinct totals: the groups are exactly the 27 lowest and the 27 highest.
    marks = rng.random((100, 5))
    marks[:, 0] = (marks[:, 1:].sum(axis=1) + rng.normal(0, 0.5, 100) > 2).astype(float)
    analysis = item_analysis(marks)
    totals = marks.sum(axis=1)
    assert len(set(totals)) == 100
    order = sorted(range(100), key=lambda i: totals[i])
    lower, upper = order[:27], order[-27:]
    for j, item in enumerate(analysis.items):
        expected = 100 * (statistics.mean(marks[i, j] for i in upper) - statistics.mean(marks[i, j] for i in lower))
        assert item.upper_lower_index == pytest.approx(expected)


def test_examinees_tied_at_a_cut_share_the_group_evenly():
    lower, upper = group_membership([5, 5, 5, 5])
    assert lower == pytest.approx([0.27] * 4)
    assert upper == pytest.approx([0.27] * 4)
    lower, upper = group_membership([1, 2, 2, 9], group_share=0.5)
    assert lower == pytest.approx([1, 0.5, 0.5, 0])
    assert upper == pytest.approx([0, 0.5, 0.5, 1])


# --- Items not presented ---------------------------------------------------------------------------------


WITH_GAPS = [
    [1, None, 0, 1],
    [0, 1, None, 1],
    [1, 1, 1, None],
    [None, 0, 0, 1],
    [1, None, 1, 0],
    [0, 1, None, 0],
    [1, 0, 1, None],
    [None, 1, 1, 1],
    [1, 1, None, 1],
    [0, None, 0, 0],
]


def as_array(rows):
    return np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)


def test_item_statistics_use_only_the_examinees_given_the_item():
    analysis = item_analysis(as_array(WITH_GAPS))
    for j, item in enumerate(analysis.items):
        plain = plain_item(WITH_GAPS, j, 1)
        assert item.n == plain["n"] < 10
        assert item.facility == pytest.approx(plain["facility"])
        assert item.sd == pytest.approx(plain["sd"])
        assert item.discrimination_index == pytest.approx(plain["discrimination_index"])
        assert item.discriminative_efficiency == pytest.approx(plain["discriminative_efficiency"])


def test_test_statistics_use_the_totals_and_alpha_an_average_form():
    analysis = item_analysis(as_array(WITH_GAPS))
    totals = [sum(v for v in row if v is not None) for row in WITH_GAPS]
    assert analysis.test.mean == pytest.approx(statistics.mean(totals))
    assert analysis.test.sd == pytest.approx(statistics.stdev(totals))
    # p = 3 items per examinee; Σ variances weighted by the share of examinees given each item.
    shares, variances = [], []
    for j in range(4):
        marks = [row[j] for row in WITH_GAPS if row[j] is not None]
        shares.append(len(marks) / 10)
        variances.append(statistics.variance(marks))
    p = sum(shares)
    assert p == pytest.approx(3)
    expected = 100 * p / (p - 1) * (1 - sum(s * v for s, v in zip(shares, variances, strict=True))
                                    / statistics.variance(totals))
    assert analysis.test.alpha == pytest.approx(expected)
    assert analysis.test.max_score == pytest.approx(3)


# --- Distractors -----------------------------------------------------------------------------------------


def test_distractor_analysis_counts_choices_in_each_group():
    # 10 examinees by rising total; with a 20 % share the lower group is the first two, the upper the last two.
    totals = list(range(10))
    choices = np.array([[1], [2], [2], [0], [0], [-1], [1], [0], [0], [0]])
    rows = {row.option: row for row in distractor_analysis(choices, totals, group_share=0.2)}
    assert sorted(rows) == [0, 1, 2]
    assert rows[0].lower == 0 and rows[0].upper == 100
    assert rows[1].lower == 50 and rows[2].lower == 50
    # Examinee 6 was not given the item: the middle group is examinees 2-7 but for 5.
    assert rows[0].middle == pytest.approx(100 * 3 / 5)
    assert rows[2].middle == pytest.approx(100 * 1 / 5)
    assert rows[0].total == pytest.approx(100 * 5 / 9)
    assert rows[0].n == 5


def test_distractor_analysis_takes_string_option_ids():
    choices = np.array([["a", "b"], ["b", ""], ["a", "b"], [None, "c"]], dtype=object)
    rows = distractor_analysis(choices, [1, 2, 3, 4], group_share=0.25)
    assert [(row.item, row.option) for row in rows] == [(0, "a"), (0, "b"), (1, "b"), (1, "c")]
    assert rows[0].total == pytest.approx(100 * 2 / 3)


# --- Properties ------------------------------------------------------------------------------------------


def matrices(allow_missing: bool):
    cells = st.sampled_from([0.0, 0.5, 1.0, np.nan] if allow_missing else [0.0, 0.25, 0.5, 1.0])
    return hnp.arrays(float, st.tuples(st.integers(3, 12), st.integers(2, 5)), elements=cells)


def assert_same(first, second):
    for field in dataclasses.fields(first):
        a, b = getattr(first, field.name), getattr(second, field.name)
        if a is None or b is None:
            assert a is None and b is None, field.name
        elif isinstance(a, float):
            assert a == pytest.approx(b, rel=1e-9, abs=1e-9), field.name


def assert_same_analysis(first, second):
    assert_same(first.test, second.test)
    for a, b in zip(first.items, second.items, strict=True):
        assert_same(a, b)


@settings(max_examples=60, deadline=None)
@given(matrices(allow_missing=False))
def test_alpha_is_at_most_100_percent(marks):
    alpha = item_analysis(marks).test.alpha
    assert alpha is None or alpha <= 100 + 1e-9


@settings(max_examples=60, deadline=None)
@given(matrices(allow_missing=True), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(marks, random):
    order = list(range(marks.shape[0]))
    random.shuffle(order)
    assert_same_analysis(item_analysis(marks), item_analysis(marks[order]))


@settings(max_examples=60, deadline=None)
@given(matrices(allow_missing=True), st.data())
def test_counts_are_the_same_as_repeated_rows(marks, data):
    counts = np.array(data.draw(st.lists(st.integers(1, 4), min_size=marks.shape[0], max_size=marks.shape[0])))
    assert_same_analysis(item_analysis(marks, weights=counts), item_analysis(np.repeat(marks, counts, axis=0)))


@settings(max_examples=60, deadline=None)
@given(matrices(allow_missing=True))
def test_facility_is_within_0_and_100(marks):
    for item in item_analysis(marks).items:
        assert item.facility is None or 0 <= item.facility <= 100


def test_a_big_matrix_is_analysed_quickly():
    rng = np.random.default_rng(3)
    marks = (rng.random((20_000, 40)) < rng.random(40)).astype(float)
    analysis = item_analysis(marks)
    assert len(analysis.items) == 40 and analysis.test.n == 20_000
