"""IRT calibration: the published LSAT-6 estimates, recovery of known parameters, EAP abilities, information."""

import itertools

import numpy as np
import pytest

from saylau.psychometrics import irt

# LSAT section 6 (Bock & Lieberman 1970; Thissen 1982), as shipped with R's ltm (LSAT) and mirt (LSAT6): the
# counts of the 32 response patterns to 5 items, patterns in binary order 00000, 00001, …, 11111.
LSAT6_COUNTS = [3, 6, 2, 11, 1, 1, 3, 4, 1, 8, 0, 16, 0, 3, 2, 15,
                10, 29, 14, 81, 3, 28, 15, 80, 16, 56, 21, 173, 11, 61, 28, 298]

# ltm(LSAT ~ z1, IRT.param = TRUE), ltm 1.2 (21-point Gauss–Hermite, BFGS): coef() and summary().
LTM_2PL = {
    "b": [-3.3597341, -1.3696497, -0.2798983, -1.8659189, -3.1235725],
    "b_se": [0.8669, 0.3073, 0.0997, 0.4341, 0.8700],
    "a": [0.8253715, 0.7229499, 0.8904748, 0.6885502, 0.6574516],
    "a_se": [0.2581, 0.1867, 0.2326, 0.1852, 0.2100],
    "loglik": -2466.653,
}
# rasch(LSAT, constraint = cbind(ncol(LSAT) + 1, 1)): the discrimination fixed at 1.
LTM_RASCH = {"b": [-2.872, -1.063, -0.258, -1.388, -2.219], "loglik": -2473.054}


def lsat6():
    patterns = np.array(list(itertools.product([0, 1], repeat=5)), dtype=float)
    return patterns, np.array(LSAT6_COUNTS, dtype=float)


@pytest.fixture(scope="module")
def lsat_2pl():
    patterns, counts = lsat6()
    return irt.calibrate(patterns, weights=counts, model="2pl")


@pytest.fixture(scope="module")
def lsat_rasch():
    patterns, counts = lsat6()
    return irt.calibrate(patterns, weights=counts, model="rasch")


def simulate(n_examinees, n_items, *, seed, model="2pl", missing=0.0, credit_draws=1):
    """0/1 answers (or the mean of ``credit_draws`` 0/1 answers: partial credit) under known parameters."""
    rng = np.random.default_rng(seed)
    a = np.ones(n_items) if model == "rasch" else np.exp(rng.normal(0, 0.3, n_items))
    b = rng.normal(0, 1, n_items)
    theta = rng.normal(0, 1, n_examinees)
    p = irt.probability(theta, b, a)
    scores = np.mean([rng.random(p.shape) < p for _ in range(credit_draws)], axis=0)
    if missing:
        scores[rng.random(scores.shape) < missing] = np.nan
    return scores, a, b, theta


# --- LSAT-6 ----------------------------------------------------------------------------------------------


def test_lsat6_has_1000_examinees():
    assert sum(LSAT6_COUNTS) == 1000 and len(LSAT6_COUNTS) == 32


def test_lsat6_2pl_gives_ltms_estimates(lsat_2pl):
    assert lsat_2pl.converged and lsat_2pl.n_examinees == 1000 and lsat_2pl.n_patterns == 32
    assert lsat_2pl.loglik == pytest.approx(LTM_2PL["loglik"], abs=1e-3)
    assert lsat_2pl.discrimination == pytest.approx(LTM_2PL["a"], abs=2e-3)
    # ltm stops before the maximum (see the next test); on the flat likelihood of the two easiest items that
    # leaves up to 0.0023 in b.
    assert lsat_2pl.difficulty == pytest.approx(LTM_2PL["b"], abs=3e-3)
    assert [item.difficulty_se for item in lsat_2pl.items] == pytest.approx(LTM_2PL["b_se"], rel=0.01)
    assert [item.discrimination_se for item in lsat_2pl.items] == pytest.approx(LTM_2PL["a_se"], rel=0.01)


def test_ltm_stopped_short_of_the_maximum_and_we_do_not(lsat_2pl):
    patterns, counts = lsat6()
    data = irt._collapse(patterns, counts)
    grid, log_prior = irt.quadrature()
    a, b = np.array(LTM_2PL["a"]), np.array(LTM_2PL["b"])
    ltm_loglik, ltm_gradient = irt._gradient(data, np.concatenate([a, -a * b]), grid, log_prior, "2pl")
    ours = np.concatenate([lsat_2pl.discrimination, -lsat_2pl.discrimination * lsat_2pl.difficulty])
    our_loglik, our_gradient = irt._gradient(data, ours, grid, log_prior, "2pl")
    # ltm's summary reports "max(|grad|): 0.024" (slope-intercept metric): the same figure here.
    assert np.abs(ltm_gradient).max() == pytest.approx(0.024, abs=1e-3)
    assert np.abs(our_gradient).max() < 1e-5
    assert our_loglik > ltm_loglik


