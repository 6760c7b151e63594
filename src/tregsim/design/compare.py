"""Designs and scenario variants compared on common random numbers (``tregsim compare``).

Every variant runs with the same seed, so replicate ``r`` of every variant enrols the same
virtual patients (population streams keyed by seed, replicate and patient) and draws the
same randomization, visit, rater and dropout streams (:mod:`tregsim.rng`); differences
between variants are the designs', not Monte Carlo noise. :func:`common_patients` checks
it on the baseline rows. Each variant is also run with every arm on placebo
(:func:`tregsim.design.null_scenario`) for its type I error. Variants that differ only in
their design share one simulation: the engine runs once and each design reads its rows.

A grid of ``--set`` values (``KEY=v1,v2``, several keys multiply) turns one scenario into
variants; :func:`pareto_front` marks those no other variant beats on probability of
success, expected N and a safety proxy together.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tregsim.errors import TregsimInputError

__all__ = [
    "Variant",
    "common_patients",
    "compare_variants",
    "expand_grid",
    "pareto_front",
    "simulation_key",
]

#: Baseline columns that identify a virtual patient and its randomization.
IDENTITY = ("replicate", "subject", "arm", "age", "sex", "salt_screening", "episode_years")


@dataclass(frozen=True)
class Variant:
    """One variant: a label, the validated scenario and the overrides that made it."""

    label: str
    scenario: Any
    overrides: tuple[str, ...] = ()


def expand_grid(grid: Sequence[str]) -> list[tuple[str, ...]]:
    """``["a=1,2", "b=x,y"]`` -> every combination of ``a=..`` and ``b=..`` overrides."""
    axes = []
    for item in grid:
        key, sep, values = item.partition("=")
        choices = [v.strip() for v in values.split(",") if v.strip()]
        if not sep or not key.strip() or not choices:
            raise TregsimInputError(
                f"--grid '{item}' is not KEY=V1,V2; write for example --grid population.n=40,80",
                field="--grid",
            )
        axes.append([f"{key.strip()}={value}" for value in choices])
    return [tuple(combo) for combo in itertools.product(*axes)] if axes else [()]


def _label(scenario, overrides: tuple[str, ...]) -> str:
    return scenario.name + ("" if not overrides else " [" + ", ".join(overrides) + "]")


def build_variants(scenarios: Sequence[Any], grid: Sequence[str]) -> list[Variant]:
    """Scenarios times grid points, validated (bad overrides fail before any run)."""
    variants = []
    for scenario in scenarios:
        for overrides in expand_grid(grid):
            variant = scenario.with_overrides(list(overrides)) if overrides else scenario
            variants.append(Variant(_label(scenario, overrides), variant, overrides))
    labels = [v.label for v in variants]
    if len(set(labels)) != len(labels):
        raise TregsimInputError(
            "two compared scenarios have the same name; give each YAML its own name",
            field="scenarios",
        )
    return variants


def common_patients(reference: pd.DataFrame, other: pd.DataFrame, with_arm: bool = True) -> float:
    """Share of the reference's (replicate, subject) baseline rows that the other run has
    with identical identity columns (the patient, and its arm unless ``with_arm`` is
    False): 1.0 on common random numbers."""
    columns = [c for c in IDENTITY if c in reference and c in other]
    if not with_arm:
        columns = [c for c in columns if c != "arm"]
    ref = reference[columns].set_index(["replicate", "subject"])
    oth = other[columns].set_index(["replicate", "subject"])
    shared = ref.index.intersection(oth.index)
    if not len(ref):
        return float("nan")
    same = (ref.loc[shared] == oth.loc[shared]) | (ref.loc[shared].isna() & oth.loc[shared].isna())
    return float(same.all(axis=1).sum() / len(ref))


def _baseline(patients: pd.DataFrame) -> pd.DataFrame:
    rows = patients[patients["visit_week"] == 0]
    return rows[[c for c in IDENTITY if c in rows]].reset_index(drop=True)


def _primary(summary: dict, scenario) -> dict:
    primary = scenario.analysis.primary
    for key, comparison in summary.get("comparisons", {}).items():
        if comparison.get("endpoint", key) == primary:
            return comparison
    return {}


def _safety_value(summary: dict, scenario, endpoint: str | None) -> float | None:
    """Mean of ``endpoint`` in the treated arm (the first arm that is not the control)."""
    if endpoint is None:
        return None
    control = scenario.analysis.control_arm
    treated = next((a for a in scenario.arm_names if a != control), scenario.arm_names[0])
    value = summary.get("arms", {}).get(treated, {}).get("endpoints", {}).get(endpoint, {})
    return value.get("mean")


def _row(variant: Variant, summary: dict, null_summary: dict | None, safety: str | None):
    design = summary.get("design")
    scenario = variant.scenario
    row: dict[str, Any] = {"variant": variant.label, "design": "fixed"}
    if design is not None:
        row["design"] = f"{design['efficacy']} {design['interims']}" + (
            f" futility {design['futility']['rule']} < {design['futility']['below']}"
            if design.get("futility")
            else ""
        )
        row |= {
            "power": design["power"],
            "power_se": design["power_se"],
            "expected_n": design["expected_n"],
            "expected_duration_months": design["expected_duration_months"],
        }
    else:
        primary = _primary(summary, scenario)
        row |= {
            "power": primary.get("power"),
            "power_se": primary.get("power_se"),
            "expected_n": float(scenario.population.n),
            "expected_duration_months": None,
        }
    row["type1_error"] = None if null_summary is None else null_summary.get("type1_error")
    row["fixed_n"] = int(scenario.population.n)
    row["safety_endpoint"] = safety
    row["safety_value"] = _safety_value(summary, scenario, safety)
    return row


def compare_variants(
    variants: Sequence[Variant],
    replicates: int,
    seed: int,
    *,
    type1: bool = True,
    safety_endpoint: str | None = None,
    run_trial: Callable[..., Any],
    run_options: dict | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Run every variant (and its null twin with ``type1``) on common random numbers;
    return ``{"rows": [...], "summaries": {...}, "seed", "replicates"}``. ``run_trial`` is
    the engine's entry point (:func:`tregsim.api.run_trial`, passed in: it sits above this
    package); ``run_options`` go to it."""
    from tregsim.design.evaluate import check_design, simulation_scenario, with_design

    for variant in variants:
        check_design(variant.scenario, null=type1)
        if safety_endpoint is not None and safety_endpoint not in [
            e.name for e in variant.scenario.endpoints
        ]:
            names = ", ".join(e.name for e in variant.scenario.endpoints)
            raise TregsimInputError(
                f"--safety-endpoint {safety_endpoint} is not an endpoint of {variant.label}; "
                f"use one of {names}",
                field="--safety-endpoint",
            )
    options = dict(run_options or {})
    simulations: dict[str, Any] = {}

    def simulate(scenario, null: bool, label: str):
        """The engine's run for ``scenario`` (shared by variants that differ only in their
        design: the same rows, evaluated under each design)."""
        key = simulation_key(scenario, null)
        if key not in simulations:
            if progress:
                progress(label + (" (every arm on placebo)" if null else ""))
            run = run_trial(simulation_scenario(scenario, null), replicates, seed, **options)
            simulations[key] = run
        return with_design(simulations[key], scenario, seed, null)

    rows, summaries, reference = [], {}, None
    for variant in variants:
        result = simulate(variant.scenario, False, variant.label)
        null_result = simulate(variant.scenario, True, variant.label) if type1 else None
        row = _row(
            variant,
            result.summary,
            None if null_result is None else null_result.summary,
            safety_endpoint,
        )
        baseline = _baseline(result.patients)
        reference = baseline if reference is None else reference
        row["same_patients_as_first"] = common_patients(reference, baseline, with_arm=False)
        row["same_arms_as_first"] = common_patients(reference, baseline)
        rows.append(row)
        summaries[variant.label] = {
            "summary": result.summary,
            "null_summary": None if null_result is None else null_result.summary,
        }
    front = pareto_front(rows)
    for row, on_front in zip(rows, front, strict=True):
        row["on_front"] = bool(on_front)
    return {"seed": seed, "replicates": replicates, "rows": rows, "summaries": summaries}


def simulation_key(scenario, null: bool) -> str:
    """What the engine's run of ``scenario`` depends on: the simulated scenario without its
    design and without regimens no arm uses (so the null twins of dose variants share)."""
    from tregsim.design.evaluate import simulation_scenario

    simulated = simulation_scenario(scenario, null).to_dict()
    simulated.pop("design", None)
    used = {arm["regimen"] for arm in simulated["arms"]}
    simulated["regimens"] = {k: v for k, v in simulated["regimens"].items() if k in used}
    return json.dumps(simulated, sort_keys=True)


def pareto_front(rows: Sequence[dict]) -> list[bool]:
    """True for rows no other row dominates: higher power, lower expected N and (when
    known) lower safety value, at least as good on all and better on one."""

    def key(row: dict) -> np.ndarray:
        safety = row.get("safety_value")
        return np.array(
            [
                -(row.get("power") or 0.0),
                row.get("expected_n") or 0.0,
                0.0 if safety is None else float(safety),
            ]
        )

    keys = [key(r) for r in rows]
    return [
        not any(np.all(o <= k) and np.any(o < k) for j, o in enumerate(keys) if j != i)
        for i, k in enumerate(keys)
    ]
