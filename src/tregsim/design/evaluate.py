"""A scenario's ``design`` applied to every replicate of a run: summary.json's ``design``.

:func:`run_design` runs the trial engine (the ``run_trial`` it is given, such as
:func:`tregsim.api.run_trial`: every patient followed to the end) and
:func:`evaluate_design` replays each replicate as the group-sequential design would have
seen it (:mod:`tregsim.design.looks`,
:mod:`tregsim.design.rules`). :func:`null_scenario` gives every active arm placebo on the
same virtual patients, so the same code measures the type I error.

Assurance (O'Hagan, Stevens & Campbell, Pharm Stat 2005;4:187) is the probability of
success averaged over the calibrated posterior: each replicate trial draws one ensemble
member (:func:`tregsim.population.ensemble.member_for_replicate`), so it is the power over
all replicates, and the power within each member shows its spread across posterior draws.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from tregsim.analysis import AnalysisOptions
from tregsim.design.boundaries import spending_boundaries
from tregsim.design.looks import DAYS_PER_MONTH, enrolment_days, primary_data
from tregsim.design.rules import DesignPlan, evaluate_replicate
from tregsim.errors import TregsimInputError
from tregsim.population.ensemble import member_for_replicate

__all__ = [
    "check_design",
    "design_plan",
    "evaluate_design",
    "null_scenario",
    "run_design",
    "simulation_scenario",
    "with_design",
]

#: Stop reasons, in the order summary.json lists them.
REASONS = ("efficacy", "harm", "futility", "no rejection")


def _arms(scenario, what: str = "design") -> tuple[str, str]:
    """(treated, control) of a two-arm scenario; anything else is refused."""
    names = list(scenario.arm_names)
    control = scenario.analysis.control_arm
    if len(names) != 2 or control is None:
        raise TregsimInputError(
            f"{what} needs exactly two arms and analysis.control_arm (the scenario has "
            f"{len(names)} arm(s)); compare one active arm with its control per scenario",
            field=what,
        )
    return next(name for name in names if name != control), control


def design_plan(scenario) -> DesignPlan:
    """The :class:`DesignPlan` of ``scenario.design``: planned looks and boundaries."""
    design = scenario.design
    if design is None:
        raise TregsimInputError(
            f"scenario {scenario.name} has no design section; add design: {{accrual_per_month:"
            " 2, interims: [0.5]}}",
            field="design",
        )
    n = int(scenario.population.n)
    fractions = tuple(max(1, math.ceil(f * n)) / n for f in design.interims)
    if len(set(fractions)) != len(fractions) or (fractions and fractions[-1] >= 1.0):
        raise TregsimInputError(
            f"design.interims {list(design.interims)} give looks at the same patient count "
            f"with population.n={n}; space the interims further apart",
            field="design.interims",
        )
    alpha = float(scenario.analysis.alpha) / 2.0
    looks = (*fractions, 1.0)
    if design.efficacy == "none":
        bounds = (*([math.inf] * len(fractions)), float(norm.isf(alpha)))
    else:
        bounds = tuple(float(b) for b in spending_boundaries(looks, alpha, design.efficacy))
    futility = design.futility
    ssr = design.sample_size_reestimation
    return DesignPlan(
        n=n,
        fractions=tuple(design.interims),
        bounds=bounds,
        accrual_per_month=float(design.accrual_per_month),
        futility_rule=None if futility is None else futility.rule,
        futility_below=0.0 if futility is None else float(futility.below),
        max_n=None if ssr is None else int(ssr.max_n),
        cp_min=0.36 if ssr is None else float(ssr.cp_min),
        cp_target=0.8 if ssr is None else float(ssr.cp_target),
    )


def null_scenario(scenario):
    """``scenario`` with every arm on placebo (same patients, same randomization)."""
    data = scenario.to_dict()
    placebo = next(
        (name for name, r in data["regimens"].items() if r.get("drug") == "placebo"), None
    )
    if placebo is None:
        placebo = "placebo_null"
        data["regimens"][placebo] = {"drug": "placebo"}
    for arm in data["arms"]:
        arm["regimen"] = placebo
    data["description"] = (data.get("description", "") + " [null: every arm on placebo]").strip()
    return type(scenario).from_dict(data, source="--null")


def simulation_scenario(scenario, null: bool = False):
    """The scenario the engine simulates: placebo everywhere with ``null``, and
    ``max_n`` patients when the design may re-estimate the sample size."""
    simulated = null_scenario(scenario) if null else scenario
    ssr = scenario.design.sample_size_reestimation if scenario.design is not None else None
    if ssr is not None and ssr.max_n > scenario.population.n:
        simulated = simulated.with_overrides([f"population.n={ssr.max_n}"])
    return simulated


def _member_key(seed: int, replicate: int) -> str:
    return json.dumps(member_for_replicate(seed, replicate), sort_keys=True)


def evaluate_design(scenario, patients: pd.DataFrame, seed: int, null: bool = False) -> dict:
    """summary.json's ``design`` from a run's patient rows (``replicate`` column)."""
    plan = design_plan(scenario)
    treated, control = _arms(scenario)
    options = AnalysisOptions.from_any(scenario.analysis)
    spec = scenario.endpoint(scenario.analysis.primary)
    outcomes, fixed_months, members = [], [], []
    for replicate, rows in patients.groupby("replicate", sort=True):
        data = primary_data(rows, spec)
        outcomes.append(evaluate_replicate(data, plan, treated, control, options))
        done = enrolment_days(plan.n, plan.accrual_per_month) + data.primary_day[: plan.n]
        fixed_months.append(float(np.max(done)) / DAYS_PER_MONTH)
        members.append(_member_key(seed, int(replicate)))
    summary = _summarize(scenario, plan, outcomes, fixed_months, members, null, treated, control)
    return json_clean(summary)


def json_clean(value: Any) -> Any:
    """Strict-JSON data: numpy scalars as Python numbers, NaN and infinities as None."""
    if isinstance(value, dict):
        return {str(k): json_clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_clean(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def _share(values) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    p = float(np.mean(values)) if values.size else math.nan
    return p, float(math.sqrt(p * (1 - p) / values.size)) if values.size else math.nan


def _between_sd(power: np.ndarray, sizes: np.ndarray) -> float:
    """Spread of the true power across posterior members: the variance of the member
    estimates minus their mean binomial sampling variance (unbiased ``p(1-p)/(n-1)``),
    over members with at least two replicates; NaN when none has."""
    keep = sizes >= 2
    if keep.sum() < 2:
        return math.nan
    p, n = power[keep], sizes[keep]
    noise = float(np.mean(p * (1 - p) / (n - 1)))
    return float(math.sqrt(max(0.0, float(np.var(p, ddof=1)) - noise)))


def _summarize(scenario, plan, outcomes, fixed_months, members, null, treated, control) -> dict:
    design = scenario.design
    r = len(outcomes)
    success = [o["success"] for o in outcomes]
    rejected = [o["rejected"] for o in outcomes]
    power, power_se = _share(success)
    rejection, rejection_se = _share(rejected)
    n_looks = len(plan.bounds)
    stop = {}
    for k in range(1, n_looks + 1):
        key = "final" if k == n_looks else f"interim_{k}"
        stop[key] = {
            reason: sum(o["stop_look"] == k and o["reason"] == reason for o in outcomes) / r
            for reason in REASONS
        }
    by_member: dict[str, list[bool]] = {}
    for key, ok in zip(members, success, strict=True):
        by_member.setdefault(key, []).append(ok)
    member_power = np.array([np.mean(v) for v in by_member.values()])
    sizes = np.array([len(v) for v in by_member.values()])
    n_enrolled = np.array([o["n_enrolled"] for o in outcomes], dtype=float)
    months = np.array([o["duration_months"] for o in outcomes])
    looks_fraction = [*(max(1, math.ceil(f * plan.n)) / plan.n for f in plan.fractions), 1.0]
    out: dict[str, Any] = {
        "accrual_per_month": plan.accrual_per_month,
        "interims": list(design.interims),
        "efficacy": design.efficacy,
        "futility": None if design.futility is None else design.futility.model_dump(),
        "sample_size_reestimation": None
        if design.sample_size_reestimation is None
        else design.sample_size_reestimation.model_dump(),
        "primary": scenario.analysis.primary,
        "comparison": f"{treated} vs {control}",
        "statistic": (
            "signed z from the scenario's two-sided test on the patients past their primary "
            "visit at each look (no imputation of patients still in follow-up)"
        ),
        "null": bool(null),
        "replicates": r,
        "alpha_per_side": float(scenario.analysis.alpha) / 2.0,
        "information_fractions": looks_fraction,
        "efficacy_bounds_z": [b if math.isfinite(b) else None for b in plan.bounds],
        "power": power,
        "power_se": power_se,
        "rejection_rate_two_sided": rejection,
        "expected_n": float(np.mean(n_enrolled)),
        "fixed_n": plan.n,
        "expected_duration_months": float(np.mean(months)),
        "fixed_duration_months": float(np.mean(fixed_months)),
        "expected_in_follow_up_at_stop": float(np.mean([o["n_in_follow_up"] for o in outcomes])),
        "stop_probability": stop,
        "assurance": {
            "power": power,
            "members": int(member_power.size),
            "replicates_per_member_median": float(np.median(sizes)),
            "member_power_sd": float(np.std(member_power)),
            "member_power_q05": float(np.quantile(member_power, 0.05)),
            "member_power_q95": float(np.quantile(member_power, 0.95)),
            "member_power_sd_between": _between_sd(member_power, sizes),
            "note": "member_power_*: the power within each posterior member, sampling noise "
            "of few replicates per member included; member_power_sd_between removes that "
            "noise (method of moments)",
        },
        "replicate_outcomes": [
            {k: v for k, v in o.items() if k != "looks"} | {"z": [x["z"] for x in o["looks"]]}
            for o in outcomes
        ],
    }
    if design.sample_size_reestimation is not None:
        out["probability_increased"] = float(np.mean([o["increased"] for o in outcomes]))
        out["expected_planned_n_after_reestimation"] = float(
            np.mean([o["n_total_planned_after_reestimation"] for o in outcomes])
        )
    if null:
        out["type1_error"] = rejection
        out["type1_error_se"] = rejection_se
        out["type1_error_one_sided"] = power
        out["type1_error_one_sided_se"] = power_se
    return out


def check_design(scenario, null: bool = False) -> None:
    """Fail before any work when the design (if any) cannot be evaluated."""
    if scenario.design is not None:
        design_plan(scenario)
        _arms(scenario)
    elif null:
        _arms(scenario, "--null")


def run_design(
    scenario,
    replicates: int = 100,
    seed: int | None = None,
    *,
    run_trial: Callable[..., Any],
    null: bool = False,
    **run_options: Any,
):
    """Run ``scenario`` through the trial engine and add summary.json's ``design``.

    ``null=True`` simulates every arm on placebo (:func:`null_scenario`) and reports the
    ``type1_error`` (of the design, or of the fixed design's primary comparison when the
    scenario has no design section). ``run_trial`` is the engine's entry point,
    :func:`tregsim.api.run_trial` (it sits above this package, so it is passed in);
    ``run_options`` go to it (workers, scheduler, progress, ...). Returns its
    ``TrialResult`` with the design added.
    """
    check_design(scenario, null)
    seed = scenario.seed if seed is None else int(seed)
    simulated = simulation_scenario(scenario, null)
    result = run_trial(simulated, replicates, seed, **run_options)
    return with_design(result, scenario, seed, null)


def with_design(result, scenario, seed: int, null: bool = False):
    """``result`` (a ``TrialResult`` of :func:`simulation_scenario`) with summary.json's
    ``design`` computed for ``scenario``'s design, and ``type1_error`` with ``null``: several
    designs of one scenario are evaluated on one simulation."""
    summary = {
        key: value
        for key, value in result.summary.items()
        if key not in ("design", "null", "type1_error")
    }
    if scenario.design is not None:
        summary["design"] = evaluate_design(scenario, result.patients, seed, null)
    if null:
        summary["null"] = True
        if scenario.design is not None:
            summary["type1_error"] = summary["design"]["type1_error"]
        else:
            primary = scenario.analysis.primary
            comparison = next(
                c
                for key, c in summary.get("comparisons", {}).items()
                if c.get("endpoint", key) == primary
            )
            summary["type1_error"] = comparison["rejection_rate"]
    return dataclasses.replace(result, summary=summary)
