"""Classical item analysis with Moodle's quiz statistics definitions, on a score matrix.

The figures are those of Moodle's quiz statistics report (question/classes/statistics/questions/calculator.php and
mod/quiz/report/statistics/classes/calculator.php), so that a test analysed here and the same test analysed in
Moodle read the same:

- facility index: mean mark / maximum mark, in %;
- SD: sample standard deviation (n − 1) of the mark, in % of the maximum mark;
- random guess score: the mark a random guesser expects, in % (given by the caller, per item);
- intended weight: maximum mark / maximum test score, in %;
- effective weight: 100 × √cov(item, total) / Σ √cov(item, total) over items whose covariance is not negative;
  None for an item with negative covariance (Moodle shows "negative covariance");
- discrimination index: 100 × correlation of the item mark with the rest of the test (total − item mark);
- discriminative efficiency: 100 × cov(item, rest) / the largest covariance the same marks could have, found by
  pairing the sorted item marks with the sorted rest scores;
- test: mean, median, SD (n − 1), skewness and kurtosis from the k-statistics, coefficient of internal
  consistency (Cronbach's alpha) = 100 · p/(p − 1) · (1 − Σ item variances / test variance), error ratio
  = 100 · √(1 − alpha/100), standard error = error ratio × SD / 100. Like Moodle, mean, median, SD and standard
  error are in marks (Moodle prints them as % of the quiz total: divide by ``max_score``).

Beyond Moodle: the upper–lower index (Kelley's D: facility in the top 27 % by total score minus facility in the
bottom 27 %, in percentage points) and alpha if the item were deleted.

Missing cells (np.nan) are items not presented to that examinee (random draws from a blueprint). Like Moodle,
item statistics use only the examinees who were given the item, and the rest score is the total of the other items
that examinee was given. Test statistics use the totals (the sum of the marks an examinee got). Alpha needs "the"
number of items p and their variances; with random forms we take p = the mean number of items an examinee was
given and Σ item variances = Σ (share of examinees given the item × its variance), i.e. the alpha of an average
form. With complete data this is exactly Moodle's figure; with random forms it differs from Moodle's per-slot
figure, which counts differences between the items of one pool as score variance.

``weights`` are counts of identical rows: every statistic equals the one computed on the matrix with each row
repeated that many times (n is Σ weights; n − 1 denominators use Σ weights − 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Kelley's share for the upper and lower groups.
GROUP_SHARE = 0.27


@dataclass(frozen=True)
class ItemStatistics:
    """One item's figures. Percentages as Moodle shows them; None where Moodle shows nothing (too few attempts,
    zero variance, no maximum mark). ``covariance``, ``mark_variance``, ``rest_variance`` and ``covariance_max``
    are the raw intermediate figures in marks², as Moodle stores them."""

    index: int
    n: float
    facility: float | None
    sd: float | None
    random_guess_score: float | None
    intended_weight: float | None
    effective_weight: float | None
    negative_covariance: bool
    discrimination_index: float | None
    discriminative_efficiency: float | None
    upper_lower_index: float | None
    alpha_if_deleted: float | None
    mean: float | None
    covariance: float | None
    mark_variance: float | None
    rest_variance: float | None
    covariance_max: float | None


@dataclass(frozen=True)
class TestStatistics:
    """Figures of the total scores. ``mean``, ``median``, ``sd`` and ``standard_error`` are in marks; ``alpha``
    and ``error_ratio`` in %. ``max_score`` is the maximum total (the mean over examinees of the maximum marks of
    the items each was given); ``items_per_examinee`` is the p of the alpha formula."""

    __test__ = False  # "test" as in the exam: not a class for pytest to collect

    n: float
    mean: float | None
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    alpha: float | None
    error_ratio: float | None
    standard_error: float | None
    max_score: float
    items_per_examinee: float


@dataclass(frozen=True)
class ItemAnalysis:
    test: TestStatistics
    items: list[ItemStatistics]
    totals: np.ndarray


@dataclass(frozen=True)
class DistractorRow:
    """How often examinees chose ``option`` of item ``item``: in % of the examinees of each group who were given
    the item (lower, middle and upper group by total score, and everyone)."""

    item: int
    option: object
    n: float
    lower: float | None
    middle: float | None
    upper: float | None
    total: float | None


# --- Public API ------------------------------------------------------------------------------------------


def item_analysis(scores, max_marks=None, *, weights=None, random_guess=None,
                  group_share: float = GROUP_SHARE) -> ItemAnalysis:
    """Moodle's item and test statistics for ``scores`` (examinees × items, marks, np.nan = not presented).

    ``max_marks``: each item's maximum mark (default 1); ``weights``: how many examinees each row stands for
    (default 1); ``random_guess``: each item's random guess score as a fraction of its maximum mark (np.nan or
    None = unknown); ``group_share``: the share of examinees in the upper and lower groups (0.27).
    """
    x, w, max_marks = _prepare(scores, max_marks, weights)
    n_items = x.shape[1]
    presented = ~np.isnan(x)
    complete = bool(presented.all())
    x0 = x if complete else np.where(presented, x, 0.0)
    given = None if complete else presented.astype(float)
    totals = x0.sum(axis=1)
    guess = _random_guess(random_guess, n_items)

    test_n = float(w.sum())
    s = np.full(n_items, test_n) if complete else w @ given  # Moodle's s: attempts at the item
    max_score = float(max_marks.sum()) if complete else (float(w @ (given @ max_marks) / test_n) if test_n else 0.0)
    share = s / test_n if test_n > 0 else np.zeros(n_items)
    items_per_examinee = float(share.sum())

    # Deviations from the item's mean and from the rest score's mean, over the examinees given the item (zero
    # elsewhere); the sums of their products are Moodle's markvariancesum, othermarkvariancesum, covariancesum.
    with np.errstate(invalid="ignore", divide="ignore"):
        mark_mean = (w @ x0) / s
        rest_mean = ((w * totals) @ given if given is not None else (w @ totals)) / s - mark_mean
    dx = x0 - mark_mean
    dr = totals[:, None] - x0
    dr -= rest_mean
    if given is not None:
        dx *= given
        dr *= given
    # A mean is rounded, so the deviations of equal values need not be exactly 0; a variance of 1e-34 would then
    # pass for a real one. Columns whose values are all equal (so are their deviations) get exact zeros.
    live = None if complete and (w > 0).all() else presented & (w > 0)[:, None]
    dx[:, _constant(dx, live)] = 0.0
    dr[:, _constant(dr, live)] = 0.0
    dof = s - 1
    enough = s > 1
    with np.errstate(invalid="ignore", divide="ignore"):
        safe_dof = np.where(enough, dof, 1.0)
        mark_variance = np.where(enough, np.einsum("i,ij,ij->j", w, dx, dx) / safe_dof, np.nan)
        rest_variance = np.where(enough, np.einsum("i,ij,ij->j", w, dr, dr) / safe_dof, np.nan)
        covariance = np.where(enough, np.einsum("i,ij,ij->j", w, dx, dr) / safe_dof, np.nan)
        # cov(item, total) = cov(item, rest) + var(item), since total = rest + item. When the two cancel (the total
        # does not move with the item) what is left is rounding, which must not pass for a covariance.
        covariance_total = covariance + mark_variance
        covariance_total[np.abs(covariance_total) <= 1e-10 * (mark_variance + rest_variance)] = 0.0
        covariance_max = np.array([_covariance_max(dx[:, j], dr[:, j], w, None if complete else presented[:, j])
                                   for j in range(n_items)])
        covariance_max = np.where(enough, covariance_max / safe_dof, np.nan)

    effective = _effective_weights(covariance_total)
    lower, upper = _group_membership(totals, w, group_share)
    upper_lower = _upper_lower_index(x0, given, w, lower, upper, max_marks)
    test = _test_statistics(totals, w, mark_variance, share, items_per_examinee, max_score)
    # Without item j the totals are the rest scores, a missing cell of item j counting 0: with complete data the
    # deviations are those above.
    rest_deviations = dr if live is None else _deviations(totals[:, None] - x0, w)
    alpha_deleted = _alpha_if_deleted(rest_deviations, w, mark_variance, share, items_per_examinee)

    items = []
    for j in range(n_items):
        has_mark = max_marks[j] != 0
        product = mark_variance[j] * rest_variance[j]
        items.append(ItemStatistics(
            index=j,
            n=float(s[j]),
            facility=_value(100 * mark_mean[j] / max_marks[j]) if has_mark and s[j] > 0 else None,
            sd=_value(100 * np.sqrt(mark_variance[j]) / max_marks[j]) if has_mark else None,
            random_guess_score=_value(100 * guess[j]),
            intended_weight=_value(100 * max_marks[j] / max_score) if max_score else None,
            effective_weight=effective[j],
            negative_covariance=bool(enough[j] and covariance_total[j] < 0),
            discrimination_index=_value(100 * covariance[j] / np.sqrt(product)) if product > 0 else None,
            discriminative_efficiency=(_value(100 * covariance[j] / covariance_max[j])
                                       if covariance_max[j] and not np.isnan(covariance_max[j]) else None),
            upper_lower_index=upper_lower[j],
            alpha_if_deleted=alpha_deleted[j],
            mean=_value(mark_mean[j]),
            covariance=_value(covariance[j]),
            mark_variance=_value(mark_variance[j]),
            rest_variance=_value(rest_variance[j]),
            covariance_max=_value(covariance_max[j]),
        ))
    return ItemAnalysis(test=test, items=items, totals=totals)


def group_membership(scores_total, weights=None, group_share: float = GROUP_SHARE) -> tuple[np.ndarray, np.ndarray]:
    """Each examinee's share in the lower and in the upper group (``group_share`` of all examinees by total).

    Examinees tied at a cut are split evenly: each gets the same fractional membership, so the groups do not
    depend on row order and always hold exactly ``group_share`` of the examinees.
    """
    totals = np.asarray(scores_total, dtype=float)
    w = np.ones(len(totals)) if weights is None else np.asarray(weights, dtype=float)
    return _group_membership(totals, w, group_share)


def distractor_analysis(choices, scores_total, *, weights=None, group_share: float = GROUP_SHARE) -> list[DistractorRow]:
    """Which options the lower, middle and upper groups (by total score) chose, item by item.

    ``choices`` is examinees × items: option ids (integers, or strings); a negative integer, np.nan, None or ""
    means the item was not presented (or not answered, if the caller codes omissions that way; code them as an
    option id to count them). Rows are in item order, options in sorted order.
    """
    choices = np.asarray(choices)
    if choices.ndim != 2:
        raise ValueError("choices must be a 2-D array (examinees × items)")
    totals = np.asarray(scores_total, dtype=float)
    w = np.ones(len(totals)) if weights is None else np.asarray(weights, dtype=float)
    if len(totals) != choices.shape[0] or len(w) != choices.shape[0]:
        raise ValueError("choices, scores_total and weights must have one row per examinee")
    lower, upper = _group_membership(totals, w, group_share)
    middle = np.clip(1.0 - lower - upper, 0.0, 1.0)
    groups = np.stack([lower * w, middle * w, upper * w, w], axis=1)  # examinees × 4
    rows = []
    for j in range(choices.shape[1]):
        column = choices[:, j]
        given = _presented_choices(column)
        if not given.any():
            continue
        options, codes = np.unique(column[given], return_inverse=True)
        g = groups[given]
        chosen = np.stack([np.bincount(codes, weights=g[:, k], minlength=len(options)) for k in range(4)], axis=1)
        sizes = g.sum(axis=0)
        for o, option in enumerate(options):
            shares = [_value(100 * chosen[o, k] / sizes[k]) if sizes[k] > 0 else None for k in range(4)]
            rows.append(DistractorRow(item=j, option=option.item() if hasattr(option, "item") else option,
                                      n=float(chosen[o, 3]), lower=shares[0], middle=shares[1], upper=shares[2],
                                      total=shares[3]))
    return rows


# --- Preparation -----------------------------------------------------------------------------------------


def _prepare(scores, max_marks, weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(scores, dtype=float)  # never written to
    if x.ndim != 2:
        raise ValueError("scores must be a 2-D array (examinees × items)")
    if np.isinf(x).any():
        raise ValueError("scores must be finite or np.nan")
    n_rows, n_items = x.shape
    max_marks = np.ones(n_items) if max_marks is None else np.asarray(max_marks, dtype=float)
    if max_marks.shape != (n_items,):
        raise ValueError("max_marks must have one value per item")
    w = np.ones(n_rows) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n_rows,) or (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("weights must be one non-negative count per row")
    return x, w, max_marks


def _random_guess(random_guess, n_items: int) -> np.ndarray:
    if random_guess is None:
        return np.full(n_items, np.nan)
    guess = np.array([np.nan if g is None else g for g in random_guess], dtype=float)
    if guess.shape != (n_items,):
        raise ValueError("random_guess must have one value per item")
    return guess


def _presented_choices(column: np.ndarray) -> np.ndarray:
    if column.dtype.kind in "iu":
        return column >= 0
    if column.dtype.kind == "f":
        return ~np.isnan(column) & (column >= 0)
    return np.array([c is not None and c != "" and not (isinstance(c, float) and np.isnan(c)) for c in column],
                    dtype=bool)


def _value(number) -> float | None:
    """A plain float, or None for what Moodle leaves blank (NaN from 0/0 and the like)."""
    number = float(number)
    return None if np.isnan(number) or np.isinf(number) else number


# --- Item statistics -------------------------------------------------------------------------------------


def _covariance_max(mark_dev: np.ndarray, rest_dev: np.ndarray, w: np.ndarray, presented) -> float:
    """Moodle's covariancemaxsum: Σ (k-th smallest mark − mean) (k-th smallest rest score − mean).

    With counts, the k-th smallest is taken in the list where each row is repeated ``count`` times: both sorted
    lists are cut at every cumulative count of either, and each piece pairs one mark with one rest score.
    """
    if presented is not None:
        mark_dev, rest_dev, w = mark_dev[presented], rest_dev[presented], w[presented]
    if w.sum() <= 1:
        return np.nan
    if np.all(w == w[0]):
        return float(w[0] * (np.sort(mark_dev) @ np.sort(rest_dev)))
    mark_order = np.argsort(mark_dev, kind="stable")
    rest_order = np.argsort(rest_dev, kind="stable")
    mark_cum = np.cumsum(w[mark_order])
    rest_cum = np.cumsum(w[rest_order])
    ends = np.union1d(mark_cum, rest_cum)
    lengths = np.diff(ends, prepend=0.0)
    keep = lengths > 0
    middles, lengths = ends[keep] - lengths[keep] / 2, lengths[keep]
    # A piece belongs to the first row whose cumulative count reaches past its middle.
    last = len(w) - 1
    mark_at = mark_dev[mark_order][np.minimum(np.searchsorted(mark_cum, middles), last)]
    rest_at = rest_dev[rest_order][np.minimum(np.searchsorted(rest_cum, middles), last)]
    return float(np.sum(lengths * mark_at * rest_at))


def _constant(values: np.ndarray, live: np.ndarray | None) -> np.ndarray:
    """Per column: are all the values in live cells (None: all cells) equal?"""
    if live is None:
        return values.max(axis=0) <= values.min(axis=0)
    highest = np.where(live, values, -np.inf).max(axis=0)
    lowest = np.where(live, values, np.inf).min(axis=0)
    return highest <= lowest


def _deviations(values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Each column less its weighted mean, exact zeros for a column whose values are all equal."""
    deviations = values - (w @ values) / w.sum()
    deviations[:, _constant(values, np.broadcast_to((w > 0)[:, None], values.shape))] = 0.0
    return deviations