def test_lsat6_2pl_does_not_depend_on_the_quadrature(monkeypatch, lsat_2pl):
    """ltm's 21 Gauss–Hermite points give our estimates to 4 decimals: the differences with ltm are its stopping
    rule, not the integration."""
    def gauss_hermite(points=21, limit=None):
        nodes, weights = np.polynomial.hermite_e.hermegauss(21)
        return nodes, np.log(weights / weights.sum())

    monkeypatch.setattr(irt, "quadrature", gauss_hermite)
    patterns, counts = lsat6()
    with_gauss_hermite = irt.calibrate(patterns, weights=counts, item_fit=False)
    assert with_gauss_hermite.difficulty == pytest.approx(lsat_2pl.difficulty, abs=1e-4)
    assert with_gauss_hermite.discrimination == pytest.approx(lsat_2pl.discrimination, abs=1e-4)


def test_lsat6_rasch_gives_ltms_estimates(lsat_rasch):
    assert lsat_rasch.converged
    assert lsat_rasch.loglik == pytest.approx(LTM_RASCH["loglik"], abs=1e-3)
    assert lsat_rasch.difficulty == pytest.approx(LTM_RASCH["b"], abs=1e-3)
    assert list(lsat_rasch.discrimination) == [1.0] * 5
    assert all(item.discrimination_se is None and item.difficulty_se > 0 for item in lsat_rasch.items)


def test_lsat6_items_fit(lsat_2pl, lsat_rasch):
    for calibration in (lsat_2pl, lsat_rasch):
        for item in calibration.items:
            assert item.fit is not None and item.fit.df >= 1
            assert item.fit.p_value > 0.05


def test_counts_are_the_same_as_repeated_rows(lsat_2pl):
    patterns, counts = lsat6()
    expanded = irt.calibrate(np.repeat(patterns, counts.astype(int), axis=0), item_fit=False)
    assert expanded.loglik == pytest.approx(lsat_2pl.loglik)
    assert expanded.difficulty == pytest.approx(lsat_2pl.difficulty, abs=1e-6)
    assert expanded.n_patterns == 30 and len(expanded.theta) == 1000


# --- Estimation ------------------------------------------------------------------------------------------


def numeric_hessian(data, vector, model):
    grid, log_prior = irt.quadrature()
    _, base = irt._gradient(data, vector, grid, log_prior, model)
    hessian = np.empty((len(vector), len(vector)))
    for k in range(len(vector)):
        shifted = vector.copy()
        shifted[k] += 1e-6
        hessian[:, k] = (irt._gradient(data, shifted, grid, log_prior, model)[1] - base) / 1e-6
    return (hessian + hessian.T) / 2


@pytest.mark.parametrize("model", irt.MODELS)
@pytest.mark.parametrize("complete", [True, False])
def test_louis_hessian_is_the_derivative_of_the_gradient(model, complete):
    rng = np.random.default_rng(11)
    scores = (rng.random((300, 6)) < 0.6).astype(float)
    scores[:20, 0] = 0.5
    if not complete:
        scores[rng.random(scores.shape) < 0.2] = np.nan
    data = irt._collapse(scores, None)
    vector = rng.normal(0, 1, 6) if model == "rasch" else np.concatenate([rng.uniform(0.5, 1.5, 6),
                                                                           rng.normal(0, 1, 6)])
    grid, log_prior = irt.quadrature()
    exact = irt._hessian(data, vector, grid, log_prior, model)
    assert exact == pytest.approx(numeric_hessian(data, vector, model), abs=1e-3)


def test_2pl_recovers_known_parameters():
    scores, a, b, _ = simulate(5000, 20, seed=20240601)
    calibration = irt.calibrate(scores)
    assert calibration.converged
    assert np.corrcoef(b, calibration.difficulty)[0, 1] > 0.98
    assert np.sqrt(np.mean((calibration.discrimination - a) ** 2)) < 0.1
    # The standard errors are about the size of the errors.
    z = (calibration.difficulty - b) / np.array([item.difficulty_se for item in calibration.items])
    assert 0.5 < np.std(z) < 1.6


def test_2pl_recovers_parameters_when_items_are_drawn_at_random():
    scores, a, b, _ = simulate(5000, 20, seed=7, missing=0.4)
    calibration = irt.calibrate(scores, item_fit=False)
    assert np.corrcoef(b, calibration.difficulty)[0, 1] > 0.98
    assert np.sqrt(np.mean((calibration.discrimination - a) ** 2)) < 0.15
    assert [item.n for item in calibration.items] == list(np.sum(~np.isnan(scores), axis=0).astype(float))


def test_rasch_recovers_known_difficulties():
    scores, _, b, _ = simulate(3000, 15, seed=5, model="rasch")
    calibration = irt.calibrate(scores, model="rasch")
    assert np.sqrt(np.mean((calibration.difficulty - b) ** 2)) < 0.1
    # Under the model most items fit.
    assert sum(item.fit.p_value > 0.01 for item in calibration.items) >= 13


