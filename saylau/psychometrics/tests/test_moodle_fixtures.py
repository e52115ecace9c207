"""Our classical statistics give Moodle's own expected values for its quiz statistics fixture set 00.

The marks and the expected figures are in data/moodle_quiz_statistics_00.txt (from moodle/moodle, GPL v3 or later);
the tolerances are those of Moodle's test (stats_from_steps_walkthrough_test.php).
"""

import csv
from pathlib import Path

import numpy as np
import pytest

from saylau.psychometrics.ctt import item_analysis

DATA = Path(__file__).parent / "data" / "moodle_quiz_statistics_00.txt"

# Moodle's relative tolerances: 1e-5 for these, 1e-6 for the other question statistics, 1.5e-5 for the quiz's.
LOOSER = {"covariance", "discriminationindex", "discriminativeefficiency", "effectiveweight"}


def sections() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = None
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = found.setdefault(line.strip("[]"), [])
        else:
            current.append(line)
    return found


@pytest.fixture(scope="module")
def moodle():
    parts = sections()
    marks = np.array([[float(cell) for cell in line.split(",")] for line in parts["marks"]])
    question_stats = list(csv.DictReader(parts["question_stats"]))
    quiz_stats = {row["name"]: float(row["value"]) for row in csv.DictReader(parts["quiz_stats"])}
    return marks, question_stats, quiz_stats, item_analysis(marks, np.ones(marks.shape[1]))


def ours(statistics, name: str) -> float:
    """Our figure under Moodle's name and in Moodle's unit (fractions where Moodle stores fractions)."""
    return {
        "facility": statistics.facility / 100,
        "sd": statistics.sd / 100,  # Moodle stores the SD in marks; every maximum mark is 1 here
        "effectiveweight": statistics.effective_weight,
        "covariance": statistics.covariance,
        "markvariance": statistics.mark_variance,
        "othermarkvariance": statistics.rest_variance,
        "discriminationindex": statistics.discrimination_index,
        "covariancemax": statistics.covariance_max,
        "discriminativeefficiency": statistics.discriminative_efficiency,
    }[name]


def test_the_fixture_has_25_attempts_at_7_questions(moodle):
    marks, question_stats, _, _ = moodle
    assert marks.shape == (25, 7)
    assert len(question_stats) == 7


@pytest.mark.parametrize("name", ["facility", "sd", "effectiveweight", "covariance", "markvariance",
                                  "othermarkvariance", "discriminationindex", "covariancemax",
                                  "discriminativeefficiency"])
def test_each_question_statistic_is_moodles(moodle, name):
    _, question_stats, _, analysis = moodle
    for row in question_stats:
        expected = float(row[name])
        actual = ours(analysis.items[int(row["slot"]) - 1], name)
        precision = 1e-5 if name in LOOSER else 1e-6
        assert actual == pytest.approx(expected, rel=precision), f"{name} for slot {row['slot']}"


@pytest.mark.parametrize(("moodle_name", "our_name"), [
    ("median", "median"), ("allattemptsavg", "mean"), ("allattemptscount", "n"), ("standarddeviation", "sd"),
    ("skewness", "skewness"), ("kurtosis", "kurtosis"), ("cic", "alpha"), ("errorratio", "error_ratio"),
    ("standarderror", "standard_error"),
])
def test_each_quiz_statistic_is_moodles(moodle, moodle_name, our_name):
    _, _, quiz_stats, analysis = moodle
    assert getattr(analysis.test, our_name) == pytest.approx(quiz_stats[moodle_name], rel=1.5e-5)


def test_every_question_counts_all_25_attempts_and_weighs_one_seventh(moodle):
    _, _, _, analysis = moodle
    assert [item.n for item in analysis.items] == [25] * 7
    assert [item.intended_weight for item in analysis.items] == pytest.approx([100 / 7] * 7)
    # Every covariance with the total is positive here, so the effective weights share 100 %.
    assert sum(item.effective_weight for item in analysis.items) == pytest.approx(100)
