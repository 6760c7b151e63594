"""Interim looks by calendar time, stopping rules and re-estimation on synthetic patients."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad
from scipy.stats import norm

from tregsim.analysis import AnalysisOptions
from tregsim.design.looks import (
    DAYS_PER_MONTH,
    analyse_at,
    enrolment_days,
    look_days,
    primary_data,
)
from tregsim.design.rules import (
    DesignPlan,
    conditional_power,
    evaluate_replicate,
    predictive_probability,
)
from tregsim.protocol import Endpoint

SPEC = Endpoint(name="salt50_w52", kind="salt_reduction", percent=50, week=52)
OPTIONS = AnalysisOptions.from_any({"primary": "salt50_w52", "control_arm": "placebo"})


def patients(n: int, p_treated: float, p_control: float, seed: int = 0) -> pd.DataFrame:
    """One replicate's rows: visits at weeks 0, 12, 52, arms alternating, SALT 80 at
    baseline and 20 (responder) or 80 at weeks 12 and 52."""
    rng = np.random.default_rng(seed)
    weeks = np.array([0.0, 12.0, 52.0])
    arm = np.where(np.arange(n) % 2 == 0, "il2", "placebo")
    respond = rng.random(n) < np.where(arm == "il2", p_treated, p_control)
    salt = np.column_stack([np.full(n, 80.0), np.full(n, 60.0), np.where(respond, 20.0, 80.0)])
    return pd.DataFrame(
        {
            "replicate": 0,
            "subject": np.repeat(np.arange(n), 3),
            "arm": np.repeat(arm, 3),
            "stratum": "S4",
            "visit_week": np.tile(weeks, n),
            "day": np.tile(7.0 * weeks, n),
            "salt_observed": salt.ravel(),
            "dropped_out": False,
        }
    )


def test_a_look_sees_only_visits_done_by_its_calendar_day():
    data = primary_data(patients(40, 0.5, 0.2), SPEC)
    enrolled = enrolment_days(40, accrual_per_month=2.0)
    day = 364.0 + 9.5 * DAYS_PER_MONTH  # patients 0..19 are past week 52 (patient 19 at 9.5 mo)
    look = analyse_at(data, enrolled, 40, day, "il2", "placebo", OPTIONS)
    assert look.n_analysed == 20
    assert look.n_enrolled == int(np.sum(enrolled <= day))
    assert look.n_in_follow_up == look.n_enrolled - 20
    # One day earlier, patient 19 is not complete.
    earlier = analyse_at(data, enrolled, 40, day - 1.0, "il2", "placebo", OPTIONS)
    assert earlier.n_analysed == 19


def test_interim_day_is_when_the_fraction_is_complete():
    data = primary_data(patients(40, 0.5, 0.2), SPEC)
    enrolled = enrolment_days(40, 2.0)
    (day,) = look_days(data, enrolled, 40, (0.5,))
    assert day == pytest.approx(enrolled[19] + 364.0)


def test_predictive_probability_is_conditional_power_averaged_over_the_posterior():
    z, t, c = 1.1, 0.4, 2.0
    # Flat prior: the drift (expected z at full information) ~ N(z / sqrt(t), 1 / t).
    mean, sd = z / math.sqrt(t), 1 / math.sqrt(t)

    def cp_at(drift: float) -> float:
        # P(B(1) >= c | B(t) = z sqrt(t), drift)
        return norm.sf((c - z * math.sqrt(t) - drift * (1 - t)) / math.sqrt(1 - t))

    averaged = quad(lambda d: cp_at(d) * norm.pdf(d, mean, sd), mean - 12 * sd, mean + 12 * sd)
    assert predictive_probability(z, t, c) == pytest.approx(averaged[0], abs=1e-8)
    assert conditional_power(z, t, c) == pytest.approx(cp_at(mean), abs=1e-12)


def _plan(**kwargs) -> DesignPlan:
    base = dict(n=80, fractions=(0.5,), bounds=(2.963, 1.969), accrual_per_month=2.0)
    return DesignPlan(**(base | kwargs))


def test_a_large_effect_stops_early_for_efficacy_with_patients_in_follow_up():
    data = primary_data(patients(80, 0.95, 0.05), SPEC)
    out = evaluate_replicate(data, _plan(), "il2", "placebo", OPTIONS)
    assert out["reason"] == "efficacy" and out["stop_look"] == 1
    assert out["n_enrolled"] < 80 and out["n_in_follow_up"] > 0
    assert out["duration_months"] == pytest.approx(39 / 2.0 + 364 / DAYS_PER_MONTH, abs=1e-9)


def test_no_effect_stops_for_futility_only_when_asked():
    data = primary_data(patients(80, 0.2, 0.4, seed=3), SPEC)
    without = evaluate_replicate(data, _plan(), "il2", "placebo", OPTIONS)
    assert without["stop_look"] == 2 and without["n_enrolled"] == 80
    plan = _plan(futility_rule="predictive-probability", futility_below=0.1)
    out = evaluate_replicate(data, plan, "il2", "placebo", OPTIONS)
    assert out["reason"] == "futility" and out["looks"][0]["futility_value"] < 0.1


def test_promising_zone_grows_the_trial_and_keeps_the_statistic_when_it_does_not():
    data = primary_data(patients(120, 0.45, 0.25, seed=1), SPEC)
    plan = _plan(max_n=120, cp_min=0.05, cp_target=0.99, accrual_per_month=10.0)
    grown = evaluate_replicate(data, plan, "il2", "placebo", OPTIONS)
    z1 = grown["looks"][0]["z"]
    assert 0 < z1 < 2.963
    n_total = grown["n_total_planned_after_reestimation"]
    assert grown["increased"] and 80 < n_total <= 120
    # All 80 were randomized by month 8; the added ones only after the interim (month ~16).
    last_added = grown["looks"][0]["month"] + (n_total - 1 - 80) / 10.0
    assert grown["duration_months"] == pytest.approx(last_added + 364 / DAYS_PER_MONTH)
    # Outside the zone the final statistic is the conventional one on the planned n.
    unchanged = evaluate_replicate(
        data, _plan(max_n=120, cp_min=0.98, cp_target=0.99), "il2", "placebo", OPTIONS
    )
    plain = evaluate_replicate(data, _plan(), "il2", "placebo", OPTIONS)
    assert not unchanged["increased"]
    assert unchanged["looks"][-1]["z"] == pytest.approx(plain["looks"][-1]["z"], abs=1e-9)


def _normal_trial(n: int, effect_sd: float, seed: int) -> pd.DataFrame:
    """Continuous SALT change: baseline 60-90, week-52 change N(-effect in il2, sd 10)."""
    rng = np.random.default_rng(seed)
    weeks = np.array([0.0, 52.0])
    arm = np.where(rng.permutation(n) % 2 == 0, "il2", "placebo")
    baseline = rng.uniform(60, 90, n)
    final = baseline + rng.normal(0, 10, n) - np.where(arm == "il2", 10 * effect_sd, 0.0)
    return pd.DataFrame(
        {
            "replicate": 0,
            "subject": np.repeat(np.arange(n), 2),
            "arm": np.repeat(arm, 2),
            "stratum": "S4",
            "visit_week": np.tile(weeks, n),
            "day": np.tile(7.0 * weeks, n),
            "salt_observed": np.column_stack([baseline, final]).ravel(),
            "dropped_out": False,
        }
    )


def test_simulated_power_matches_the_group_sequential_integral():
    """The whole replay (calendar looks, ANCOVA z, boundaries) against the analytic power
    of the same design by recursive integration, at a fixed-design power of 80%."""
    from tregsim.design.boundaries import crossing_probabilities, spending_boundaries

    n, effect = 200, 2.8 * math.sqrt(4 / 200)  # drift 2.8: fixed-design power 0.80
    spec = Endpoint(name="dsalt_w52", kind="salt_change", week=52)
    bounds = spending_boundaries([0.5, 1.0], 0.025)
    plan = DesignPlan(n=n, fractions=(0.5,), bounds=tuple(bounds), accrual_per_month=10.0)
    wins = [
        evaluate_replicate(
            primary_data(_normal_trial(n, effect, seed), spec), plan, "il2", "placebo", OPTIONS
        )["success"]
        for seed in range(300)
    ]
    expected = crossing_probabilities(bounds, [0.5, 1.0], drift=2.8).sum()  # 0.797
    se = math.sqrt(expected * (1 - expected) / len(wins))
    assert abs(np.mean(wins) - expected) < 3 * se
