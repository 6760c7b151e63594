"""Global sensitivity of a trial prediction to the calibrated parameters (``tregsim sensitivity``).

Morris elementary effects (Morris, Technometrics 1991;33:161; Campolongo et al. 2007's mu*;
SALib) over the posterior: each parameter ranges over its posterior 95% interval (log scale
for lognormal priors), the others held at the trajectory's values. Every evaluation is one
replicate trial run by the trial engine with the parameter set forced, with the same seed and
replicate for all (common random numbers, so differences are the parameters' and not the
patients'). ``mu_star`` ranks what one would need to measure to be sure of the prediction.
"""

from __future__ import annotations

import math

import numpy as np

from .ensemble import forced_member, load_ensemble
from .priors import load_priors


def posterior_bounds(document: dict) -> dict[str, tuple[float, float, bool]]:
    """Per parameter (lo, hi, log_scale) from the posterior's weighted 2.5-97.5% range."""
    priors = load_priors()
    members, w = (
        document["members"],
        np.asarray(document.get("weights") or [1.0] * len(document["members"])),
    )
    w = w / w.sum()
    out = {}
    for name in sorted({k for m in members for k in m}):
        x = np.array([m[name] for m in members], dtype=float)
        log = priors.get(name, {}).get("dist") == "lognormal"
        z = np.log(x) if log else x
        order = np.argsort(z)
        cum = np.cumsum(w[order])
        lo, hi = np.interp([0.025, 0.975], cum, z[order])
        if hi <= lo:
            hi = lo + 1e-6
        out[name] = (float(lo), float(hi), log)
    return out


def endpoint_value(
    scenario, member: dict, endpoint: str, arm: str, versus: str | None, seed: int, replicate: int
) -> float:
    from ..errors import TregsimInputError
    from ..trial import simulate_replicate

    try:
        with forced_member(member):
            result = simulate_replicate(scenario, seed, replicate)
    except (TregsimInputError, ValueError, FloatingPointError):
        return float("nan")  # e.g. too few eligible candidates: a failed evaluation
    value = result.endpoints[arm][endpoint]
    if versus:
        value -= result.endpoints[versus][endpoint]
    return float(value)


def morris(
    scenario,
    endpoint: str,
    arm: str,
    versus: str | None,
    trajectories: int = 8,
    levels: int = 4,
    seed: int = 1,
    replicate: int = 0,
    progress=None,
) -> dict:
    """Morris screening; returns rows sorted by mu_star (and the evaluations made)."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    bounds = posterior_bounds(load_ensemble())
    names = list(bounds)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[bounds[n][0], bounds[n][1]] for n in names],
    }
    X = sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    Y = np.empty(len(X))
    for i, row in enumerate(X):
        member = {
            n: (math.exp(v) if bounds[n][2] else float(v)) for n, v in zip(names, row, strict=True)
        }
        Y[i] = endpoint_value(scenario, member, endpoint, arm, versus, seed, replicate)
        if progress:
            progress(i + 1, len(X))
    ok = np.isfinite(Y)
    Y = np.where(ok, Y, np.nanmean(Y))
    res = analyze.analyze(problem, X, Y, num_levels=levels, seed=seed, print_to_console=False)
    rows = [
        {
            "parameter": n,
            "mu_star": float(res["mu_star"][i]),
            "mu": float(res["mu"][i]),
            "sigma": float(res["sigma"][i]),
            "mu_star_conf": float(res["mu_star_conf"][i]),
            "range_low": (math.exp(bounds[n][0]) if bounds[n][2] else bounds[n][0]),
            "range_high": (math.exp(bounds[n][1]) if bounds[n][2] else bounds[n][1]),
        }
        for i, n in enumerate(names)
    ]
    rows.sort(key=lambda r: -r["mu_star"])
    return {
        "method": "Morris elementary effects (SALib) over the posterior 95% ranges",
        "evaluations": int(len(X)),
        "failed_evaluations": int((~ok).sum()),
        "output_mean": float(np.mean(Y)),
        "output_sd": float(np.std(Y)),
        "parameters": rows,
    }


def plot(result: dict, path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["parameters"][:15]
    fig, ax = plt.subplots(figsize=(6.5, 0.32 * len(rows) + 1.2))
    ax.barh(
        [r["parameter"] for r in rows],
        [r["mu_star"] for r in rows],
        xerr=[r["mu_star_conf"] for r in rows],
        color="tab:blue",
    )
    ax.invert_yaxis()
    ax.set_xlabel("Morris mu* (mean |elementary effect| over the posterior range)")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
