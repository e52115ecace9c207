"""The item-analysis report as a JSON-ready dict: classical statistics always, IRT parameters when asked.

Shape::

    {"model": "ctt" | "rasch" | "2pl", "n_examinees": int,
     "parameterisation": "P = 1 / (1 + exp(-a(θ - b))), θ ~ N(0, 1)",       # IRT only
     "converged": bool,                                                     # IRT only
     "test": {"n", "mean", "median", "sd", "skewness", "kurtosis", "alpha", "error_ratio", "standard_error",
              "max_score", "loglik" (IRT only)},
     "items": [{"name", "n", "facility", "sd", "random_guess_score", "intended_weight", "effective_weight",
                "discrimination_index", "discriminative_efficiency", "upper_lower_index", "alpha_if_deleted",
                and for IRT "difficulty", "difficulty_se", "discrimination", "discrimination_se",
                "fit": {"chi_square", "df", "p_value"} or null}]}

Percentages where Moodle shows percentages: facility, sd, random guess score, intended and effective weight,
discrimination index, discriminative efficiency, alpha and error ratio (and, beyond Moodle, the upper–lower
index and alpha if deleted). Test mean, median, SD and standard error are in marks, out of ``max_score``.
A figure that cannot be computed (too few examinees, no variance) is null; floats are rounded to 6 decimals.
"""

from __future__ import annotations

import math

import numpy as np

from saylau.psychometrics import ctt, irt

MODELS = ("ctt", *irt.MODELS)

_ITEM_FIELDS = ("n", "facility", "sd", "random_guess_score", "intended_weight", "effective_weight",
                "discrimination_index", "discriminative_efficiency", "upper_lower_index", "alpha_if_deleted")
_TEST_FIELDS = ("n", "mean", "median", "sd", "skewness", "kurtosis", "alpha", "error_ratio", "standard_error",
                "max_score")


def analyse(*, scores, item_names: list[str], model: str = "ctt", weights=None, max_marks=None,
            random_guess=None) -> dict:
    """Run the classical analysis (and the IRT calibration for "rasch" or "2pl") and build the report.

    ``scores`` is examinees × items, marks out of ``max_marks`` (default 1; np.nan = not presented); IRT takes
    the marks as credit, mark / maximum, which must be in 0…1. Raises ValueError for an unknown model or scores
    the model cannot take.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}")
    analysis = ctt.item_analysis(scores, max_marks, weights=weights, random_guess=random_guess)
    calibration = None
    if model != "ctt":
        credit = np.asarray(scores, dtype=float)
        if max_marks is not None:
            credit = credit / np.asarray(max_marks, dtype=float)
        calibration = irt.calibrate(credit, model=model, weights=weights)
    return build_report(item_names=item_names, analysis=analysis, calibration=calibration)


def build_report(*, item_names: list[str], analysis: ctt.ItemAnalysis,
                 calibration: irt.Calibration | None = None) -> dict:
    """The report dict from results already computed (the same examinees and items, in the same order)."""
    if len(item_names) != len(analysis.items):
        raise ValueError("item_names must name every item of the analysis")
    test = {name: _number(getattr(analysis.test, name)) for name in _TEST_FIELDS}
    report = {"model": "ctt", "n_examinees": round(analysis.test.n)}
    items = []
    for name, statistics in zip(item_names, analysis.items, strict=True):
        item = {"name": name}
        item.update({field: _number(getattr(statistics, field)) for field in _ITEM_FIELDS})
        items.append(item)
    if calibration is not None:
        report.update(model=calibration.model, parameterisation=irt.PARAMETERISATION,
                      converged=calibration.converged)
        test["loglik"] = _number(calibration.loglik)
        for item, parameters in zip(items, calibration.items, strict=True):
            rasch = calibration.model == "rasch"
            item.update(
                difficulty=_number(parameters.difficulty),
                difficulty_se=_number(parameters.difficulty_se),
                discrimination=_number(parameters.discrimination),
                discrimination_se=None if rasch else _number(parameters.discrimination_se),
                fit=None if parameters.fit is None else {
                    "chi_square": _number(parameters.fit.chi_square),
                    "df": parameters.fit.df,
                    "p_value": _number(parameters.fit.p_value),
                },
            )
    report["test"] = test
    report["items"] = items
    return report


def _number(value) -> float | None:
    """JSON has no NaN or infinity: those become null."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    return round(value, 6) + 0.0
