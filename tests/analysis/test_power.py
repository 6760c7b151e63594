"""Replicate summaries, and the type I error of the tests under a null scenario."""

import numpy as np
import pandas as pd
import pytest

from tregsim.analysis import (
    AnalysisOptions,
    StatResult,
    compare_arms,
    subject_values,
    summarize_comparison,
    summarize_values,
)
from tregsim.protocol import Endpoint

SALT50 = Endpoint(name="salt50_w52", kind="salt_reduction", week=52, percent=50)
DSALT = Endpoint(name="dsalt_w52", kind="salt_change", week=52)


def _null_visits(rng, n_per_arm=50):
    """Two identical arms: SALT at week 52 is baseline times a random shrink. Fisher's exact
    test is conservative (exact size about 0.034 for 50 per arm and 45 % responders)."""
    n = 2 * n_per_arm
    baseline = np.round(rng.uniform(50, 100, n))
    shrink = np.where(rng.random(n) < 0.5, rng.uniform(0.0, 0.5, n), rng.uniform(0.6, 1.1, n))
    week52 = np.clip(np.round(baseline * shrink + rng.normal(0, 4, n)), 0, 100)
    dropped = rng.random(n) < 0.05
    arm = np.repeat(["il2", "placebo"], n_per_arm)
    return pd.DataFrame(
        {
            "replicate": 0,
            "subject": np.tile(np.arange(n), 2),
            "arm": np.tile(arm, 2),
            "stratum": "all",
            "visit_week": np.repeat([0.0, 52.0], n),
            "day": np.repeat([0.0, 364.0], n),
            "salt_observed": np.r_[baseline, np.where(dropped, np.nan, week52)],
            "dropped_out": np.r_[np.zeros(n, bool), dropped],
        }
    )


def test_null_scenario_rejection_rate():
    rng = np.random.default_rng(20160)
    options = AnalysisOptions(control_arm="placebo")
    fisher, ancova = [], []
    for _ in range(400):
        visits = _null_visits(rng)
        for spec, bucket in ((SALT50, fisher), (DSALT, ancova)):
            values = subject_values(visits, spec)
            bucket.append(compare_arms(visits, spec, "il2", "placebo", options, values=values))
    assert {r.test for r in fisher} == {"fisher"} and {r.test for r in ancova} == {"ancova"}
    for results, better in ((fisher, "higher"), (ancova, "lower")):
        summary = summarize_comparison(results, alpha=0.05, better=better)
        assert 0.02 <= summary["rejection_rate"] <= 0.09, summary["rejection_rate"]
        assert summary["power"] <= summary["rejection_rate"]


def test_summaries_and_power_direction():
    values = summarize_values([0.1, np.nan, 0.3, 0.2])
    assert values["mean"] == pytest.approx(0.2) and values["n_missing"] == 1
    assert values["replicates"] == [0.1, None, 0.3, 0.2]
    assert values["lo"] == pytest.approx(np.percentile([0.1, 0.2, 0.3], 2.5))
    results = [
        StatResult("ancova", -5.0, -8.0, -2.0, 0.01),  # significant, favours (lower)
        StatResult("ancova", 4.0, 1.0, 7.0, 0.02),  # significant, wrong direction
        StatResult("ancova", -1.0, -4.0, 2.0, 0.5),
        StatResult("ancova", float("nan"), float("nan"), float("nan"), float("nan")),
    ]
    summary = summarize_comparison(results, alpha=0.05, better="lower")
    assert summary["power"] == 0.25 and summary["rejection_rate"] == 0.5
    assert summary["p_values"][3] is None and summary["ci"][0] == [-8.0, -2.0]
    ratio = [StatResult("logrank", 2.0, 1.2, 3.0, 0.001, null_value=1.0)]
    assert summarize_comparison(ratio, 0.05, "higher")["power"] == 1.0