def _effective_weights(covariance_total: np.ndarray) -> list[float | None]:
    """Moodle: 100 √cov_j / Σ √cov over items whose covariance with the total is not negative."""
    usable = ~np.isnan(covariance_total) & (covariance_total >= 0)
    roots = np.sqrt(np.where(usable, covariance_total, 0.0))
    total = roots.sum()
    if not total:
        return [None] * len(covariance_total)
    return [_value(100 * roots[j] / total) if usable[j] else None for j in range(len(covariance_total))]


def _group_membership(totals: np.ndarray, w: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    if not 0 < share <= 0.5:
        raise ValueError("group_share must be in (0, 0.5]")
    grand = w.sum()
    if grand <= 0:
        return np.zeros(len(totals)), np.zeros(len(totals))
    # Rounding keeps totals that differ only by the order of additions in one tie.
    values, inverse = np.unique(np.round(totals, 9), return_inverse=True)
    at = np.bincount(inverse, weights=w, minlength=len(values))
    below = np.cumsum(at) - at
    above = grand - below - at
    target = share * grand
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(at > 0, np.clip((target - below) / at, 0.0, 1.0), 0.0)
        upper = np.where(at > 0, np.clip((target - above) / at, 0.0, 1.0), 0.0)
    return lower[inverse], upper[inverse]


def _upper_lower_index(x0, given, w, lower, upper, max_marks) -> list[float | None]:
    lw, uw = lower * w, upper * w
    lower_n = lw @ given if given is not None else np.full(len(max_marks), lw.sum())
    upper_n = uw @ given if given is not None else np.full(len(max_marks), uw.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        lower_facility = (lw @ x0) / lower_n / max_marks
        upper_facility = (uw @ x0) / upper_n / max_marks
    return [_value(100 * (upper_facility[j] - lower_facility[j])) if lower_n[j] > 0 and upper_n[j] > 0
            and max_marks[j] != 0 else None for j in range(len(max_marks))]


# --- Test statistics -------------------------------------------------------------------------------------


def _weighted_median(values: np.ndarray, w: np.ndarray) -> float:
    """Moodle's median of the list where each value is repeated ``w`` times: the middle one, or the mean of
    the two middle ones."""
    order = np.argsort(values, kind="stable")
    ordered, cumulative = values[order], np.cumsum(w[order])
    total = cumulative[-1]
    first = np.searchsorted(cumulative, np.ceil(total / 2) - 1, side="right")
    second = np.searchsorted(cumulative, np.floor(total / 2), side="right")
    last = len(ordered) - 1
    return float((ordered[min(first, last)] + ordered[min(second, last)]) / 2)


def _alpha(p: float, sum_item_variance: float, test_variance: float) -> float | None:
    if p <= 1 or not test_variance or np.isnan(sum_item_variance):
        return None
    return _value(100 * p / (p - 1) * (1 - sum_item_variance / test_variance))


def _test_statistics(totals, w, mark_variance, share, items_per_examinee, max_score) -> TestStatistics:
    s = float(w.sum())
    mean = median = sd = skewness = kurtosis = alpha = error_ratio = standard_error = None
    if s > 0:
        mean = float(w @ totals / s)
        keep = w > 0
        median = _weighted_median(totals[keep], w[keep])
    if s > 1:
        all_equal = _constant(totals[:, None], (w > 0)[:, None])[0]
        d = np.zeros_like(totals) if all_equal else totals - mean
        power2, power3, power4 = w @ d**2, w @ d**3, w @ d**4
        sd = float(np.sqrt(power2 / (s - 1)))
        # Moodle computes these only from three attempts on (the k-statistics need s − 2 > 0).
        if s > 2:
            m2, m3, m4 = power2 / s, power3 / s, power4 / s
            k2 = s * m2 / (s - 1)
            k3 = s * s * m3 / ((s - 1) * (s - 2))
            if k2 != 0:
                skewness = _value(k3 / k2**1.5)
                if s > 3:
                    k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
                    kurtosis = _value(k4 / (k2 * k2))
                sum_variance = float(np.nansum(share * mark_variance))
                alpha = _alpha(items_per_examinee, sum_variance, k2)
                if alpha is not None and alpha <= 100 + 1e-9:
                    # √ magnifies the rounding of an alpha of 100 % (1e-16 → 1e-8): keep 12 decimals of 1 − alpha.
                    error_ratio = float(100 * np.sqrt(max(0.0, round(1 - alpha / 100, 12))))
                    standard_error = error_ratio * sd / 100
    return TestStatistics(n=s, mean=mean, median=median, sd=sd, skewness=skewness, kurtosis=kurtosis, alpha=alpha,
                          error_ratio=error_ratio, standard_error=standard_error, max_score=max_score,
                          items_per_examinee=items_per_examinee)


def _alpha_if_deleted(rest_deviations, w, mark_variance, share, items_per_examinee) -> list[float | None]:
    """Alpha of the test without item j: the rest scores' variance, p less the item's share, Σ variances less its
    term — the same formula as the test's alpha, so that with complete data it is the textbook figure."""
    s = w.sum()
    if s <= 2:
        return [None] * rest_deviations.shape[1]
    reduced_variance = np.einsum("i,ij,ij->j", w, rest_deviations, rest_deviations) / (s - 1)
    terms = share * np.nan_to_num(mark_variance)
    sum_variance = terms.sum()
    return [_alpha(items_per_examinee - share[j], sum_variance - terms[j], reduced_variance[j])
            for j in range(rest_deviations.shape[1])]
