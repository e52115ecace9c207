"""Why an item needs a reviewer's look, from its statistics: pure rules on the figures ``analysis`` computes.

The thresholds follow the usual reading of Moodle's report (its documentation calls a discrimination index
under 20 % weak and a negative one a sign that the key or the wording is wrong) and Kelley's groups. No flag is
raised on fewer than ``MIN_ATTEMPTS`` attempts: with a handful of examinees every item looks odd.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MIN_ATTEMPTS = 20
TOO_EASY = 90.0  # facility index, %
TOO_HARD = 20.0
LOW_DISCRIMINATION = 20.0  # discrimination index, %
ALPHA_RISE = 1.0  # percentage points of alpha gained by removing the item

LABELS = {
    "too_easy": _("too easy"),
    "too_hard": _("too hard"),
    "negative_discrimination": _("negative discrimination"),
    "low_discrimination": _("low discrimination"),
    "key_below_distractor": _("the strongest examinees prefer a wrong option"),
    "unused_distractor": _("a wrong option nobody chooses"),
    "alpha_rises": _("the test is more reliable without it"),
}


def _flag(code: str, detail: str) -> dict:
    return {"code": code, "detail": detail}


def item_flags(figures: dict, distractors: list[dict], *, test_alpha: float | None) -> list[dict]:
    """Flags for one item. ``figures``: facility, discrimination_index, alpha_if_deleted, n (as ctt gives them);
    ``distractors``: [{"option", "correct", "upper", "total"}] for choice items (shares in %)."""
    if (figures.get("n") or 0) < MIN_ATTEMPTS:
        return []
    flags = []
    facility = figures.get("facility")
    if facility is not None and facility > TOO_EASY:
        flags.append(_flag("too_easy", f"{facility:.0f} % > {TOO_EASY:.0f} %"))
    if facility is not None and facility < TOO_HARD:
        flags.append(_flag("too_hard", f"{facility:.0f} % < {TOO_HARD:.0f} %"))
    discrimination = figures.get("discrimination_index")
    if discrimination is not None and discrimination < 0:
        flags.append(_flag("negative_discrimination", f"{discrimination:.0f} %"))
    elif discrimination is not None and discrimination < LOW_DISCRIMINATION:
        flags.append(_flag("low_discrimination", f"{discrimination:.0f} % < {LOW_DISCRIMINATION:.0f} %"))
    keys = [row for row in distractors if row["correct"]]
    wrong = [row for row in distractors if not row["correct"]]
    if keys and wrong:
        best_key = max((row["upper"] or 0) for row in keys)
        rival = max(wrong, key=lambda row: row["upper"] or 0)
        if (rival["upper"] or 0) > best_key:
            flags.append(_flag("key_below_distractor", f"{rival['option']}: {rival['upper']:.0f} % > {best_key:.0f} %"))
    unused = [str(row["option"]) for row in wrong if not row["total"]]
    if unused:
        flags.append(_flag("unused_distractor", ", ".join(unused)))
    without = figures.get("alpha_if_deleted")
    if test_alpha is not None and without is not None and without >= test_alpha + ALPHA_RISE:
        flags.append(_flag("alpha_rises", f"{test_alpha:.0f} % → {without:.0f} %"))
    return flags
