"""manage.py analyse_responses, and the report it prints."""

import io
import itertools
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from saylau.psychometrics import ctt, irt, report
from saylau.psychometrics.tests.test_irt import LSAT6_COUNTS

ITEM_KEYS = {"name", "n", "facility", "sd", "random_guess_score", "intended_weight", "effective_weight",
             "discrimination_index", "discriminative_efficiency", "upper_lower_index", "alpha_if_deleted"}
IRT_ITEM_KEYS = ITEM_KEYS | {"difficulty", "difficulty_se", "discrimination", "discrimination_se", "fit"}
TEST_KEYS = {"n", "mean", "median", "sd", "skewness", "kurtosis", "alpha", "error_ratio", "standard_error",
             "max_score"}


@pytest.fixture
def lsat_file(tmp_path):
    lines = ["Item 1;Item 2;Item 3;Item 4;Item 5;count"]
    for pattern, count in zip(itertools.product("01", repeat=5), LSAT6_COUNTS, strict=True):
        if count:
            lines.append(";".join(pattern) + f";{count}")
    path = tmp_path / "lsat.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def run(*args) -> str:
    out = io.StringIO()
    call_command("analyse_responses", *map(str, args), stdout=out)
    return out.getvalue()


def test_json_report_has_the_classical_shape(lsat_file):
    result = json.loads(run(lsat_file, "--json"))
    assert result["model"] == "ctt" and result["n_examinees"] == 1000
    assert "parameterisation" not in result
    assert set(result["test"]) == TEST_KEYS
    assert [item["name"] for item in result["items"]] == [f"Item {i}" for i in range(1, 6)]
    assert all(set(item) == ITEM_KEYS for item in result["items"])
    assert result["items"][0]["facility"] == pytest.approx(92.4)
    # LSAT-6's alpha is famously low.
    assert result["test"]["alpha"] == pytest.approx(29.5, abs=0.05)


@pytest.mark.parametrize("model", ["rasch", "2pl"])
def test_json_report_has_the_irt_shape(lsat_file, model):
    result = json.loads(run(lsat_file, "--model", model, "--json"))
    assert result["model"] == model
    assert result["parameterisation"] == "P = 1 / (1 + exp(-a(θ - b))), θ ~ N(0, 1)"
    assert set(result["test"]) == TEST_KEYS | {"loglik"}
    assert all(set(item) == IRT_ITEM_KEYS for item in result["items"])
    first = result["items"][0]
    assert set(first["fit"]) == {"chi_square", "df", "p_value"}
    if model == "rasch":
        assert first["discrimination"] == 1 and first["discrimination_se"] is None
        assert result["test"]["loglik"] == pytest.approx(-2473.054, abs=1e-3)
    else:
        assert first["discrimination"] == pytest.approx(0.826, abs=2e-3)
        assert result["test"]["loglik"] == pytest.approx(-2466.653, abs=1e-3)


def test_the_table_names_every_item(lsat_file):
    output = run(lsat_file, "--model", "2pl")
    assert "Examinees: 1000, items: 5" in output
    assert "log-likelihood -2466.653" in output
    assert sum(line.startswith("Item ") for line in output.splitlines()) == 5


def test_a_bad_file_names_the_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Q1,Q2\n1,0\n0,yes\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"row 3, column 2 \('yes'\)"):
        run(path)


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "nothing.csv")


def test_the_report_has_no_nan():
    # Two examinees: no SD, no alpha, no IRT fit — nulls, which JSON can carry.
    analysis = ctt.item_analysis([[1, 0], [1, 1]])
    result = report.build_report(item_names=["a", "b"], analysis=analysis)
    text = json.dumps(result, allow_nan=False)
    assert json.loads(text)["items"][0]["sd"] == 0.0
    assert result["test"]["alpha"] is None


def test_analyse_builds_the_report_from_a_matrix():
    rng = np.random.default_rng(2)
    scores = (rng.random((300, 4)) < 0.6).astype(float)
    scores[rng.random(scores.shape) < 0.2] = np.nan
    result = report.analyse(scores=scores, item_names=list("abcd"), model="rasch")
    calibration = irt.calibrate(scores, model="rasch")
    assert [item["difficulty"] for item in result["items"]] == pytest.approx(calibration.difficulty, abs=1e-6)
    assert [item["n"] for item in result["items"]] == list(np.sum(~np.isnan(scores), axis=0).astype(float))
    with pytest.raises(ValueError):
        report.analyse(scores=scores, item_names=list("abcd"), model="3pl")


def test_irt_takes_marks_as_a_share_of_the_maximum():
    rng = np.random.default_rng(4)
    credit = (rng.random((200, 3)) < 0.5).astype(float)
    in_marks = report.analyse(scores=credit * [1, 2, 4], max_marks=[1, 2, 4], item_names=list("abc"), model="rasch")
    in_credit = report.analyse(scores=credit, item_names=list("abc"), model="rasch")
    assert [i["difficulty"] for i in in_marks["items"]] == [i["difficulty"] for i in in_credit["items"]]
    assert [i["facility"] for i in in_marks["items"]] == [i["facility"] for i in in_credit["items"]]
