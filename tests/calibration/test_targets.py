"""Targets file: every target has a value, tolerance and source; statistics helpers."""

from itertools import combinations

import numpy as np
import pytest

from tregsim.calibration import targets as T


def test_every_target_has_value_tolerance_and_source():
    loaded = T.load_targets()
    assert len(loaded) >= 10
    for name, target in loaded.items():
        lo, hi = target["tolerance"]
        assert lo <= target["value"] <= hi, name
        assert target["source"].strip(), name
        assert target["description"].strip(), name


def test_within_uses_the_stated_tolerance():
    lo, hi = T.load_targets()["placebo_brave_w36"]["tolerance"]
    assert T.within("placebo_brave_w36", lo)
    assert T.within("placebo_brave_w36", hi)
    assert not T.within("placebo_brave_w36", hi + 1e-9)
    assert not T.within("placebo_brave_w36", float("nan"))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_expected_median_of_five_equals_brute_force(seed):
    values = np.random.default_rng(seed).uniform(0, 100, size=9)
    brute = np.mean([np.median(c) for c in combinations(values, 5)])
    assert T.expected_median_of(values, 5) == pytest.approx(brute, rel=1e-12)
