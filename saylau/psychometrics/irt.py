"""Item response theory: Rasch and 2PL calibration by marginal maximum likelihood, EAP abilities, information.

The model is P(correct | θ) = 1 / (1 + exp(−a(θ − b))) with θ ~ N(0, 1) in the population: b is the item's
difficulty and a its discrimination, both in the logistic metric (no 1.7 scaling constant).

- "rasch": a = 1 for every item, only b is estimated. This is the model of R's ltm
  ``rasch(data, constraint = cbind(ncol(data) + 1, 1))`` (the common discrimination fixed at 1, abilities N(0, 1)),
  and of mirt/irtQ's 1PL with the slope fixed at 1. ltm's unconstrained ``rasch(data)`` estimates the common a
  (equivalently, the spread of the abilities) as well; Rasch programs such as Winsteps keep a = 1 but leave the
  spread free and centre the item difficulties instead of the abilities (joint or conditional likelihood), so
  their b differ from ours by a shift and a scale.
- "2pl": a and b per item.

Estimation (Bock & Aitkin, 1981): θ is integrated over a fixed grid of 61 points on [−6, 6] weighted by the
normal density (as mirt and irtQ do; Gauss–Hermite nodes are too far apart for the narrow posteriors of long
tests). Identical response patterns are collapsed first. The EM algorithm runs until no item parameter (slope,
intercept) moves by more than 1e-3 in a cycle; Newton–Raphson steps on the marginal log-likelihood then finish
the climb, using the gradient (Fisher's identity) and the exact Hessian (Louis's formula), whose inverse also
gives the standard errors. The log-likelihood reported is the marginal one, Σ log ∫ L(pattern | θ) φ(θ) dθ,
as ltm and mirt report it. An item that everyone given it answered alike has no finite estimate and is left
out (NaN parameters); a slope that runs off (a Heywood case, which the 2PL meets on a few hundred examinees)
stops at ±10 without a standard error, and ``converged`` says whether the climb settled.

Missing cells (np.nan) are items not presented: they are left out of that examinee's likelihood (valid when
which items an examinee gets does not depend on the answers, as with random draws from a blueprint).
Partial credit y in 0…1 enters as a fractional Bernoulli: the term y log P + (1 − y) log(1 − P). With 0/1 data it
is the ordinary likelihood. With credit it is a quasi-likelihood that takes a part mark for as much evidence as one
0/1 answer: when the credit is in fact less noisy (the mean of several parts) the items keep their order, but the
slopes come out low and the difficulties spread out (by about 13 % and 15 % when the credit is the mean of two
0/1 answers, in tests/test_irt.py); standard errors, fit and log-likelihood are approximate too.

Item fit is a posterior-predictive chi-square over θ groups, a cousin of Orlando and Thissen's S-X² that works
with missing cells and credit: for each item the examinees given it are put in up to 10 groups of equal size by
their EAP computed without that item; in each group the observed credit is compared with its expectation given
the other answers (Σ over examinees of ∫ P(θ) posterior-without-the-item(θ) dθ); X² = Σ (O − E)² / Σ E(1 − E),
df = groups − parameters per item. Like S-X², the grouping and expectation do not use the item's own answer; the
p-value is approximate (parameter estimation is not accounted for) and meant as a screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

MODELS = ("rasch", "2pl")
PARAMETERISATION = "P = 1 / (1 + exp(-a(θ - b))), θ ~ N(0, 1)"

QUADRATURE_POINTS = 61
QUADRATURE_LIMIT = 6.0
EM_TOLERANCE = 1e-3
EM_MAX_CYCLES = 200
NEWTON_TOLERANCE = 1e-7
NEWTON_MAX_STEPS = 20
FIT_GROUPS = 10
# Bounds keep a parameter whose likelihood rises all the way to infinity (a Heywood slope) finite; an estimate at
# a bound gets no standard error.
SLOPE_BOUND = 10.0
INTERCEPT_BOUND = 25.0


@dataclass(frozen=True)
class ItemFit:
    chi_square: float
    df: int
    p_value: float


@dataclass(frozen=True)
class ItemParameters:
    index: int
    n: float
    difficulty: float
    difficulty_se: float | None
    discrimination: float
    discrimination_se: float | None
    fit: ItemFit | None


@dataclass(frozen=True)
class Calibration:
    """A calibrated model. ``theta`` and ``theta_sd`` are the EAP ability and its posterior SD for each input row;
    ``covariance`` is the covariance matrix of (a₁…a_J, b₁…b_J) for the 2PL and of (b₁…b_J) for Rasch (NaN rows
    for items left out), None when the information matrix is singular. ``n_patterns`` counts distinct response
    patterns, ``em_cycles`` the EM cycles before the Newton steps."""

    model: str
    items: list[ItemParameters]
    difficulty: np.ndarray
    discrimination: np.ndarray
    covariance: np.ndarray | None
    loglik: float
    n_examinees: float
    n_patterns: int
    em_cycles: int
    converged: bool
    theta: np.ndarray
    theta_sd: np.ndarray


# --- Public API ------------------------------------------------------------------------------------------


def calibrate(scores, *, model: str = "2pl", weights=None, item_fit: bool = True,
              quadrature_points: int = QUADRATURE_POINTS) -> Calibration:
    """Estimate item parameters by marginal maximum likelihood, then each examinee's EAP ability.

    ``scores`` is examinees × items with credit in 0…1 and np.nan for items not presented; ``weights`` counts
    identical rows (default 1). An item that every examinee given it answered alike (all right, all wrong) has no
    finite estimate: it is left out (its likelihood term is 0 in the limit) and gets a NaN difficulty (and, in the
    2PL, slope), no standard errors and no fit. Raises ValueError for credit outside 0…1, an item no one was
    given, or no item left.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}")
    everything = _collapse(scores, weights)
    varies = _varies(everything)
    if not varies.any():
        raise ValueError("no item was answered differently by different examinees")
    data = _columns(everything, varies)
    grid, log_prior = quadrature(quadrature_points)
    slope, intercept = _start(data, model)

    cycles, converged = 0, False
    for cycles in range(1, EM_MAX_CYCLES + 1):  # noqa: B007 - the count is reported
        _, post = _e_step(data, slope, intercept, grid, log_prior)
        r, n = _expected_counts(data, post)
        new_slope, new_intercept = _m_step(r, n, grid, slope, intercept, model)
        change = max(np.max(np.abs(new_slope - slope)), np.max(np.abs(new_intercept - intercept)))
        slope, intercept = new_slope, new_intercept
        if change < EM_TOLERANCE:
            converged = True
            break

    slope, intercept, hessian, converged = _newton(data, slope, intercept, grid, log_prior, model, converged)

    loglik, post, log_joint = _e_step(data, slope, intercept, grid, log_prior, keep_log_joint=True)
    estimated = _covariance(hessian, slope, intercept, model)
    fits = _item_fit(data, slope, intercept, grid, post, log_joint, model) if item_fit else [None] * data.n_items
    eap = post @ grid
    eap_sd = np.sqrt(np.maximum(post @ grid**2 - eap**2, 0.0))

    # Back to every item: NaN (Rasch: a = 1) for the items left out.
    n_items = everything.n_items
    difficulty = np.full(n_items, np.nan)
    difficulty[varies] = -intercept / slope
    discrimination = np.full(n_items, 1.0 if model == "rasch" else np.nan)
    discrimination[varies] = slope
    covariance = None
    if estimated is not None:
        index = np.flatnonzero(varies)
        if model == "2pl":
            index = np.concatenate([index, n_items + index])
        covariance = np.full((len(varies) * (2 if model == "2pl" else 1),) * 2, np.nan)
        covariance[np.ix_(index, index)] = estimated
    all_fits = [None] * n_items
    for position, j in enumerate(np.flatnonzero(varies)):
        all_fits[j] = fits[position]
    # An item at a bound (a Heywood slope, say) has no finite estimate and so no standard error.
    at_bound = np.ones(n_items, dtype=bool)
    at_bound[varies] = (np.abs(slope) >= SLOPE_BOUND) | (np.abs(intercept) >= INTERCEPT_BOUND)

    items = []
    for j in range(n_items):
        if covariance is None or at_bound[j]:
            a_se = b_se = None
        elif model == "2pl":
            a_se, b_se = _se(covariance[j, j]), _se(covariance[n_items + j, n_items + j])
        else:
            a_se, b_se = None, _se(covariance[j, j])
        items.append(ItemParameters(index=j, n=float(everything.counts @ everything.presented[:, j]),
                                    difficulty=float(difficulty[j]), difficulty_se=b_se,
                                    discrimination=float(discrimination[j]), discrimination_se=a_se,
                                    fit=all_fits[j]))
    return Calibration(model=model, items=items, difficulty=difficulty, discrimination=discrimination,
                       covariance=covariance, loglik=float(loglik), n_examinees=float(data.counts.sum()),
                       n_patterns=data.n_patterns, em_cycles=cycles, converged=converged,
                       theta=eap[data.inverse], theta_sd=eap_sd[data.inverse])


