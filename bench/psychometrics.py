#!/usr/bin/env python3
"""Benchmark of the item statistics (no database): classical analysis and IRT calibration at national size.

    .venv/bin/python bench/psychometrics.py [--examinees 100000] [--items 40] [--seed 20240601] [--missing 0.0]
                                            [--blas-threads 1]

Simulates a 2PL test with a fixed seed (a ~ lognormal(0, 0.3), b ~ N(0, 1), θ ~ N(0, 1)); ``--missing`` leaves
that share of cells empty at random, as random draws from a blueprint do. Times, on the same matrix:

1. ``ctt.item_analysis`` (Moodle's statistics, with upper–lower index and alpha if deleted), target ≤ 2 s;
2. ``ctt.distractor_analysis`` on simulated option choices;
3. ``irt.calibrate`` Rasch and 2PL (EM, Newton steps, standard errors, item fit, EAP), target ≤ 30 s for the 2PL;

and prints a markdown table with the date, the machine and the recovery of the simulated parameters.
Exit status 1 when a target is missed and ``--strict`` is given.

BLAS threads: the products here are tall and thin (patterns × 40 items × 61 points), which OpenBLAS gains little
from splitting, and its threads spin while they wait: on a 2-core machine that anything else is using, two of
them made the 2PL 2-8 times slower than one. The benchmark therefore runs with one BLAS thread unless
``--blas-threads`` says otherwise (0 = OpenBLAS's default, one per core); the worker that runs the analyses should
set ``OPENBLAS_NUM_THREADS=1`` the same way.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CTT_TARGET = 2.0
IRT_TARGET = 30.0


def simulate(examinees: int, items: int, seed: int, missing: float):
    import numpy as np

    rng = np.random.default_rng(seed)
    a = np.exp(rng.normal(0.0, 0.3, items))
    b = rng.normal(0.0, 1.0, items)
    theta = rng.normal(0.0, 1.0, examinees)
    p = 1 / (1 + np.exp(-a * (theta[:, None] - b)))
    scores = (rng.random((examinees, items)) < p).astype(float)
    if missing:
        scores[rng.random(scores.shape) < missing] = np.nan
    # Four options per item, option 0 the key; wrong answers pick one of the other three.
    choices = np.where(scores == 1, 0, rng.integers(1, 4, scores.shape))
    choices = np.where(np.isnan(scores), -1, choices)
    return scores, choices, a, b, theta


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examinees", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--missing", type=float, default=0.0, help="share of cells left empty (not presented)")
    parser.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (0 = the library's default)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if args.blas_threads:
        # Read by OpenBLAS when it loads, so before numpy is imported.
        os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(args.blas_threads)
    import numpy as np

    from saylau.psychometrics import ctt, irt

    scores, choices, a, b, theta = simulate(args.examinees, args.items, args.seed, args.missing)
    analysis, ctt_seconds = timed(ctt.item_analysis, scores)
    _, distractor_seconds = timed(ctt.distractor_analysis, choices, analysis.totals)
    rasch, rasch_seconds = timed(irt.calibrate, scores, model="rasch")
    two_pl, irt_seconds = timed(irt.calibrate, scores, model="2pl")

    b_corr = float(np.corrcoef(b, two_pl.difficulty)[0, 1])
    a_rmse = float(np.sqrt(np.mean((a - two_pl.discrimination) ** 2)))
    theta_corr = float(np.corrcoef(theta, two_pl.theta)[0, 1])

    print(f"Psychometrics benchmark, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"Machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, numpy {np.__version__}, "
          f"BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}, load {os.getloadavg()[0]:.1f}")
    print(f"Data: {args.examinees:,} examinees × {args.items} items, seed {args.seed}, "
          f"{args.missing:.0%} cells not presented, {two_pl.n_patterns:,} distinct patterns")
    print()
    print("| step | seconds | target | notes |")
    print("|---|---:|---:|---|")
    print(f"| CTT item analysis | {ctt_seconds:.2f} | ≤ {CTT_TARGET:.0f} | alpha {analysis.test.alpha:.1f} % |")
    print(f"| distractor analysis | {distractor_seconds:.2f} | | 4 options per item |")
    print(f"| Rasch calibration | {rasch_seconds:.2f} | | {rasch.em_cycles} EM cycles, loglik {rasch.loglik:,.1f} |")
    print(f"| 2PL calibration | {irt_seconds:.2f} | ≤ {IRT_TARGET:.0f} | {two_pl.em_cycles} EM cycles, "
          f"loglik {two_pl.loglik:,.1f}; r(b, b̂) {b_corr:.4f}, RMSE(a) {a_rmse:.4f}, r(θ, EAP) {theta_corr:.3f} |")
    missed = ctt_seconds > CTT_TARGET or irt_seconds > IRT_TARGET
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
