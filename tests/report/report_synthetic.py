"""Synthetic runs (summary dict, patients table, scenario object) for the report tests.

The scenario is a validated `tregsim.protocol.Scenario`; the runs are made up, so the report
is tested without the trial engine.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tregsim.protocol import Scenario

VISITS = [0, 2, 4, 8, 12, 16, 24, 36, 52]


def make_scenario(arms=("il2", "placebo"), n=20, name="synthetic"):
    """A validated scenario with IL-2 courses and a placebo arm."""
    course = {"days": 5, "unit": "MIU"}
    il2 = {
        "drug": "il2",
        "route": "sc",
        "courses": [
            {**course, "start_day": 0, "dose": 1.5},
            {**course, "start_day": 21, "dose": 3.0},
            {**course, "start_day": 42, "dose": 3.0},
            {**course, "start_day": 63, "dose": 3.0},
        ],
    }
    two = len(arms) > 1
    analysis = {"primary": "salt50_w52", "alpha": 0.05}
    if two:
        analysis["control_arm"] = "placebo"
    return Scenario.from_dict(
        {
            "name": name,
            "description": "Synthetic IL-2 vs placebo trial for report tests",
            "seed": 2016,
            "population": {
                "n": n,
                "inclusion": {
                    "age_min": 18,
                    "age_max": 60,
                    "salt_min": 50,
                    "salt_max": 100,
                    "episode_max_years": 1.0,
                    "resistant_to_systemic": True,
                },
            },
            "arms": [
                {
                    "name": a,
                    "allocation": 1,
                    "regimen": "placebo" if a == "placebo" else "il2_pilot",
                }
                for a in arms
            ],
            "regimens": {"il2_pilot": il2, "placebo": {"drug": "placebo"}},
            "visits_weeks": list(VISITS),
            "follow_up_weeks": 52,
            "endpoints": [
                {"name": "salt50_w52", "kind": "salt_reduction", "percent": 50, "week": 52},
                {"name": "salt20_w52", "kind": "salt_at_most", "threshold": 20, "week": 52},
            ],
            "analysis": analysis,
        }
    )


def make_patients(scenario, replicates=3, seed=1):
    """Patients table with the contracts.md columns; IL-2 patients improve more."""
    rng = np.random.default_rng(seed)
    rows = []
    n = scenario.population.n
    arm_names = [a.name for a in scenario.arms]
    for r in range(replicates):
        for s in range(n):
            arm = arm_names[s % len(arm_names)]
            effect = 0.75 if arm != "placebo" else 0.4
            base = rng.uniform(50, 100)
            gain = rng.beta(2, 2) * effect * 1.3
            tau = rng.uniform(8, 25)
            treg0 = rng.normal(6.0, 1.0)
            dropped = False
            for v in VISITS:
                if v > 0 and rng.random() < 0.02:
                    dropped = True
                salt = float(np.clip(base * (1 - min(gain, 1) * (1 - math.exp(-v / tau))), 0, 100))
                fold = 1.0 + (0.8 * math.exp(-((v - 8) ** 2) / 60) if arm != "placebo" else 0.0)
                treg = treg0 * fold
                obs = np.clip(salt + rng.normal(0, 4), 0, 100)
                rows.append(
                    dict(
                        replicate=r,
                        subject=s,
                        arm=arm,
                        stratum="salt_high",
                        visit_week=v,
                        day=7 * v,
                        salt_true=salt,
                        salt_observed=np.nan if dropped else obs,
                        treg_pct_cd4=treg,
                        treg_pct_cd4_observed=np.nan if dropped else treg * rng.normal(1, 0.1),
                        nk_per_ul=rng.normal(200, 30),
                        cd8_per_ul=rng.normal(400, 50),
                        dropped_out=dropped,
                        status=0,
                    )
                )
    return pd.DataFrame(rows)


def _rates(patients, arm, kind, value, week=52):
    out = []
    for _, p in patients[patients["arm"] == arm].groupby("replicate"):
        base = p[p["visit_week"] == 0].set_index("subject")["salt_observed"]
        end = p[p["visit_week"] == week].set_index("subject")["salt_observed"]
        if kind == "reduction":
            ok = end <= base * (1 - value / 100)
        else:
            ok = end <= value
        out.append(float(ok.sum()) / base.size)
    return out


def make_summary(scenario, patients, replicates):
    """summary.json-shaped dict computed from the synthetic patients."""
    arms = {}
    for a in scenario.arms:
        eps = {}
        for name, kind, value in (("salt50_w52", "reduction", 50), ("salt20_w52", "at_most", 20)):
            vals = _rates(patients, a.name, kind, value)
            eps[name] = dict(
                mean=float(np.mean(vals)),
                median=float(np.median(vals)),
                lo=float(np.quantile(vals, 0.025)),
                hi=float(np.quantile(vals, 0.975)),
                replicates=vals,
            )
        arms[a.name] = {"endpoints": eps}
    summary = dict(
        scenario=scenario.name,
        seed=1,
        replicates=replicates,
        version="0.1.0",
        arms=arms,
        model_version="model-0.1",
        calibration=dict(status="calibrated (synthetic)", ensemble_size=64, version="cal-0.1"),
    )
    if len(scenario.arms) > 1:
        t = np.asarray(arms["il2"]["endpoints"]["salt50_w52"]["replicates"])
        c = np.asarray(arms["placebo"]["endpoints"]["salt50_w52"]["replicates"])
        p_values = [0.01, 0.2, 0.03, 0.04, 0.5][:replicates] + [0.02] * max(0, replicates - 5)
        summary["comparisons"] = {
            "salt50_w52": dict(
                test="fisher",
                estimate_mean=float(np.mean(t - c)),
                ci=[float(np.quantile(t - c, 0.025)), float(np.quantile(t - c, 0.975))],
                p_values=p_values,
                power=float(np.mean(np.asarray(p_values) < 0.05)),
                alpha=0.05,
            )
        }
    return summary


def synthetic_run(arms=("il2", "placebo"), replicates=3, n=20, seed=1):
    """(summary, patients, scenario) for a synthetic run."""
    scenario = make_scenario(arms, n=n)
    patients = make_patients(scenario, replicates=replicates, seed=seed)
    return make_summary(scenario, patients, replicates), patients, scenario