def eap_scores(scores, difficulty, discrimination=1.0, *,
               quadrature_points: int = QUADRATURE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """EAP ability and posterior SD for each row of ``scores`` under known item parameters (θ ~ N(0, 1)).
    Items whose parameters are NaN (left out of a calibration) are ignored."""
    difficulty = np.asarray(difficulty, dtype=float)
    slope = np.broadcast_to(np.asarray(discrimination, dtype=float), difficulty.shape).copy()
    data = _collapse(scores, None, require_every_item=False)
    if data.n_items != len(difficulty):
        raise ValueError("scores must have one column per item parameter")
    known = np.isfinite(difficulty) & np.isfinite(slope)
    data = _columns(data, known)
    grid, log_prior = quadrature(quadrature_points)
    _, post = _e_step(data, slope[known], -slope[known] * difficulty[known], grid, log_prior)
    eap = post @ grid
    sd = np.sqrt(np.maximum(post @ grid**2 - eap**2, 0.0))
    return eap[data.inverse], sd[data.inverse]


def probability(theta, difficulty, discrimination=1.0) -> np.ndarray:
    """P(correct) at each θ (rows) for each item (columns)."""
    theta, b, a = _curve_arguments(theta, difficulty, discrimination)
    return special.expit(a * (theta - b))


def item_information(theta, difficulty, discrimination=1.0) -> np.ndarray:
    """Fisher information a² P (1 − P) at each θ (rows) for each item (columns)."""
    theta, b, a = _curve_arguments(theta, difficulty, discrimination)
    p = special.expit(a * (theta - b))
    return a * a * p * (1 - p)


def test_information(theta, difficulty, discrimination=1.0) -> np.ndarray:
    """Information of the whole test at each θ: the sum of the items' information (items with NaN parameters
    add nothing). 1/√I is the standard error of a maximum-likelihood ability at θ."""
    return np.nansum(item_information(theta, difficulty, discrimination), axis=1)


test_information.__test__ = False  # the psychometric term, not a test for pytest to collect


def quadrature(points: int = QUADRATURE_POINTS, limit: float = QUADRATURE_LIMIT) -> tuple[np.ndarray, np.ndarray]:
    """The θ grid and the log of its N(0, 1) weights (normalised to sum to 1)."""
    grid = np.linspace(-limit, limit, points)
    log_weight = -grid**2 / 2
    return grid, log_weight - special.logsumexp(log_weight)


# --- Data ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Patterns:
    credit: np.ndarray  # patterns × items, 0 where not presented
    presented: np.ndarray  # patterns × items, 1.0 / 0.0
    counts: np.ndarray
    inverse: np.ndarray  # input row → pattern
    complete: bool

    @property
    def n_items(self) -> int:
        return self.credit.shape[1]

    @property
    def n_patterns(self) -> int:
        return self.credit.shape[0]


def _collapse(scores, weights, *, require_every_item: bool = True) -> _Patterns:
    x = np.array(scores, dtype=float)
    if x.ndim != 2:
        raise ValueError("scores must be a 2-D array (examinees × items)")
    given = ~np.isnan(x)
    if ((x[given] < 0) | (x[given] > 1)).any():
        raise ValueError("credit must be between 0 and 1 (np.nan for items not presented)")
    w = np.ones(x.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (x.shape[0],) or (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("weights must be one non-negative count per row")
    if require_every_item and not ((given * w[:, None]).sum(axis=0) > 0).all():
        raise ValueError("every item must be presented to at least one examinee")
    if np.isin(x[given], (0.0, 1.0)).all():
        key = np.where(given, x, 2.0).astype(np.uint8)  # 0, 1, 2 = not presented: one byte a cell
    else:
        key = np.where(given, x, -1.0) + 0.0  # + 0.0 turns −0.0 into 0.0 so that both collapse into one pattern
    key = np.ascontiguousarray(key)
    rows = key.view(np.dtype((np.void, key.dtype.itemsize * key.shape[1]))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    patterns = x[first]
    presented = (~np.isnan(patterns)).astype(float)
    return _Patterns(credit=np.where(presented > 0, patterns, 0.0), presented=presented,
                     counts=np.bincount(inverse.ravel(), weights=w, minlength=len(first)),
                     inverse=inverse.ravel(), complete=bool(presented.all()))


def _varies(data: _Patterns) -> np.ndarray:
    """Per item: did the examinees given it get different credit?"""
    live = (data.presented > 0) & (data.counts > 0)[:, None]
    highest = np.where(live, data.credit, -np.inf).max(axis=0)
    lowest = np.where(live, data.credit, np.inf).min(axis=0)
    return highest > lowest


def _columns(data: _Patterns, keep: np.ndarray) -> _Patterns:
    if keep.all():
        return data
    presented = data.presented[:, keep]
    return _Patterns(credit=data.credit[:, keep], presented=presented, counts=data.counts, inverse=data.inverse,
                     complete=bool(presented.all()))


def _curve_arguments(theta, difficulty, discrimination):
    theta = np.asarray(theta, dtype=float).reshape(-1, 1)
    b = np.atleast_1d(np.asarray(difficulty, dtype=float))[None, :]
    a = np.broadcast_to(np.asarray(discrimination, dtype=float), b.shape[1:])[None, :]
    return theta, b, a


# --- EM --------------------------------------------------------------------------------------------------


def _start(data: _Patterns, model: str) -> tuple[np.ndarray, np.ndarray]:
    """a = 1 and the intercept whose expected facility over N(0, 1) is the observed one."""
    answered = data.counts @ data.presented
    facility = np.clip((data.counts @ data.credit) / answered, 0.02, 0.98)
    slope = np.ones(data.n_items)
    # E[logistic(aθ + d)] ≈ logistic(d / √(1 + πa²/8)) for θ ~ N(0, 1).
    intercept = special.logit(facility) * np.sqrt(1 + np.pi / 8)
    return slope, intercept


def _logits(slope, intercept, grid):
    z = slope[:, None] * grid[None, :] + intercept[:, None]  # items × points
    return z, -np.logaddexp(0.0, z)  # logit P and log(1 − P)


def _e_step(data: _Patterns, slope, intercept, grid, log_prior, *, keep_log_joint: bool = False):
    """Marginal log-likelihood and each pattern's posterior over the grid (and the log joint, on request)."""
    z, log_fail = _logits(slope, intercept, grid)
    # y log P + (1 − y) log(1 − P) = y · logit P + log(1 − P), summed over the items presented.
    log_joint = data.credit @ z
    log_joint += log_fail.sum(axis=0) if data.complete else data.presented @ log_fail
    log_joint += log_prior
    top = log_joint.max(axis=1, keepdims=True)
    post = np.exp(log_joint - top)
    total = post.sum(axis=1, keepdims=True)
    post /= total
    loglik = data.counts @ (np.log(total[:, 0]) + top[:, 0])
    if keep_log_joint:
        return loglik, post, log_joint
    return loglik, post


def _expected_counts(data: _Patterns, post) -> tuple[np.ndarray, np.ndarray]:
    """Expected credit r and expected number of examinees n at each grid point, per item (items × points)."""
    weighted = post * data.counts[:, None]
    r = data.credit.T @ weighted
    if data.complete:
        n = np.broadcast_to(weighted.sum(axis=0), r.shape)
    else:
        n = data.presented.T @ weighted
    return r, n


def _m_step(r, n, grid, slope, intercept, model: str, steps: int = 8):
    """Maximise Σ_q r log P + (n − r) log(1 − P) per item: Newton on a logistic regression (concave)."""
    slope, intercept = slope.copy(), intercept.copy()
    for _ in range(steps):
        p = special.expit(slope[:, None] * grid + intercept[:, None])
        residual = r - n * p
        weight = n * p * (1 - p)
        g_d, h_dd = residual.sum(axis=1), weight.sum(axis=1)
        if model == "rasch":
            step_d, step_a = g_d / np.maximum(h_dd, 1e-12), np.zeros_like(slope)
        else:
            g_a = residual @ grid
            h_aa, h_ad = weight @ grid**2, weight @ grid
            det = np.maximum(h_aa * h_dd - h_ad**2, 1e-12)
            step_a = (h_dd * g_a - h_ad * g_d) / det
            step_d = (h_aa * g_d - h_ad * g_a) / det
        slope = np.clip(slope + np.clip(step_a, -1, 1), -SLOPE_BOUND, SLOPE_BOUND)
        intercept = np.clip(intercept + np.clip(step_d, -2, 2), -INTERCEPT_BOUND, INTERCEPT_BOUND)
        if max(np.max(np.abs(step_a)), np.max(np.abs(step_d))) < 1e-9:
            break
    return slope, intercept


# --- Newton steps and standard errors --------------------------------------------------------------------


def _pack(slope, intercept, model):
    return intercept.copy() if model == "rasch" else np.concatenate([slope, intercept])


def _unpack(vector, n_items, model):
    if model == "rasch":
        return np.ones(n_items), vector.copy()
    return vector[:n_items].copy(), vector[n_items:].copy()


def _gradient(data, vector, grid, log_prior, model):
    """Log-likelihood and its gradient in (slopes, intercepts): by Fisher's identity, the gradient of the
    expected complete-data log-likelihood at the current posterior."""
    slope, intercept = _unpack(vector, data.n_items, model)
    loglik, post = _e_step(data, slope, intercept, grid, log_prior)
    r, n = _expected_counts(data, post)
    residual = r - n * special.expit(slope[:, None] * grid + intercept[:, None])
    g_d = residual.sum(axis=1)
    return loglik, (g_d if model == "rasch" else np.concatenate([residual @ grid, g_d]))


def _hessian(data, vector, grid, log_prior, model):
    """The Hessian of the marginal log-likelihood in (slopes, intercepts), exactly, by Louis's (1982) formula:
    E[∇² log f] + E[s sᵀ] − E[s] E[s]ᵀ, expectations over each pattern's posterior, s the complete-data score.

    For item j at grid point q the complete-data score is e (θ_q, 1) with e = y − P_j(θ_q) (0 if the item was
    not presented), so every term is a sum over patterns of products of a few patterns × items or patterns ×
    points matrices; only E[s sᵀ] with missing cells needs the patterns × items² products per grid point.
    """
    n_items = data.n_items
    slope, intercept = _unpack(vector, n_items, model)
    _, post = _e_step(data, slope, intercept, grid, log_prior)
    curve = special.expit(slope[:, None] * grid + intercept[:, None])  # items × points
    c = data.counts
    y, given = data.credit, data.presented
    weighted = post * c[:, None]
    powers = [np.ones_like(grid), grid, grid**2] if model == "2pl" else [np.ones_like(grid)]
    pair_counts = None if data.complete else _pair_counts(given, weighted)

    # E[s sᵀ]: S_m[j, k] = Σ_n c_n Σ_q W_nq θ_q^m e_nqj e_nqk for m = 0, 1, 2.
    blocks, means = [], []
    for power in powers:
        u = post @ power  # Σ_q W θ^m per pattern
        g = post @ (curve * power).T  # Σ_q W θ^m P_j per pattern and item
        cross = y.T @ (given * g * c[:, None])
        if pair_counts is None:
            both = (curve * power * weighted.sum(axis=0)) @ curve.T
        else:
            both = np.einsum("jkq,q,jq,kq->jk", pair_counts, power, curve, curve)
        blocks.append(y.T @ (y * (c * u)[:, None]) - cross - cross.T + both)
        means.append(y * u[:, None] - given * g)  # E[s] per pattern: Σ_q W e θ^m
    # E[∇² log f]: minus the expected information of each item at the grid points (block diagonal).
    _, n = _expected_counts(data, post)
    v = n * curve * (1 - curve)
    if model == "rasch":
        mean = means[0]
        return np.diag(-v.sum(axis=1)) + blocks[0] - mean.T @ (mean * c[:, None])
    s0, s1, s2 = blocks
    expected = np.block([[np.diag(-(v @ grid**2)), np.diag(-(v @ grid))],
                         [np.diag(-(v @ grid)), np.diag(-v.sum(axis=1))]])
    mean = np.concatenate([means[1], means[0]], axis=1)  # (slope, intercept) scores
    return expected + np.block([[s2, s1], [s1, s0]]) - mean.T @ (mean * c[:, None])


def _pair_counts(given, weighted, chunk: int = 4096):
    """K[j, k, q] = Σ_n c_n W_nq m_nj m_nk: the expected number of examinees at θ_q given both items j and k."""
    n_items = given.shape[1]
    total = np.zeros((n_items * n_items, weighted.shape[1]))
    for start in range(0, given.shape[0], chunk):
        m = given[start:start + chunk]
        pairs = (m[:, :, None] * m[:, None, :]).reshape(len(m), n_items * n_items)
        total += pairs.T @ weighted[start:start + chunk]
    return total.reshape(n_items, n_items, -1)


def _newton(data, slope, intercept, grid, log_prior, model, converged):
    """Newton–Raphson on the marginal log-likelihood from where EM stopped; returns the parameters, the Hessian
    at them and whether the climb converged."""
    vector = _pack(slope, intercept, model)
    loglik, gradient = _gradient(data, vector, grid, log_prior, model)
    hessian = _hessian(data, vector, grid, log_prior, model)
    start = vector.copy()
    for _ in range(NEWTON_MAX_STEPS):
        try:
            step = np.linalg.solve(-hessian, gradient)
        except np.linalg.LinAlgError:
            break
        if not np.isfinite(step).all() or gradient @ step <= 0:  # not an ascent direction: not near a maximum
            break
        for _ in range(8):
            trial = _bounded(vector + step, data.n_items, model)
            trial_loglik, trial_gradient = _gradient(data, trial, grid, log_prior, model)
            if trial_loglik >= loglik - 1e-12 * max(1.0, abs(loglik)):  # rounding noise is no descent
                break
            step /= 2
        else:
            break
        vector, loglik, gradient = trial, trial_loglik, trial_gradient
        if np.max(np.abs(step)) < NEWTON_TOLERANCE:
            converged = True
            break
    if np.max(np.abs(vector - start)) > 1e-3:
        hessian = _hessian(data, vector, grid, log_prior, model)
    slope, intercept = _unpack(vector, data.n_items, model)
    return slope, intercept, hessian, converged


def _bounded(vector, n_items, model):
    slope, intercept = _unpack(vector, n_items, model)
    slope = np.clip(slope, -SLOPE_BOUND, SLOPE_BOUND)
    intercept = np.clip(intercept, -INTERCEPT_BOUND, INTERCEPT_BOUND)
    return _pack(slope, intercept, model)


def _covariance(hessian, slope, intercept, model):
    """Inverse of the observed information, carried from (slope, intercept) to (a, b) by the delta method:
    b = −d/a, so ∂b/∂a = d/a² and ∂b/∂d = −1/a."""
    information = -hessian
    try:
        np.linalg.cholesky(information)
    except np.linalg.LinAlgError:
        return None
    inverse = np.linalg.inv(information)
    if model == "rasch":
        return inverse  # b = −d: the same variances
    n_items = len(slope)
    jacobian = np.zeros((2 * n_items, 2 * n_items))
    index = np.arange(n_items)
    jacobian[index, index] = 1.0
    jacobian[n_items + index, index] = intercept / slope**2
    jacobian[n_items + index, n_items + index] = -1 / slope
    return jacobian @ inverse @ jacobian.T


def _se(variance) -> float | None:
    return float(np.sqrt(variance)) if variance >= 0 and np.isfinite(variance) else None


# --- Item fit --------------------------------------------------------------------------------------------


def _item_fit(data, slope, intercept, grid, post, log_joint, model) -> list[ItemFit | None]:
    z, log_fail = _logits(slope, intercept, grid)
    curve = special.expit(z)
    ability, expected = _rest_posterior_means(data, curve, z, log_fail, grid, post, log_joint)
    parameters = 1 if model == "rasch" else 2
    fits = []
    for j in range(data.n_items):
        rows = (data.presented[:, j] > 0) & (data.counts > 0)
        counts, credit = data.counts[rows], data.credit[rows, j]
        # Examinees with the same other answers have the same ability here and must share a group whatever
        # they answered to item j, or the grouping would sort by the very answer being tested.
        levels, level_of = np.unique(np.round(ability[rows, j], 9), return_inverse=True)
        level_counts = np.bincount(level_of, weights=counts, minlength=len(levels))
        middle = (np.cumsum(level_counts) - level_counts / 2) / level_counts.sum()
        groups = np.minimum((middle * FIT_GROUPS).astype(int), FIT_GROUPS - 1)[level_of]
        e = expected[rows, j]
        observed_sum = np.bincount(groups, weights=counts * credit, minlength=FIT_GROUPS)
        expected_sum = np.bincount(groups, weights=counts * e, minlength=FIT_GROUPS)
        variance = np.bincount(groups, weights=counts * e * (1 - e), minlength=FIT_GROUPS)
        used = variance > 0
        df = int(used.sum()) - parameters
        if df < 1:
            fits.append(None)
            continue
        chi_square = float(np.sum((observed_sum[used] - expected_sum[used]) ** 2 / variance[used]))
        fits.append(ItemFit(chi_square=chi_square, df=df, p_value=float(stats.chi2.sf(chi_square, df))))
    return fits


def _rest_posterior_means(data, curve, z, log_fail, grid, post, log_joint):
    """For every pattern and item, the posterior mean of θ and of P_j(θ) given all the pattern's answers but
    the one to item j (patterns × items each).

    The posterior without item j is the full posterior divided by the item's likelihood, P_j or 1 − P_j for a
    0/1 answer: for 0/1 items that is two matrix products for all items at once. Items with partial credit take
    the item's term out of the log joint, one item at a time.
    """
    n_items = data.n_items
    ability = np.zeros(data.credit.shape)
    expected = np.zeros(data.credit.shape)
    binary = np.all((data.credit == 0) | (data.credit == 1), axis=0)
    if binary.any():
        # 1/P = 1 + e^−z and 1/(1 − P) = 1 + e^z stay finite where P rounds to 0 or 1 (|z| ≤ 10·6 + 25).
        over_right, over_wrong = 1 + np.exp(-z), 1 + np.exp(z)
        right = np.concatenate([grid * over_right, over_right, np.ones_like(curve)]).T  # points × 3 items
        wrong = np.concatenate([grid * over_wrong, over_wrong, np.exp(z)]).T
        for columns, part in ((right, data.credit == 1), (wrong, data.credit == 0)):
            sums = post @ columns
            mass = sums[:, n_items:2 * n_items]
            with np.errstate(invalid="ignore", divide="ignore"):
                ability = np.where(part & binary, sums[:, :n_items] / mass, ability)
                expected = np.where(part & binary, sums[:, 2 * n_items:] / mass, expected)
    for j in np.flatnonzero(~binary):
        rest = log_joint - (data.credit[:, j, None] * z[j] + log_fail[j] * data.presented[:, j, None])
        rest = np.exp(rest - rest.max(axis=1, keepdims=True))
        rest /= rest.sum(axis=1, keepdims=True)
        ability[:, j], expected[:, j] = rest @ grid, rest @ curve[j]
    return ability, expected
