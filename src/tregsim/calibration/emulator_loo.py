"""Leave-one-out through the emulators: the calibration re-run without a target, then the
target predicted (``tregsim validate --leave-one-out`` on an emulator posterior).

For each left-out target the posterior is sampled again by MCMC on the shipped emulators
with that target's term removed (:meth:`.emulator.EmulatedLikelihood.log_posterior`,
``exclude``): a true re-calibration without the target, not an importance reweighting of the
members. ``draws`` parameter sets of that posterior then run the target's experiment with the
trial engine at full size, and the published statistic's predictive distribution for a study
of the published size (:func:`.likelihood.predictive_draws`) gives the 95% interval and PIT.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .abc import CalibrationSettings, TargetModel, unflatten
from .emulator import EmulatedLikelihood
from .experiments import load_targets
from .likelihood import predictive_draws
from .loo import _weighted_quantiles
from .priors import load_priors, to_natural
from .waves import pick, sample_posterior, simulate_in_memory


def has_emulator(document: dict) -> bool:
    """Whether the posterior carries fitted emulators (an emulator calibration)."""
    return bool(document.get("emulator", {}).get("fit"))


def emulator_leave_one_out(
    document: dict,
    names: list[str] | None = None,
    draws: int = 40,
    seed: int = 0,
    workers: int | None = None,
    steps: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Per target: observed, predicted_mean, lo, hi, pit, inside, the MCMC's ESS."""
    settings = document["settings"]
    every_target, every_prior = load_targets(), load_priors()
    targets = {n: every_target[n] for n in settings["targets"]}
    priors = {n: every_prior[n] for n in settings["priors"]}
    emulated = EmulatedLikelihood.from_dict(document["emulator"]["fit"], targets, priors)
    members = np.array([[m[p] for p in priors] for m in document["members"]], dtype=float)
    start = np.array(
        [
            [
                np.log(v) if priors[p]["dist"] == "lognormal" else v
                for p, v in zip(priors, row, strict=True)
            ]
            for row in members
        ]
    )
    rng = np.random.default_rng(seed)
    names = names or list(targets)
    rows = []
    for k, name in enumerate(names):
        chain = sample_posterior(emulated, start, 96, steps, seed + k, exclude=(name,))
        x = pick(chain["chain"], draws, seed + k)
        points = [dict(zip(priors, row.tolist(), strict=True)) for row in x]
        model = TargetModel(
            CalibrationSettings(seed=seed, targets=(name,), priors=tuple(priors)),
            threads=1 if workers and workers > 1 else None,
            stop_early=False,
        )
        values = [
            unflatten(v).get(name, {"failed": 1.0})
            for v in simulate_in_memory(points, model, workers)
        ]
        sample = []
        for v, p in zip(values, points, strict=True):
            obs = {"rater_optimism_ror": to_natural(p, priors).get("rater_optimism_ror", 1.0)}
            sample.append(predictive_draws(targets[name], v, rng, obs, 50))
        y = np.concatenate(sample)
        y = y[np.isfinite(y)]
        observed = float(targets[name]["value"])
        lo, hi = _weighted_quantiles(y, np.ones(len(y)), [0.025, 0.975])
        rows.append(
            {
                "name": name,
                "observed": observed,
                "predicted_mean": float(np.mean(y)),
                "lo": lo,
                "hi": hi,
                "pit": float(np.mean(y <= observed)),
                "inside": bool(lo <= observed <= hi),
                "loo_effective_sample_size": round(min(draws, chain["effective_sample_size"]), 1),
            }
        )
        if progress:
            progress(k + 1, len(names))
    return {
        "cases": rows,
        "coverage": float(np.mean([r["inside"] for r in rows])),
        "n_cases": len(rows),
        "method": "emulator re-calibration without the target (MCMC), the target simulated at "
        f"{draws} draws of that posterior",
    }
