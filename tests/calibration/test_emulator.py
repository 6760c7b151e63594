"""Emulators of simulated statistics and the likelihood through them, against known functions,
scipy's distributions and an exact grid posterior."""

import json
import math

import numpy as np
import pytest
from scipy import integrate, stats

from tregsim.calibration.emulator import (
    EmulatedLikelihood,
    Features,
    fit_quantity,
    median_loglik,
    proportion_loglik,
)
from tregsim.calibration.emulator_loo import emulator_leave_one_out, has_emulator
from tregsim.calibration.waves import prior_design, sample_posterior, simulate_points, wave_data

PRIORS = {
    "a": {"dist": "lognormal", "median": 1.0, "factor": 3.0, "reason": "test"},
    "b": {"dist": "uniform", "low": 0.0, "high": 2.0, "reason": "test"},
}


def _base():
    return Features(np.array([0.0, 1.0]), np.array([math.log(3) / 1.96, 2 / math.sqrt(12)]))


def test_a_quadratic_response_is_recovered_with_its_noise():
    rng = np.random.default_rng(1)
    x = prior_design(PRIORS, 400, seed=1)
    truth = 2.0 + 1.5 * x[:, 0] - 0.8 * x[:, 1] ** 2 + 0.5 * x[:, 0] * x[:, 1]
    y = truth + 0.1 * rng.standard_normal(len(x))
    q = fit_quantity(x, y, _base(), interactions=2)
    assert q.r2_cv > 0.97
    assert q.tau == pytest.approx(0.1, rel=0.25)  # out-of-fold error = the noise
    grid = prior_design(PRIORS, 50, seed=9)
    exact = 2.0 + 1.5 * grid[:, 0] - 0.8 * grid[:, 1] ** 2 + 0.5 * grid[:, 0] * grid[:, 1]
    assert np.max(np.abs(q.mean(grid) - exact)) < 0.1


def test_binomial_counts_give_their_logit_without_extra_variance():
    rng = np.random.default_rng(2)
    x = prior_design(PRIORS, 600, seed=2)
    eta = -0.5 + 1.2 * x[:, 0]
    size = np.full(len(x), 60.0)
    k = rng.binomial(60, 1 / (1 + np.exp(-eta))).astype(float)
    q = fit_quantity(x, k, _base(), kind="logit", size=size, interactions=0)
    assert q.tau < 0.1  # binomial noise is not emulator error
    grid = np.column_stack([np.linspace(-1.5, 1.5, 7), np.full(7, 1.0)])
    assert np.max(np.abs(q.mean(grid) - (-0.5 + 1.2 * grid[:, 0]))) < 0.15


def test_proportion_likelihood_is_the_binomial_when_the_emulator_is_exact():
    target = {"n": 40, "value": 0.3}
    eta = np.array([-2.0, -0.8, 0.0, 1.0])
    expected = stats.binom.logpmf(12, 40, 1 / (1 + np.exp(-eta)))
    np.testing.assert_allclose(proportion_loglik(target, eta, 0.0, np.zeros(4)), expected)
    # emulator error widens: the likelihood far from the data rises, at the data falls
    wide = proportion_loglik(target, eta, 1.0, np.zeros(4))
    assert wide[0] > expected[0] and wide[1] < expected[1]
    # open-label optimism multiplies the odds by 1 / ror: same as shifting the logit
    shifted = proportion_loglik(target, eta, 0.0, np.full(4, math.log(0.64)))
    np.testing.assert_allclose(shifted, stats.binom.logpmf(12, 40, 1 / (1 + np.exp(-eta) * 0.64)))


def test_median_density_integrates_to_one_and_matches_the_order_statistic():
    def density(x):
        target = {"n": 5, "value": x}
        return math.exp(
            median_loglik(target, np.array([80.0]), np.array([math.log(10)]), 0.0, np.zeros(1))[0]
        )

    total, _ = integrate.quad(density, 0, 160)
    assert total == pytest.approx(1.0, abs=1e-6)
    f, big_f = stats.norm.pdf(85, 80, 10), stats.norm.cdf(85, 80, 10)
    assert density(85.0) == pytest.approx(30 * big_f**2 * (1 - big_f) ** 2 * f, rel=1e-9)


def test_the_emulated_posterior_matches_the_exact_grid_posterior():
    """One lognormal parameter, a proportion target with rate expit(2 log a): the design's
    simulated counts fit an emulator, MCMC through it must reproduce the exact posterior."""
    priors = {"a": PRIORS["a"]}
    target = {"statistic": "proportion", "n": 50, "value": 0.7}
    rng = np.random.default_rng(3)
    x = prior_design(priors, 300, seed=3)
    p = 1 / (1 + np.exp(-2.0 * x[:, 0]))
    values = [{"t": {"k": float(rng.binomial(200, pi)), "n": 200.0}} for pi in p]
    emulated = EmulatedLikelihood.fit({"t": target}, priors, x, values, interactions=0)
    draws = sample_posterior(emulated, x, walkers=16, steps=3000, seed=4)
    assert draws["effective_sample_size"] > 1000
    grid = np.linspace(-3, 3, 4001)
    sd = math.log(3) / 1.959963984540054
    log_post = stats.norm.logpdf(grid, 0, sd) + stats.binom.logpmf(
        35, 50, 1 / (1 + np.exp(-2 * grid))
    )
    w = np.exp(log_post - log_post.max())
    w /= w.sum()
    mean = float(np.sum(w * grid))
    sd_post = float(np.sqrt(np.sum(w * (grid - mean) ** 2)))
    chain = draws["chain"][:, 0]
    assert np.mean(chain) == pytest.approx(mean, abs=0.25 * sd_post)
    assert np.std(chain) == pytest.approx(sd_post, rel=0.2)


