"""Group-sequential boundaries against published values (Jennison & Turnbull 2000) and an
independent computation (scipy's multivariate normal)."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm

from tregsim.design.boundaries import (
    constant_shape_boundaries,
    crossing_probabilities,
    spending_boundaries,
)

EQUAL_3 = [1 / 3, 2 / 3, 1.0]


def test_lan_demets_obrien_fleming_three_looks():
    # Two-sided 0.05, 0.025 spent per side, equally spaced looks.
    bounds = spending_boundaries(EQUAL_3, 0.025, "obrien-fleming")
    np.testing.assert_allclose(bounds, [3.710, 2.511, 1.993], atol=1e-3)


def test_classic_obrien_fleming_three_looks():
    bounds = constant_shape_boundaries(EQUAL_3, 0.025, delta=0.0)
    np.testing.assert_allclose(bounds, [3.471, 2.454, 2.004], atol=1e-3)


def test_classic_pocock_three_looks():
    bounds = constant_shape_boundaries(EQUAL_3, 0.025, delta=0.5)
    np.testing.assert_allclose(bounds, [2.289] * 3, atol=1e-3)


def test_single_look_is_the_fixed_design():
    assert spending_boundaries([1.0], 0.025)[0] == pytest.approx(norm.isf(0.025), abs=1e-6)


def test_pocock_spending_spends_alpha_log_shape():
    bounds = spending_boundaries([0.5, 1.0], 0.025, "pocock")
    first = 0.025 * np.log(1 + (np.e - 1) * 0.5)
    assert norm.sf(bounds[0]) == pytest.approx(first, rel=1e-6)


@pytest.mark.parametrize("drift", [0.0, 2.5])
def test_crossing_probabilities_match_the_multivariate_normal(drift):
    t = np.array([0.3, 0.7, 1.0])
    bounds = np.array([2.9, 2.3, 2.0])
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    mean = drift * np.sqrt(t)
    no_crossing = multivariate_normal.cdf(bounds, mean, cov, abseps=1e-7, releps=1e-7, rng=1)
    total = crossing_probabilities(bounds, t, drift).sum()
    assert total == pytest.approx(1 - no_crossing, abs=2e-5)
    assert crossing_probabilities(bounds, t, drift)[0] == pytest.approx(
        norm.sf(bounds[0] - mean[0]), abs=1e-12
    )


def test_bad_fractions_are_refused():
    with pytest.raises(ValueError, match="increase strictly"):
        spending_boundaries([0.6, 0.5, 1.0])
    with pytest.raises(ValueError, match="unknown spending"):
        spending_boundaries([0.5, 1.0], 0.025, "haybittle")
