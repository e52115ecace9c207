"""Item analysis of the tests in the database: gathers the submitted attempts into score matrices, runs the pure
statistics (``ctt``, ``irt``), raises flags (``flags``) and stores the results (``models``).

Run by the background worker (``tasks``) after a test closes and when someone asks for a refresh; pages only read
what is stored. What is analysed: submitted attempts, all of them (not only first attempts), except those still
waiting for an essay mark; items with no marks to win (descriptions) are left out. A cell is empty (np.nan) when
the attempt did not show the item (blueprints draw different items for different people).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from saylau.assessment.models import Attempt, AttemptItem, AttemptStatus, Exam, Item, ItemType
from saylau.core.audit import audit

from . import ctt, irt
from .flags import item_flags
from .models import AttemptAbility, ItemAnalysis, TestAnalysis

# Fewer attempts than this: no IRT (the estimates would be noise). Up to RASCH_ONLY_BELOW attempts a test is
# calibrated with the Rasch model; from there on with the 2PL, whose slopes need more data.
IRT_MIN_ATTEMPTS = 30
RASCH_ONLY_BELOW = 500
CHOICE_TYPES = (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE, ItemType.TRUE_FALSE, ItemType.SCENARIO)


@dataclass
class Responses:
    """Submitted attempts (rows) × items (columns)."""

    attempt_ids: np.ndarray
    item_ids: list[int]  # in test order: by the first position any attempt showed the item at, then id
    positions: list[int]  # that first position
    marks: np.ndarray  # points won, np.nan = not shown
    max_marks: np.ndarray  # per item
    attempt_max: np.ndarray  # per attempt: the maximum score of the items it showed
    chosen: list[dict[int, list[str]]]  # per item: attempt row -> option ids chosen


def analysable_attempts(exams: QuerySet[Exam] | None = None) -> QuerySet[Attempt]:
    attempts = Attempt.objects.filter(status=AttemptStatus.SUBMITTED, awaiting_grading=False)
    return attempts.filter(exam__in=exams) if exams is not None else attempts


def responses(attempts: QuerySet[Attempt]) -> Responses:
    """The score matrix of ``attempts``: one query, streamed (a national test has millions of attempt items)."""
    rows = (AttemptItem.objects.filter(attempt__in=attempts.values("pk"), max_points__gt=0).order_by()
            .values_list("attempt_id", "item_id", "position", "points", "max_points", "response"))
    attempt_index: dict[int, int] = {}
    item_index: dict[int, int] = {}
    first_position: dict[int, int] = {}
    cells_a, cells_i, cells_v, cells_m = [], [], [], []
    chosen_cells: list[tuple[int, int, list]] = []
    for attempt_id, item_id, position, points, max_points, response in rows.iterator(chunk_size=10_000):
        a = attempt_index.setdefault(attempt_id, len(attempt_index))
        i = item_index.setdefault(item_id, len(item_index))
        if position < first_position.get(item_id, position + 1):
            first_position[item_id] = position
        cells_a.append(a)
        cells_i.append(i)
        cells_v.append(float(points or 0))
        cells_m.append(float(max_points))
        if response and response.get("choices"):
            chosen_cells.append((i, a, [str(choice) for choice in response["choices"]]))
    # Columns in test order, whatever order the database returned the rows in.
    item_ids = sorted(item_index, key=lambda pk: (first_position[pk], pk))
    column = np.zeros(len(item_index), dtype=np.int64)
    for new, pk in enumerate(item_ids):
        column[item_index[pk]] = new
    marks = np.full((len(attempt_index), len(item_index)), np.nan)
    max_marks = np.zeros(len(item_index))
    attempt_max = np.zeros(len(attempt_index))
    if cells_a:
        a, i = np.array(cells_a), column[np.array(cells_i)]
        m = np.array(cells_m)
        marks[a, i] = cells_v
        np.maximum.at(max_marks, i, m)
        np.add.at(attempt_max, a, m)
    chosen: list[dict[int, list[str]]] = [{} for _ in item_index]
    for i, a, choices in chosen_cells:
        chosen[column[i]][a] = choices
    return Responses(attempt_ids=np.array(list(attempt_index), dtype=np.int64), item_ids=item_ids,
                     positions=[first_position[pk] for pk in item_ids], marks=marks, max_marks=max_marks,
                     attempt_max=attempt_max, chosen=chosen)


# --- Pieces ---------------------------------------------------------------------------------------------------


def _options(item: Item) -> list[tuple[str, bool]]:
    """(option id, is it a right option) for a choice item or a scenario (every step's options)."""
    document = item.current.document if item.current_id else {}
    options = list(document.get("options") or [])
    for step in document.get("steps") or []:
        options.extend(step.get("options") or [])
    return [(str(option["id"]), float(option.get("fraction") or 0) > 0) for option in options]


def _distractors(item: Item, chosen: dict[int, list[str]], lower: np.ndarray, upper: np.ndarray) -> list[dict]:
    """For each option: the share of the examinees shown the item who chose it, in the lower, middle and upper
    groups (Kelley's 27 %) and overall. Multiple choice counts every option chosen."""
    if item.type not in CHOICE_TYPES or not chosen:
        return []
    rows = np.fromiter(chosen, dtype=np.int64)
    groups = {"lower": lower[rows], "upper": upper[rows]}
    groups["middle"] = np.clip(1 - groups["lower"] - groups["upper"], 0, 1)
    groups["total"] = np.ones(len(rows))
    sizes = {name: weight.sum() for name, weight in groups.items()}
    result = []
    for option_id, correct in _options(item):
        picked = np.fromiter((option_id in chosen[row] for row in rows), dtype=bool, count=len(rows))
        shares = {name: (round(100 * float(weight[picked].sum()) / float(sizes[name]), 1) if sizes[name] else None)
                  for name, weight in groups.items()}
        result.append({"option": option_id, "correct": correct, **shares})
    return result


def _random_guess(item: Item) -> float | None:
    """What a random guesser expects, as a fraction of the marks (Moodle's per-type rule where it has one)."""
    document = item.current.document if item.current_id else {}
    if item.type in (ItemType.SINGLE_CHOICE, ItemType.TRUE_FALSE):
        fractions = [float(option.get("fraction") or 0) for option in document.get("options") or []]
        return max(0.0, sum(fractions) / len(fractions)) if fractions else None
    if item.type == ItemType.SCENARIO:
        steps = [[float(option.get("fraction") or 0) for option in step.get("options") or []]
                 for step in document.get("steps") or []]
        steps = [max(0.0, sum(step) / len(step)) for step in steps if step]
        return sum(steps) / len(steps) if steps else None
    if item.type == ItemType.MATCHING:
        pairs = document.get("pairs") or []
        return 1 / len(pairs) if pairs else None
    if item.type in (ItemType.SHORT_ANSWER, ItemType.NUMERICAL, ItemType.ESSAY):
        return 0.0
    return None  # multiple choice: depends on how many options a guesser ticks


def _rounded(value):
    if isinstance(value, float):
        return None if np.isnan(value) else round(value, 4)
    return value


def _ctt_figures(stats: ctt.ItemStatistics) -> dict:
    keep = ("n", "facility", "sd", "random_guess_score", "intended_weight", "effective_weight",
            "negative_covariance", "discrimination_index", "discriminative_efficiency", "upper_lower_index",
            "alpha_if_deleted")
    return {key: _rounded(getattr(stats, key)) for key in keep}


def _calibration(marks: np.ndarray, max_marks: np.ndarray, n: int) -> irt.Calibration | None:
    if n < IRT_MIN_ATTEMPTS:
        return None
    credit = marks / max_marks
    try:
        return irt.calibrate(credit, model="rasch" if n < RASCH_ONLY_BELOW else "2pl")
    except (ValueError, np.linalg.LinAlgError):  # e.g. an item nobody was shown: say nothing rather than noise
        return None


def _irt_figures(parameters: irt.ItemParameters) -> dict:
    fit = parameters.fit
    return {
        "difficulty": _rounded(parameters.difficulty), "difficulty_se": _rounded(parameters.difficulty_se),
        "discrimination": _rounded(parameters.discrimination),
        "discrimination_se": _rounded(parameters.discrimination_se),
        "fit": ({"chi_square": _rounded(fit.chi_square), "df": fit.df, "p_value": _rounded(fit.p_value)}
                if fit else None),
    }


# --- One test -------------------------------------------------------------------------------------------------


@transaction.atomic
def analyse_test(*, exam: Exam, by=None) -> TestAnalysis:
    """Compute and store the statistics of ``exam`` over its submitted attempts (replacing earlier ones)."""
    attempts = analysable_attempts(Exam.objects.filter(pk=exam.pk))
    data = responses(attempts)
    n = len(data.attempt_ids)
    items = Item.objects.select_related("current").in_bulk(data.item_ids)  # the documents: options, guess scores
    item_rows = []
    test_figures, irt_summary = {}, None
    if n:
        guess = np.array([np.nan if (g := _random_guess(items[pk])) is None else g for pk in data.item_ids])
        result = ctt.item_analysis(data.marks, data.max_marks, random_guess=guess)
        test_figures = {key: _rounded(value) for key, value in dataclasses.asdict(result.test).items()}
        if result.test.mean is not None and result.test.max_score:
            for key in ("mean", "median", "sd", "standard_error"):
                value = test_figures.get(key)
                test_figures[f"{key}_percent"] = (round(100 * value / result.test.max_score, 2)
                                                  if value is not None else None)
        lower, upper = ctt.group_membership(result.totals)
        calibration = _calibration(data.marks, data.max_marks, n)
        if calibration is not None:
            irt_summary = {"model": calibration.model, "loglik": round(calibration.loglik, 3),
                           "n": calibration.n_examinees, "converged": calibration.converged,
                           "parameterisation": irt.PARAMETERISATION}
        for j, item_id in enumerate(data.item_ids):
            item = items[item_id]
            figures = _ctt_figures(result.items[j])
            distractors = _distractors(item, data.chosen[j], lower, upper)
            row = {"item_id": item_id, "name": item.name, "type": item.type, "position": data.positions[j],
                   "max_marks": float(data.max_marks[j]), **figures,
                   **(_irt_figures(calibration.items[j]) if calibration else {}),
                   "distractors": distractors,
                   "flags": item_flags(figures, distractors, test_alpha=result.test.alpha)}
            item_rows.append(row)
    last = attempts.aggregate(last=Max("submitted_at"))["last"]
    analysis, _created = TestAnalysis.objects.update_or_create(exam=exam, defaults={
        "computed_at": timezone.now(), "attempts": n, "last_submitted_at": last, "test": test_figures,
        "items": item_rows, "irt": irt_summary})
    if by is not None:  # someone asked for it; the worker's routine runs are not worth an entry each
        audit(actor=by, action="psychometrics.test.analysed", obj=exam, changes={"attempts": n})
    return analysis


# --- The whole bank -------------------------------------------------------------------------------------------


@transaction.atomic
def analyse_bank() -> int:
    """Every item over every submitted attempt that showed it, in any test: figures, distractors and flags
    (``ItemAnalysis``); and one Rasch calibration of the whole bank, whose abilities are stored per attempt
    (``AttemptAbility``), so that a person's abilities in different tests are on one scale. Returns the
    number of items analysed.

    An item's discrimination here is the correlation of its credit with the rest of the attempt, the rest
    expressed in item units (its share of the attempt's other marks × the number of other items), so that
    attempts at tests of different lengths pool sensibly.
    """
    data = responses(analysable_attempts())
    now = timezone.now()
    n_attempts, n_items = data.marks.shape
    shown = ~np.isnan(data.marks)
    marks0 = np.where(shown, data.marks, 0.0)
    attempt_score = marks0.sum(axis=1)
    items_shown = shown.sum(axis=1)
    percent = np.divide(attempt_score, data.attempt_max, out=np.zeros(n_attempts), where=data.attempt_max > 0)
    lower, upper = ctt.group_membership(percent)
    tests_per_item = _tests_per_item()
    test_flags = _alpha_flags_from_tests()
    items = Item.objects.select_related("current").in_bulk(data.item_ids)
    rows = []
    for j, item_id in enumerate(data.item_ids):
        item = items[item_id]
        given = shown[:, j]
        credit = data.marks[given, j] / data.max_marks[j]
        rest_max = data.attempt_max[given] - data.max_marks[j]
        rest_share = np.divide(attempt_score[given] - data.marks[given, j], rest_max,
                               out=np.zeros(int(given.sum())), where=rest_max > 0)
        rest_units = rest_share * (items_shown[given] - 1)
        pooled = ctt.item_analysis(np.column_stack([credit, rest_units]),
                                   np.array([1.0, max(float((items_shown[given] - 1).max()), 1.0)]))
        figures = _ctt_figures(pooled.items[0])
        for key in ("intended_weight", "effective_weight", "alpha_if_deleted"):  # single-test figures
            figures.pop(key)
        distractors = _distractors(item, data.chosen[j], lower, upper)
        flags = item_flags(figures, distractors, test_alpha=None) + test_flags.get(item_id, [])
        rows.append(ItemAnalysis(item_id=item_id, computed_at=now, attempts=int(given.sum()),
                                 tests=tests_per_item.get(item_id, 0), figures=figures, distractors=distractors,
                                 flags=flags, flagged=bool(flags)))
    calibration = None
    if n_attempts >= IRT_MIN_ATTEMPTS:
        try:
            calibration = irt.calibrate(data.marks / data.max_marks, model="rasch", item_fit=False)
        except (ValueError, np.linalg.LinAlgError):
            calibration = None
    if calibration is not None:
        for j, row in enumerate(rows):
            row.figures["rasch_difficulty"] = _rounded(calibration.items[j].difficulty)
            row.figures["rasch_difficulty_se"] = _rounded(calibration.items[j].difficulty_se)
    ItemAnalysis.objects.all().delete()
    ItemAnalysis.objects.bulk_create(rows, batch_size=1000)
    AttemptAbility.objects.all().delete()
    if calibration is not None:
        AttemptAbility.objects.bulk_create(
            [AttemptAbility(attempt_id=int(attempt_id), theta=round(float(theta), 4), se=round(float(se), 4),
                            computed_at=now)
             for attempt_id, theta, se in zip(data.attempt_ids, calibration.theta, calibration.theta_sd, strict=True)],
            batch_size=5000)
    return len(rows)


def _tests_per_item() -> dict[int, int]:
    return dict(AttemptItem.objects.filter(attempt__in=analysable_attempts().values("pk")).order_by()
                .values("item_id").annotate(n=Count("attempt__exam_id", distinct=True)).values_list("item_id", "n"))


def _alpha_flags_from_tests() -> dict[int, list[dict]]:
    """"Alpha rises without it" is a figure of one test: taken from the stored test analyses."""
    flags: dict[int, list[dict]] = {}
    for exam_title, items in TestAnalysis.objects.values_list("exam__title_ru", "items"):
        for row in items:
            for flag in row.get("flags", []):
                if flag["code"] == "alpha_rises":
                    flags.setdefault(row["item_id"], []).append({**flag, "detail": f"{exam_title}: {flag['detail']}"})
    return flags


# --- What needs refreshing ------------------------------------------------------------------------------------


def closed_tests_to_refresh(now=None) -> list[Exam]:
    """Tests that have closed (the room closed, or the window ended) whose stored statistics are missing or
    older than their last submitted attempt."""
    now = now or timezone.now()
    closed = Q(mode="room", room_state="closed") | Q(mode="distance", closes_at__lte=now)
    last = (analysable_attempts().filter(exam=OuterRef("pk")).order_by().values("exam")
            .annotate(last=Max("submitted_at")).values("last"))
    candidates = Exam.objects.filter(closed).annotate(last=Subquery(last)).filter(last__isnull=False)
    return [exam for exam in candidates.select_related("analysis")
            if not hasattr(exam, "analysis") or exam.analysis.last_submitted_at is None
            or exam.analysis.last_submitted_at < exam.last]
