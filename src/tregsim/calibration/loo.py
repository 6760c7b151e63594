"""Leave-one-out validation of the calibration (``tregsim validate --leave-one-out``).

For each target, the posterior *without* that target is approximated by importance
reweighting of the shipped particles: ``w_i / L_target(theta_i)``, the weights truncated at
``mean(w) * sqrt(S)`` (truncated importance sampling, Ionides, J Comput Graph Stat
2008;17:295) — the standard cheap stand-in for re-running the calibration once per target
(Vehtari, Gelman & Gabry, Stat Comput 2017;27:1413). The target is then predicted from the
particles' own simulated experiments (``member_values`` of posterior.json) for a study of the
published size; coverage is the share of targets inside their 95% prediction interval.
"""

from __future__ import annotations

import math

import numpy as np

from .experiments import load_targets
from .likelihood import predictive_draws, target_loglik


def _weighted_quantiles(x: np.ndarray, w: np.ndarray, qs) -> list[float]:
    order = np.argsort(x)
    cum = np.cumsum(w[order]) / w.sum()
    return [float(x[order][min(np.searchsorted(cum, q), len(x) - 1)]) for q in qs]


def leave_one_out(document: dict, names: list[str] | None = None, seed: int = 0) -> dict:
    """Per target: observed, predicted_mean, lo, hi, pit, inside, loo effective sample size."""
    targets = load_targets()
    values = document.get("member_values")
    if not values:
        raise ValueError("the posterior has no member_values; re-write it with tregsim calibrate")
    members = document["members"]
    w = np.asarray(document["weights"], dtype=float)
    w = w / w.sum()
    rng = np.random.default_rng(seed)
    names = names or [n for n in document["settings"]["targets"] if n in targets]
    rows = []
    for name in names:
        target = targets[name]
        obs = [{"rater_optimism_ror": m.get("rater_optimism_ror", 1.0)} for m in members]
        ll = np.array(
            [
                target_loglik(target, v.get(name, {"failed": 1}), o)
                for v, o in zip(values, obs, strict=True)
            ]
        )
        log_w = np.log(np.maximum(w, 1e-300)) - ll
        loo = np.exp(log_w - log_w.max())
        loo /= loo.sum()
        loo = np.minimum(loo, math.sqrt(len(loo)) / len(loo))
        loo /= loo.sum()
        draws, dw = [], []
        for v, wi, o in zip(values, loo, obs, strict=True):
            d = predictive_draws(target, v.get(name, {"failed": 1}), rng, o, 50)
            draws.append(d)
            dw.append(np.full(len(d), wi / len(d)))
        x, xw = np.concatenate(draws), np.concatenate(dw)
        ok = np.isfinite(x)
        x, xw = x[ok], xw[ok] / xw[ok].sum()
        lo, hi = _weighted_quantiles(x, xw, [0.025, 0.975])
        observed = float(target["value"])
        rows.append(
            {
                "name": name,
                "observed": observed,
                "predicted_mean": float(np.sum(x * xw)),
                "lo": lo,
                "hi": hi,
                "pit": float(np.sum(xw[x <= observed])),
                "inside": bool(lo <= observed <= hi),
                "loo_effective_sample_size": round(float(1 / np.sum(loo * loo)), 1),
            }
        )
    return {
        "cases": rows,
        "coverage": float(np.mean([r["inside"] for r in rows])),
        "n_cases": len(rows),
        "method": "truncated importance-sampling leave-one-out",
    }
