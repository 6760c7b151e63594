"""The Hartemann 2013 link: maximum-likelihood fit and the binomial likelihood."""

import numpy as np
import pytest
from scipy.stats import binom

from tregsim.calibration.experiments import load_trial_targets
from tregsim.safety import hartemann as H
from tregsim.safety.catalogue import catalogue


def test_log_likelihood_is_the_binomial_log_pmf_of_the_counts():
    p = np.array([0.2, 0.5, 0.8, 0.95])
    expected = sum(binom.logpmf(k, 6, q) for k, q in zip(H.EVENTS, p, strict=True))
    assert H.log_likelihood(p) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError):
        H.log_likelihood([0.5, 0.5])


def test_trial_targets_block_holds_the_hartemann_counts():
    rows = [t for t in load_trial_targets() if t["scenario"] == "hartemann-2013"]
    assert [t["value"] for t in rows] == list(H.EVENTS)
    assert [t["n"] for t in rows] == list(H.N_PER_ARM)
    assert {t["statistic"] for t in rows} == {"binomial"}


def test_declared_link_is_the_maximum_likelihood_fit():
    fit = H.fit_dose_related()
    kind = catalogue()["il2_dose_related"]
    link = kind.drivers["il2"].parameters
    assert kind.background.value == pytest.approx(fit.background, rel=0.01)
    assert link["ec50"].value == pytest.approx(fit.ec50, rel=0.01)
    assert link["hill"].value == pytest.approx(fit.hill, rel=0.01)
    # the fitted probabilities follow the dose order and beat a flat model
    assert np.all(np.diff(fit.probabilities) > 0)
    flat = H.log_likelihood(np.full(4, sum(H.EVENTS) / 24))
    assert fit.log_likelihood > flat + 5
    assert fit.ci95["ec50"][0] < fit.ec50 < fit.ci95["ec50"][1]


def test_posterior_predictive_of_the_hartemann_counts_covers_every_arm():
    """The shipped posterior plus the fitted exposure link, run through the trial engine on
    hartemann-2013 (6 per arm, as published): each observed count (1/6, 3/6, 5/6, 6/6) lies in
    its 95% prediction interval (examples/validation_hartemann_ae.yaml; the full check with 200
    replicates per arm: PIT 0.74, 0.62, 0.29, 1.00, all inside)."""
    from pathlib import Path

    from tregsim.calibration.validation import load_cases, validate_cases

    path = Path(__file__).resolve().parents[2] / "examples" / "validation_hartemann_ae.yaml"
    cases = [{**case, "replicates": 40} for case in load_cases(path)]
    rows = validate_cases(cases)["cases"]
    assert [row["inside"] for row in rows] == [True] * 4, rows
    predicted = [row["predicted_mean"] for row in rows]
    assert predicted == sorted(predicted)  # the dose order of the event rates
