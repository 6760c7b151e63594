"""Sensitivity ranges come from the posterior (weighted 95%, log scale for lognormal priors)."""

import math

import pytest

from tregsim.calibration.sensitivity import posterior_bounds


def test_bounds_are_weighted_posterior_ranges_on_the_prior_scale():
    members = [
        {"treg_skin_homing": v, "activity_sd": a}
        for v, a in [(0.05, 0.2), (0.1, 0.3), (0.2, 0.4), (0.4, 0.5)]
    ]
    doc = {"members": members, "weights": [0.25] * 4}
    bounds = posterior_bounds(doc)
    lo, hi, log = bounds["treg_skin_homing"]
    assert log and math.log(0.05) <= lo < hi <= math.log(0.4)
    lo, hi, log = bounds["activity_sd"]
    assert not log and 0.2 <= lo < hi <= 0.5


def test_sensitivity_rejects_an_unknown_endpoint(tregsim_cli, tmp_path):
    result = tregsim_cli(
        "sensitivity", "phrc-2016", "--endpoint", "salt99", "--out", str(tmp_path / "s")
    )
    assert result.returncode == 2 and "--endpoint" in result.stderr
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("option", ["--versus", "--arm"])
def test_sensitivity_rejects_an_unknown_arm(tregsim_cli, tmp_path, option):
    result = tregsim_cli(
        "sensitivity",
        "phrc-2016",
        "--endpoint",
        "salt50_w52",
        option,
        "x",
        "--out",
        str(tmp_path / "s"),
    )
    assert result.returncode == 2 and option in result.stderr
