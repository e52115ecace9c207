"""Entry vs final test: the normalised gain per participant and its mean over a group, with a 95 % confidence
interval. Pure functions on percentages; the pages gather the numbers.

The normalised gain (Hake, 1998) is g = (post − pre) / (100 − pre): the share of what was left to learn that
was learnt. It is undefined for someone who scored 100 % at entry; they count in the mean percentages but not in
the mean gain. The interval is a percentile bootstrap over participants: ``RESAMPLES`` resamples of the
participants with replacement, drawn from a generator seeded with ``SEED`` so that a report printed twice reads
the same; the interval is the 2.5th and 97.5th percentiles of the resampled means. With fewer than two
participants there is no interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

SEED = 20251
RESAMPLES = 10_000
LEVEL = 0.95
_CHUNK = 1_000  # resamples drawn at a time: bounds the memory for large groups


@dataclass(frozen=True)
class Interval:
    """A mean and its bootstrap interval (``low``/``high`` None when it cannot be computed)."""

    mean: float | None
    low: float | None
    high: float | None
    n: int


@dataclass(frozen=True)
class GainSummary:
    n: int                    # participants with both percentages
    pre_mean: float | None
    post_mean: float | None
    gain: Interval            # the mean of the participants' gains (those below 100 % at entry)
    group_gain: float | None  # Hake's gain of the means, <g> = (post mean − pre mean) / (100 − pre mean)
    undefined: int            # participants at 100 % at entry, left out of the mean gain


def normalised_gain(pre: float, post: float) -> float | None:
    """(post − pre) / (100 − pre); None when pre is 100 %."""
    if pre >= 100:
        return None
    return (post - pre) / (100 - pre)


def bootstrap_mean(values: Iterable[float | None], *, resamples: int = RESAMPLES, seed: int = SEED,
                   level: float = LEVEL) -> Interval:
    """The mean of ``values`` (None left out) with a percentile bootstrap interval at ``level``."""
    data = np.array([value for value in values if value is not None], dtype=float)
    n = len(data)
    if n == 0:
        return Interval(mean=None, low=None, high=None, n=0)
    mean = float(data.mean())
    if n < 2:
        return Interval(mean=mean, low=None, high=None, n=n)
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    for start in range(0, resamples, _CHUNK):
        size = min(_CHUNK, resamples - start)
        means[start:start + size] = data[rng.integers(0, n, size=(size, n))].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return Interval(mean=mean, low=float(low), high=float(high), n=n)


def summarise(pairs: Sequence[tuple[float, float]], *, resamples: int = RESAMPLES, seed: int = SEED) -> GainSummary:
    """The group's figures from (pre %, post %) per participant."""
    if not pairs:
        return GainSummary(n=0, pre_mean=None, post_mean=None, gain=Interval(None, None, None, 0), group_gain=None,
                           undefined=0)
    pre = float(np.mean([before for before, _after in pairs]))
    post = float(np.mean([after for _before, after in pairs]))
    gains = [normalised_gain(before, after) for before, after in pairs]
    return GainSummary(n=len(pairs), pre_mean=pre, post_mean=post,
                       gain=bootstrap_mean(gains, resamples=resamples, seed=seed),
                       group_gain=normalised_gain(pre, post), undefined=sum(1 for gain in gains if gain is None))
