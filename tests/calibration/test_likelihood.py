"""Exact likelihoods of the published statistics (calibration.likelihood)."""

import math

import numpy as np
import pytest
from scipy import integrate, stats

from tregsim.calibration.likelihood import (
    FAILED,
    optimism_odds,
    predictive_draws,
    target_loglik,
)

PROPORTION = {"statistic": "proportion", "n": 20, "value": 0.25}


def test_beta_binomial_is_the_binomial_averaged_over_the_rate_posterior():
    """BetaBin(5 | 20, k_s + 1/2, n_s - k_s + 1/2) = integral of Binom(5 | 20, p) Beta(p)."""
    values = {"k": 7.0, "n": 30.0}
    ll = target_loglik(PROPORTION, values)
    a, b = 7.5, 23.5
    direct, _ = integrate.quad(lambda p: stats.binom.pmf(5, 20, p) * stats.beta.pdf(p, a, b), 0, 1)
    assert math.exp(ll) == pytest.approx(direct, rel=1e-6)


def test_a_far_simulated_rate_is_less_likely_than_a_close_one():
    close = target_loglik(PROPORTION, {"k": 25.0, "n": 100.0})
    far = target_loglik(PROPORTION, {"k": 80.0, "n": 100.0})
    assert close > far + 10


def test_failed_experiment_gets_the_failure_value():
    assert target_loglik(PROPORTION, {"failed": 1.0}) == FAILED


def test_order_statistic_density_of_a_median_of_five_integrates_to_one():
    target = {"statistic": "median_of", "n": 5, "value": 0.0}
    samples = np.random.default_rng(3).normal(50, 15, size=400)

    def density(x):
        return math.exp(target_loglik({**target, "value": x}, {"samples": samples}))

    total, _ = integrate.quad(density, -50, 150, limit=200)
    assert total == pytest.approx(1.0, abs=1e-3)


def test_order_statistic_density_peaks_near_the_sample_median():
    target = {"statistic": "median_of", "n": 5}
    samples = np.random.default_rng(4).normal(70, 10, size=300)
    at_median = target_loglik({**target, "value": 70.0}, {"samples": samples})
    off = target_loglik({**target, "value": 95.0}, {"samples": samples})
    assert at_median > off + 3


def test_normal_statistic_and_its_censoring():
    target = {"statistic": "normal", "n": 40, "value": 0.101, "se": 0.078}
    ll = target_loglik(target, {"value": 0.2, "censor": 0.0})
    assert ll == pytest.approx(stats.norm.logpdf(0.101, 0.2, 0.078))
    below = target_loglik(target, {"value": 0.04, "censor": -1.0})
    assert below == pytest.approx(stats.norm.logcdf(0.04, 0.101, 0.078))


def test_open_label_optimism_raises_the_reported_rate():
    """Hrobjartsson's ratio of odds ratios 0.64: odds of a good outcome times 1 / 0.64."""
    assert optimism_odds(0.5, 0.64) == pytest.approx(1 / 0.64 / (1 + 1 / 0.64))
    target = {**PROPORTION, "open_label": True, "value": 0.8, "n": 5}
    values = {"k": 15.0, "n": 30.0}
    plain = target_loglik({**target, "open_label": False}, values)
    optimistic = target_loglik(target, values, {"rater_optimism_ror": 0.64})
    assert optimistic > plain


def test_predictive_draws_are_proportions_of_the_published_n():
    rng = np.random.default_rng(0)
    draws = predictive_draws(PROPORTION, {"k": 10.0, "n": 40.0}, rng, size=500)
    assert np.all((draws * 20) == np.round(draws * 20))
    assert 0.15 < draws.mean() < 0.35