@pytest.mark.slow
def test_quick_emulator_calibration_end_to_end_and_resume_from_half_the_design(
    tregsim_cli, tmp_path
):
    out = tmp_path / "cal"
    args = ("calibrate", "--quick", "--out", str(out), "--quiet", "--workers", "2")
    result = tregsim_cli(*args, timeout=600)
    assert result.returncode == 0, result.stderr
    doc = json.loads((out / "posterior.json").read_text())
    assert doc["final_temperature"] == 1.0
    assert doc["ensemble_size"] == 8 == len(doc["members"]) == len(doc["member_values"])
    assert doc["simulations"] == {"design": 40, "refine": 16, "members": 8}
    assert set(doc["checks"]["posterior"]) == set(doc["settings"]["targets"])
    for row in doc["checks"]["posterior"].values():
        assert row.get("failed") or row["lo"] <= row["mean"] <= row["hi"]
    assert {q["target"] for q in doc["emulator"]["quality"]} == set(doc["settings"]["targets"])
    for name in ("checks.json", "identifiability.csv", "predictive_checks.png", "calibration.md"):
        assert (out / name).stat().st_size > 0, name
    # an interruption half-way through the design: --resume (one worker) simulates only what
    # is missing and ends on the same members
    lines = (out / "design.jsonl").read_text().splitlines()
    (out / "design.jsonl").write_text("\n".join(lines[:20]) + "\n")
    again = tregsim_cli(*args[:-2], "--resume", "--workers", "1", timeout=600)
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "posterior.json").read_text())["members"] == doc["members"]
    # leave-one-out through the shipped emulators: re-sampled without the target, then the
    # target simulated at draws of that posterior
    doc = json.loads((out / "posterior.json").read_text())
    assert has_emulator(doc)
    loo = emulator_leave_one_out(doc, ["treg_dilt1d_ed10"], draws=4, steps=200)
    (row,) = loo["cases"]
    assert row["name"] == "treg_dilt1d_ed10" and row["lo"] <= row["predicted_mean"] <= row["hi"]
    assert 0.0 <= row["pit"] <= 1.0 and loo["n_cases"] == 1


class _Square:
    """A stand-in particle model: one 'target' whose value is the square of 'a'."""

    def __init__(self):
        self.calls = 0

    def __call__(self, point):
        self.calls += 1
        return {"t:value": point["a"] ** 2}


def test_design_file_keeps_finished_points_and_redoes_stale_ones(tmp_path):
    priors = {"a": PRIORS["a"]}
    points = prior_design(priors, 6, seed=5)
    model = _Square()
    simulate_points(tmp_path, "design", points, priors, model, None, None, None, None)
    assert model.calls == 6
    simulate_points(tmp_path, "design", points, priors, model, None, None, None, None)
    assert model.calls == 6  # all done: nothing simulated again
    moved = points.copy()
    moved[2] += 0.1  # a resumed run planning another point 2 (other settings or code)
    simulate_points(tmp_path, "design", moved, priors, model, None, None, None, None)
    assert model.calls == 7
    x, values = wave_data(tmp_path, ("design",), priors)
    np.testing.assert_allclose(x[:, 0], moved[:, 0])
    np.testing.assert_allclose([v["t"]["value"] for v in values], moved[:, 0] ** 2, atol=1e-3)


def test_emulators_round_trip_through_json_and_leave_targets_out():
    rng = np.random.default_rng(6)
    x = prior_design(PRIORS, 200, seed=6)
    p = 1 / (1 + np.exp(-x[:, 0]))
    targets = {
        "t": {"statistic": "proportion", "n": 30, "value": 0.5},
        "u": {"statistic": "normal", "n": 20, "value": 1.0, "se": 0.2, "sim_n": 20},
    }
    values = [
        {"t": {"k": float(rng.binomial(50, pi)), "n": 50.0}, "u": {"value": float(b)}}
        for pi, b in zip(p, x[:, 1], strict=True)
    ]
    emulated = EmulatedLikelihood.fit(targets, PRIORS, x, values, interactions=1)
    again = EmulatedLikelihood.from_dict(
        json.loads(json.dumps(emulated.to_dict())), targets, PRIORS
    )
    grid = prior_design(PRIORS, 20, seed=7)
    np.testing.assert_allclose(again.loglik(grid), emulated.loglik(grid), rtol=1e-12)
    np.testing.assert_allclose(
        emulated.loglik(grid, exclude=("u",)), emulated.target_loglik("t", grid), rtol=1e-12
    )
    lp_all, lp_without = emulated.log_posterior(grid), emulated.log_posterior(grid, exclude=("t",))
    np.testing.assert_allclose(lp_all - lp_without, emulated.target_loglik("t", grid), rtol=1e-9)


def test_design_points_run_on_a_dask_cluster_as_locally(tmp_path):
    from distributed import LocalCluster

    priors = {"a": PRIORS["a"]}
    points = prior_design(priors, 5, seed=8)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False) as cluster:
        simulate_points(
            tmp_path,
            "design",
            points,
            priors,
            _Square(),
            None,
            cluster.scheduler_address,
            None,
            None,
        )
    x, values = wave_data(tmp_path, ("design",), priors)
    np.testing.assert_allclose(x[:, 0], points[:, 0])
    np.testing.assert_allclose([v["t"]["value"] for v in values], points[:, 0] ** 2, atol=1e-3)
