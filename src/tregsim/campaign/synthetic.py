"""A fast synthetic replicate: a test and benchmark workload for campaigns.

:func:`synthetic_replicate` has the signature and result shape of
``tregsim.trial.simulate_replicate`` but no model inside: each patient's numbers are drawn
from ``tregsim.rng.patient_rng(seed, replicate, patient, "ensemble")``, so the result depends
on (scenario, seed, replicate) only. It lives in the package so that Dask workers can import
it. Use ``functools.partial(synthetic_replicate, cost_s=0.05)`` to make each replicate take
a known time (for scheduling benchmarks).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tregsim.analysis import StatResult
from tregsim.protocol import Scenario
from tregsim.rng import patient_rng

_VISIT_WEEKS = (0, 12, 52)


@dataclass
class SyntheticReplicateResult:
    """Same attributes as ``tregsim.trial.ReplicateResult``."""

    patients: Any
    endpoints: dict[str, dict[str, float]]
    comparisons: dict[str, StatResult] = field(default_factory=dict)
    n_screened: int = 0
    n_failed: int = 0
    n_enrolled: int | None = None
    notes: tuple[str, ...] = ()
    n_per_arm: dict[str, int] = field(default_factory=dict)


def _two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2.0))


def synthetic_replicate(
    scenario: Scenario, seed: int, replicate: int, *, cost_s: float = 0.0
) -> SyntheticReplicateResult:
    """One synthetic replicate trial of `scenario` (uses ``population.n``, the arms and the
    control arm).

    Endpoints per arm: ``salt50_w52`` (responder share) and ``dsalt_w52`` (mean SALT change);
    comparisons of the first arm against the control arm: difference in responder share (Wald
    test) and difference in mean change (z test). `cost_s` seconds of sleep per replicate.
    """
    import pandas as pd

    if cost_s > 0:
        time.sleep(cost_s)
    n = int(scenario.population.n)
    arms = list(scenario.arm_names)
    arms = arms or ["il2", "placebo"]
    control = scenario.control_arm

    rows = []
    baseline = np.empty(n)
    change = np.empty(n)
    arm_of = []
    for patient in range(n):
        rng = patient_rng(seed, replicate, patient, "ensemble")
        arm = arms[patient % len(arms)]
        effect = 0.0 if arm == control else -25.0
        baseline[patient] = 50.0 + 50.0 * rng.random()
        change[patient] = effect + 20.0 * rng.standard_normal()
        arm_of.append(arm)
        for week in _VISIT_WEEKS:
            fraction = week / _VISIT_WEEKS[-1]
            salt_true = float(np.clip(baseline[patient] + fraction * change[patient], 0, 100))
            salt_observed = float(np.clip(salt_true + 4.0 * rng.standard_normal(), 0, 100))
            rows.append(
                {
                    "replicate": replicate,
                    "subject": patient,
                    "arm": arm,
                    "visit_week": week,
                    "day": 7.0 * week,
                    "salt_true": salt_true,
                    "salt_observed": salt_observed,
                    "dropped_out": False,
                    "status": 0,
                }
            )
    final = np.clip(baseline + change, 0, 100)
    responder = (baseline - final) >= 0.5 * baseline
    dsalt = final - baseline
    arm_of = np.array(arm_of)
    endpoints = {
        arm: {
            "salt50_w52": float(np.mean(responder[arm_of == arm])),
            "dsalt_w52": float(np.mean(dsalt[arm_of == arm])),
        }
        for arm in arms
    }
    comparisons: dict[str, StatResult] = {}
    treated = next((arm for arm in arms if arm != control), None)
    if treated is not None:
        a, b = arm_of == treated, arm_of == control
        p1, p0 = responder[a].mean(), responder[b].mean()
        se = math.sqrt(max(p1 * (1 - p1) / a.sum() + p0 * (1 - p0) / b.sum(), 1e-12))
        diff = float(p1 - p0)
        comparisons["salt50_w52"] = StatResult(
            "wald", diff, diff - 1.96 * se, diff + 1.96 * se, _two_sided_p(diff / se)
        )
        se = math.sqrt(dsalt[a].var(ddof=1) / a.sum() + dsalt[b].var(ddof=1) / b.sum())
        diff = float(dsalt[a].mean() - dsalt[b].mean())
        comparisons["dsalt_w52"] = StatResult(
            "z", diff, diff - 1.96 * se, diff + 1.96 * se, _two_sided_p(diff / se)
        )
    return SyntheticReplicateResult(
        patients=pd.DataFrame(rows),
        endpoints=endpoints,
        comparisons=comparisons,
        n_screened=n + (replicate % 3),
        n_failed=0,
        n_enrolled=n,
    )
