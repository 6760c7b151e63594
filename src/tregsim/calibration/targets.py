"""Model values of the calibration targets (``data/targets.yaml``) for one ensemble member.

Each function simulates the experiment behind a published number, as closely as
the source describes it, and returns the model's value of the same statistic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import SimpleNamespace

import numpy as np
import pandas as pd
import yaml

from ..model import MODEL, initial_state, observe
from ..model.dosing import NMOL_PER_MIU, SC_LAG_DAYS
from ..population import (
    Candidates,
    PopulationSpec,
    _subset,
    covariate_eligible,
    draw_candidates,
    natural_history_events,
    rate_screening_salt,
    salt_eligible,
    simulate_to_screening,
    study_events,
    typical_parameters,
)
from ..solve import EventTable, solve_batch

BSA_M2 = 1.8  # sources.md#treg-pharmacodynamics


@cache
def load_targets() -> dict[str, dict]:
    """The targets with value, tolerance and source (not the ``trial_targets`` block)."""
    text = resources.files("tregsim.data").joinpath("targets.yaml").read_text()
    return {k: v for k, v in yaml.safe_load(text).items() if k != "trial_targets"}


@cache
def load_trial_targets() -> tuple[dict, ...]:
    """The ``trial_targets`` block: counts (scenario, arm, endpoint, statistic, n, value,
    source) compared with a trial-engine run by a binomial likelihood."""
    text = resources.files("tregsim.data").joinpath("targets.yaml").read_text()
    return tuple(yaml.safe_load(text).get("trial_targets") or ())


def within(name: str, value: float) -> bool:
    """Whether ``value`` lies inside the stated tolerance of target ``name``."""
    lo, hi = load_targets()[name]["tolerance"]
    return bool(np.isfinite(value) and lo <= value <= hi)


# ------------------------------------------------------------------ Treg pharmacodynamics


def _il2_sc(params: np.ndarray, doses: list[tuple[float, float]], days: np.ndarray) -> dict:
    """Typical patient (healthy skin) given SC IL-2 doses [(day, MIU)]; read-outs at ``days``."""
    si = MODEL.state_index
    n = len(doses)
    events = EventTable(
        time=np.array([d + SC_LAG_DAYS for d, _ in doses]),
        patient=np.zeros(n, dtype=np.int64),
        state=np.full(n, si["il2_depot"]),
        kind=np.zeros(n, dtype=np.int8),
        value=np.array([m * NMOL_PER_MIU for _, m in doses]),
    )
    sol = solve_batch(params[None, :], initial_state(params), events, days, rtol=1e-8, atol=1e-11)
    return observe(sol.values[0], params)


def treg_single_dose_rise(params: np.ndarray, dose_miu_m2: float) -> float:
    """Maximal relative rise in Treg % of CD4 within 7 days of one SC dose."""
    days = np.linspace(0.0, 7.0, 57)
    treg = _il2_sc(params, [(0.0, dose_miu_m2 * BSA_M2)], days)["treg_pct_cd4"]
    return float(treg.max() / treg[0] - 1.0)


def treg_dilt1d_ed10(params: np.ndarray) -> float:
    """Dose (MIU/m2) giving a +10% Treg peak within 7 days (bisection on log dose)."""
    lo, hi = np.log(0.005), np.log(5.0)
    if treg_single_dose_rise(params, np.exp(hi)) < 0.10:
        return float("inf")
    for _ in range(22):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if treg_single_dose_rise(params, np.exp(mid)) < 0.10 else (lo, mid)
    return float(np.exp(0.5 * (lo + hi)))


def treg_dilfrequency_rise(params: np.ndarray) -> float:
    """Mean Treg % rise over days 21-42 of 0.26 MIU/m2 every 3 days."""
    days = np.arange(0.0, 43.0, 0.5)
    doses = [(float(d), 0.26 * BSA_M2) for d in range(0, 42, 3)]
    treg = _il2_sc(params, doses, days)["treg_pct_cd4"]
    return float(treg[days >= 21].mean() / treg[0] - 1.0)


def treg_hartemann_order(params: np.ndarray) -> float:
    """1 if peak rise and duration of rise > 10% increase with 0.33 < 1 < 3 MIU/day x 5."""
    days = np.arange(0.0, 60.0, 0.25)
    peaks, durations = [], []
    for miu in (0.33, 1.0, 3.0):
        treg = _il2_sc(params, [(float(d), miu) for d in range(5)], days)["treg_pct_cd4"]
        rise = treg / treg[0] - 1.0
        peaks.append(rise.max())
        durations.append(float((rise > 0.10).sum()) * 0.25)
    increasing = np.all(np.diff(peaks) > 0) and np.all(np.diff(durations) > 0) and durations[-1] > 0
    return float(increasing)


# ------------------------------------------------------------------ disease: cohorts


@dataclass(frozen=True)
class CohortSpec:
    """A calibration cohort: inclusion, subtype mix and size."""

    n: int
    salt_min: float = 50.0
    episode_min_years: float | None = None
    episode_max_years: float | None = None
    resistant: bool = False
    subtype_mix: dict | None = None


def _enroll(spec: PopulationSpec, cohort: CohortSpec, seed: int, key: int):
    inclusion = SimpleNamespace(
        age_min=18,
        age_max=75,
        salt_min=cohort.salt_min,
        salt_max=100,
        episode_min_years=cohort.episode_min_years,
        episode_max_years=cohort.episode_max_years,
        resistant_to_systemic=cohort.resistant,
    )
    chosen, rows_states, next_id = [], [], 0
    while sum(len(t) for _, t in chosen) < cohort.n and next_id < 20 * cohort.n:
        ids = np.arange(next_id, next_id + 2 * cohort.n)
        next_id += 2 * cohort.n
        cand = draw_candidates(seed, key, ids, spec, cohort.subtype_mix)
        cand = _subset(cand, np.flatnonzero(covariate_eligible(cand, inclusion)))
        if len(cand.ids) == 0:
            continue
        states = simulate_to_screening(seed, key, cand, spec)[:, 0, :]
        salt = observe(states, cand.params)["salt"]
        measured = rate_screening_salt(salt, cand.ids, seed, key, 4.0)
        missing = cohort.n - sum(len(t) for _, t in chosen)
        take = np.flatnonzero(salt_eligible(measured, inclusion))[:missing]
        chosen.append((cand, take))
        rows_states.append(states[take])
    cand = Candidates(
        np.concatenate([c.ids[t] for c, t in chosen]),
        pd.concat([c.covariates.iloc[t] for c, t in chosen], ignore_index=True),
        np.concatenate([c.params[t] for c, t in chosen]),
        np.concatenate([c.trigger_day[t] for c, t in chosen]),
    )
    return cand, np.concatenate(rows_states)


def _follow(
    spec: PopulationSpec,
    cand: Candidates,
    y0: np.ndarray,
    doses: EventTable,
    days,
    seed: int,
    key: int,
):
    future = study_events(seed, key, cand.ids, cand.trigger_day, float(max(days)), spec)
    events = EventTable.concat([future, doses])
    sol = solve_batch(cand.params, y0, events, np.asarray(days, dtype=float), t0=0.0)
    return observe(sol.values, cand.params)["salt"]


def _daily(n: int, state: str, amount: float, days: int, offset: float = 0.0) -> EventTable:
    si = MODEL.state_index
    t = np.tile(np.arange(days, dtype=float) + offset, n)
    return EventTable(
        time=t,
        patient=np.repeat(np.arange(n), days),
        state=np.full(len(t), si[state]),
        kind=np.zeros(len(t), dtype=np.int8),
        value=np.full(len(t), amount),
    )


def _pilot_doses(n: int) -> EventTable:
    schedule = [(float(d), 1.5) for d in range(5)] + [
        (float(s + d), 3.0) for s in (21, 42, 63) for d in range(5)
    ]
    si = MODEL.state_index
    t = np.tile([d + SC_LAG_DAYS for d, _ in schedule], n)
    v = np.tile([m * NMOL_PER_MIU for _, m in schedule], n)
    return EventTable(
        time=t,
        patient=np.repeat(np.arange(n), len(schedule)),
        state=np.full(len(t), si["il2_depot"]),
        kind=np.zeros(len(t), dtype=np.int8),
        value=v,
    )


def rated_fraction_at_most(salt: np.ndarray, threshold: float, ids, seed: int, key: int) -> float:
    """Fraction with rated SALT <= threshold (rater SD 4, assumed)."""
    rated = rate_screening_salt(salt, ids, seed, key + 7919, 4.0)
    return float(np.mean(rated <= threshold))


def natural_history(spec: PopulationSpec, n: int, seed: int) -> dict[str, float]:
    """Patchy 1-year recovery and AT/AU recovery two years after established AT/AU."""
    out = {}
    for key, subtype in ((101, "patchy"), (102, "universalis")):
        cand = draw_candidates(seed, key, np.arange(n), spec, {subtype: 1.0})
        cand = Candidates(cand.ids, cand.covariates, cand.params, np.zeros(n))
        events = natural_history_events(seed, key, cand.ids, cand.trigger_day, 1100.0, spec)
        sol = solve_batch(
            cand.params,
            initial_state(cand.params),
            events,
            np.array([365.0, 1095.0]),
            t0=-spec.settle_days,
        )
        salt = observe(sol.values, cand.params)["salt"]
        if subtype == "patchy":
            out["patchy_recovery_1y"] = float(np.mean(salt[:, 0] <= 10.0))
        else:
            atau = salt[:, 0] >= 95.0
            out["atau_recovery"] = float(np.mean(salt[atau, 1] <= 10.0)) if atau.any() else np.nan
    return out


def brave_cohort(spec, n, seed, key=201):
    return _enroll(spec, CohortSpec(n, 50.0, 0.5, 8.0), seed, key)


def placebo_and_baricitinib(spec: PopulationSpec, n: int, seed: int) -> dict[str, float]:
    """BRAVE-AA1 placebo (wk 24/36) and baricitinib 2/4 mg (wk 36) SALT<=20 rates."""
    cand, y0 = brave_cohort(spec, n, seed)
    m = len(cand.ids)
    days = [168.0, 252.0]
    out = {}
    salt = _follow(spec, cand, y0, EventTable.empty(), days, seed, 201)
    out["placebo_allegro_w24"] = rated_fraction_at_most(salt[:, 0], 20, cand.ids, seed, 201)
    out["placebo_brave_w36"] = rated_fraction_at_most(salt[:, 1], 20, cand.ids, seed, 202)
    for mg in (4.0, 2.0):
        salt = _follow(spec, cand, y0, _daily(m, "bari_gut", mg, 253), days, seed, 201)
        out[f"baricitinib_{int(mg)}mg_w36"] = rated_fraction_at_most(
            salt[:, 1], 20, cand.ids, seed, 203
        )
    return out


def expected_median_of(values: np.ndarray, k: int) -> float:
    """Expected median of ``k`` patients drawn without replacement from ``values`` (k odd).

    The pilot reported the median of 5 patients; its model counterpart is the mean, over
    every 5-patient subset, of the subset median (order statistics: the i-th smallest of N
    is the median of C(i-1, k//2) * C(N-i, k//2) of the C(N, k) subsets).
    """
    from math import comb

    x = np.sort(np.asarray(values, dtype=float))
    n, h = len(x), k // 2
    weights = np.array([comb(i, h) * comb(n - 1 - i, h) for i in range(n)], dtype=float)
    return float(np.dot(weights, x) / comb(n, k))


def pilot(spec: PopulationSpec, n: int, seed: int) -> dict[str, float]:
    """Pilot population (SALT > 50, resistant) on the pilot regimen: 6-month and 2-year SALT."""
    cand, y0 = _enroll(spec, CohortSpec(n, 51.0, resistant=True), seed, 301)
    m = len(cand.ids)
    base = observe(y0, cand.params)["salt"]
    salt = _follow(spec, cand, y0, _pilot_doses(m), [182.0, 730.0], seed, 301)
    responders = salt[:, 0] <= 0.75 * base
    return {
        "pilot_median_salt_m6": expected_median_of(salt[:, 0], 5),
        "pilot_partial_regrowth": float(np.mean(salt[:, 0] <= base - 5.0)),
        "pilot_no_relapse_2y": float(np.mean(salt[responders, 1] < base[responders]))
        if responders.any()
        else np.nan,
    }


def treg_targets(spec: PopulationSpec) -> dict[str, float]:
    """The typical-patient Treg targets (B2, B3, DILfrequency)."""
    params = typical_parameters(spec)
    return {
        "treg_dilt1d_ed10": treg_dilt1d_ed10(params),
        "treg_dilfrequency_rise": treg_dilfrequency_rise(params),
        "treg_hartemann_order": treg_hartemann_order(params),
    }