def test_partial_credit_is_a_fractional_bernoulli():
    # Credit 0, ½ or 1: the mean of two independent answers, whose expectation is the item curve.
    scores, a, b, _ = simulate(3000, 15, seed=9, credit_draws=2)
    calibration = irt.calibrate(scores)
    assert np.corrcoef(b, calibration.difficulty)[0, 1] > 0.98
    assert np.corrcoef(a, calibration.discrimination)[0, 1] > 0.9
    # The fractional Bernoulli takes a half mark for less evidence than the two answers behind it hold, so the
    # slopes come out low (here by about 15 %): documented in irt.py.
    assert 0.75 < np.mean(calibration.discrimination / a) < 0.95
    assert all(item.fit is not None for item in calibration.items)


def test_credit_outside_0_to_1_and_items_nobody_saw_are_refused():
    with pytest.raises(ValueError, match="credit"):
        irt.calibrate([[0, 1.5], [1, 0]])
    with pytest.raises(ValueError, match="presented"):
        irt.calibrate([[0, np.nan], [1, np.nan]])
    with pytest.raises(ValueError, match="model"):
        irt.calibrate([[0, 1], [1, 0]], model="3pl")


# --- Abilities -------------------------------------------------------------------------------------------


def test_eap_shrinks_towards_0():
    scores, _, _, theta = simulate(4000, 20, seed=3)
    calibration = irt.calibrate(scores, item_fit=False)
    eap, sd = calibration.theta, calibration.theta_sd
    assert np.std(eap) < np.std(theta)
    # Var θ = Var E[θ | answers] + E Var[θ | answers]: the shrinkage is what the posterior SD accounts for.
    assert np.mean(eap**2 + sd**2) == pytest.approx(1, abs=0.08)
    assert np.corrcoef(eap, theta)[0, 1] > 0.85


def test_fewer_items_leave_the_eap_closer_to_0():
    b, a = np.linspace(-1, 1, 20), np.ones(20)
    all_right = np.ones((1, 20))
    five_right = np.where(np.arange(20) < 5, 1.0, np.nan)[None, :]
    nothing = np.full((1, 20), np.nan)
    eap, sd = irt.eap_scores(np.vstack([all_right, five_right, nothing]), b, a)
    assert 0 < eap[1] < eap[0]
    assert sd[0] < sd[1] < sd[2]
    assert eap[2] == pytest.approx(0, abs=1e-9) and sd[2] == pytest.approx(1, abs=1e-3)


def test_an_item_everyone_answered_alike_is_left_out():
    scores, _, _, _ = simulate(500, 6, seed=12, model="rasch")
    scores[:, 2] = 1
    with_it = irt.calibrate(scores, model="rasch")
    without = irt.calibrate(np.delete(scores, 2, axis=1), model="rasch")
    third = with_it.items[2]
    assert np.isnan(third.difficulty) and third.difficulty_se is None and third.fit is None and third.n == 500
    assert np.delete(with_it.difficulty, 2) == pytest.approx(without.difficulty, abs=1e-9)
    assert with_it.theta == pytest.approx(without.theta)
    eap, _ = irt.eap_scores(scores, with_it.difficulty)
    assert eap == pytest.approx(without.theta, abs=1e-9)
    assert irt.test_information([0.0], with_it.difficulty)[0] > 0


def test_eap_scores_reproduce_the_calibrations_abilities(lsat_2pl):
    patterns, counts = lsat6()
    eap, sd = irt.eap_scores(patterns, lsat_2pl.difficulty, lsat_2pl.discrimination)
    expanded = np.repeat(np.arange(32), counts.astype(int))
    calibration = irt.calibrate(patterns[expanded], item_fit=False)
    assert calibration.theta == pytest.approx(eap[expanded], abs=1e-5)
    # ltm's empirical Bayes score of 00000 is the posterior mode, −1.895; the mean is a little lower.
    assert eap[0] == pytest.approx(-1.897, abs=5e-3)


# --- Information -----------------------------------------------------------------------------------------


def test_rasch_information_is_positive_and_peaks_at_the_difficulty():
    theta = np.linspace(-4, 4, 8001)
    b = np.array([-1.5, 0.0, 0.7])
    information = irt.item_information(theta, b)
    assert (information > 0).all()
    assert theta[information.argmax(axis=0)] == pytest.approx(b, abs=1e-3)
    assert information.max(axis=0) == pytest.approx([0.25] * 3)


def test_2pl_information_peaks_at_the_difficulty_with_a_squared_over_4():
    theta = np.linspace(-4, 4, 8001)
    b, a = np.array([-0.5, 1.0]), np.array([0.6, 2.0])
    information = irt.item_information(theta, b, a)
    assert theta[information.argmax(axis=0)] == pytest.approx(b, abs=1e-3)
    assert information.max(axis=0) == pytest.approx(a**2 / 4)
    assert irt.test_information(theta, b, a) == pytest.approx(information.sum(axis=1))


def test_probability_is_the_logistic_curve():
    assert irt.probability([0.0], [0.0], [1.3])[0, 0] == pytest.approx(0.5)
    assert irt.probability([1.0], [0.0], [2.0])[0, 0] == pytest.approx(1 / (1 + np.exp(-2)))
