"""The typical-patient view: horizon checks and the trajectory cache."""

from __future__ import annotations

import pytest

from tregsim.app.typical import MAX_DAYS, TrajectoryCache, check_days, trajectory_png
from tregsim.errors import TregsimInputError
from tregsim.scenarios import load_scenario


def test_days_default_and_messages():
    assert check_days("", 364.0) == 364.0
    assert check_days(" 28 ", 364.0) == 28.0
    with pytest.raises(TregsimInputError, match=r"--days must be a positive number \(got 0\)"):
        check_days("0", 364.0)
    with pytest.raises(TregsimInputError, match="--days must be a positive number"):
        check_days("soon", 364.0)
    with pytest.raises(TregsimInputError, match="longer than the view"):
        check_days(str(MAX_DAYS + 1), 364.0)


def test_the_cache_returns_the_same_trajectory_and_a_dose_change_moves_it():
    cache = TrajectoryCache(size=2)
    scenario = load_scenario("pilot-2014")
    frame, _ = cache.get(scenario, "il2", 28.0)
    again, seconds = cache.get(scenario, "il2", 28.0)
    assert seconds == 0.0 and again is frame
    higher = scenario.with_overrides(["regimens.il2_pilot.courses.0.dose=4.5"])
    moved, _ = cache.get(higher, "il2", 28.0)
    assert moved["il2_central"].max() > frame["il2_central"].max()
    assert trajectory_png(moved, "treg_pct_cd4", "t").startswith(b"\x89PNG")
