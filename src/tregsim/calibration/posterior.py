"""From a finished ABC-SMC run to the shipped posterior and its checks.

* :func:`posterior_document`: ``posterior.json`` (members on the natural scale, importance
  weights, Kish effective sample size, version, how it was made);
* :func:`predictive_checks`: for every target, the predictive distribution of the published
  statistic for a study of the published size, under generation 0 (the first, hottest
  generation: close to the prior) and under the posterior (last generation); the 95%
  interval, the PIT and whether the published value lies inside;
* :func:`identifiability`: posterior vs prior 95% width per parameter (log scale for
  lognormal priors): which parameters the data constrain and which stay at their prior.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .. import __version__
from .abc import ACCEPTOR_LOG, CalibrationSettings, unflatten
from .likelihood import predictive_draws
from .priors import log_sd, prior_interval, to_natural

POSTERIOR_VERSION_PREFIX = "abc-smc"


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q) -> np.ndarray:
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    cum /= cum[-1]
    return np.interp(q, cum - weights[order] / (2 * weights.sum()), values[order])


def generation(history, t: int | None = None) -> tuple[list[dict], np.ndarray, list[dict]]:
    """Particles (sampling scale), normalised weights and per-target values of generation t."""
    t = history.max_t if t is None else t
    frame, w = history.get_distribution(m=0, t=t)
    w_stats, stats = history.get_weighted_sum_stats(t=t)
    points = frame.to_dict("records")
    return points, np.asarray(w, float) / np.sum(w), [unflatten(s) for s in stats]


def posterior_document(
    history, settings: CalibrationSettings, checks: dict, ident: list, log_dir=None
) -> dict:
    """The ``posterior.json`` document (``log_dir``: the run folder holding the acceptor's
    log, for ``share_truncated``)."""
    priors = settings.chosen_priors()
    points, w, values = generation(history)
    members = [to_natural(p, priors) for p in points]
    ess = float(1.0 / np.sum(w * w))
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return {
        "status": "calibrated",
        "version": __version__,
        "posterior_version": f"{POSTERIOR_VERSION_PREFIX}-{stamp}-seed{settings.seed}",
        "seed": settings.seed,
        "method": "ABC-SMC with a stochastic acceptor and exact-likelihood kernel (pyabc "
        "0.12; Wilkinson 2013); every target simulated by the trial engine",
        "settings": {
            "population_size": settings.population_size,
            "generations": settings.generations,
            "generations_done": int(history.max_t + 1),
            "scale": settings.scale,
            "targets": list(settings.chosen_targets()),
            "priors": list(priors),
        },
        "total_simulations": int(history.total_nr_simulations),
        "final_temperature": _final_temperature(history),
        "share_truncated": share_truncated(history, log_dir),
        "generations": generation_table(history),
        "effective_sample_size": round(ess, 1),
        "ensemble_size": len(members),
        "checks": checks,
        "identifiability": ident,
        "members": members,
        "weights": [float(x) for x in w],
        "member_values": [compact(v) for v in values],
    }


def generation_table(history) -> list[dict]:
    """Per generation: temperature, accepted particles, simulations and acceptance rate."""
    pops = history.get_all_populations()
    rows = []
    for _, row in pops[pops["t"] >= 0].iterrows():
        sims = int(row["samples"])
        rows.append(
            {
                "t": int(row["t"]),
                "temperature": float(row["epsilon"]),
                "accepted": int(row["particles"]),
                "simulations": sims,
                "acceptance_rate": round(int(row["particles"]) / sims, 4) if sims else None,
            }
        )
    return rows


def share_truncated(history, log_dir) -> float | None:
    """Weighted share of the last generation whose log-likelihood lies above the acceptor's
    normalising constant (accepted with probability 1: the flattened top of the likelihood,
    see :func:`tregsim.calibration.abc._acceptor`); None when the run kept no acceptor log."""
    path = Path(log_dir) / ACCEPTOR_LOG if log_dir is not None else None
    if path is None or not path.exists():
        return None
    norms = {int(k): float(v) for k, v in json.loads(path.read_text()).items()}
    t = history.max_t
    if t not in norms:
        return None
    frame = history.get_weighted_distances(t=t)
    w = frame["w"].to_numpy(float)
    above = frame["distance"].to_numpy(float) > norms[t]
    return round(float(np.sum(w[above]) / np.sum(w)), 4)


def _final_temperature(history) -> float:
    """Temperature of the last finished generation (1: the exact posterior)."""
    pops = history.get_all_populations()
    return float(pops.loc[pops["t"] == history.max_t, "epsilon"].iloc[0])


def compact(values: dict[str, dict]) -> dict[str, dict]:
    """A particle's simulated target values, JSON-ready (for leave-one-out validation)."""
    out = {}
    for name, fields in values.items():
        out[name] = {
            k: (np.round(np.asarray(v, dtype=float), 2).tolist() if np.ndim(v) else float(v))
            for k, v in fields.items()
        }
    return out


def check_rows(targets, values, w, observations, rng, draws_per_particle=20) -> dict:
    """Per target: predictive distribution of the published statistic for a study of the
    published size, over weighted simulated experiments (95% interval, PIT, inside)."""
    out = {}
    for name, target in targets.items():
        samples, weights = [], []
        for v, wi, obs in zip(values, w, observations, strict=True):
            d = predictive_draws(target, v.get(name, {"failed": 1}), rng, obs, draws_per_particle)
            samples.append(d)
            weights.append(np.full(len(d), wi / len(d)))
        x, ww = np.concatenate(samples), np.concatenate(weights)
        ok = np.isfinite(x)
        observed = float(target["value"])
        if not ok.any():
            out[name] = {"observed": observed, "failed": True}
            continue
        x, ww = x[ok], ww[ok] / ww[ok].sum()
        lo, hi = _weighted_quantile(x, ww, [0.025, 0.975])
        out[name] = {
            "observed": observed,
            "mean": float(np.sum(x * ww)),
            "lo": float(lo),
            "hi": float(hi),
            "pit": float(np.sum(ww[x <= observed])),
            "inside": bool(lo <= observed <= hi),
            "share_failed": float(1 - ok.mean()),
            "draws": x.tolist()[:2000],
            "draw_weights": ww.tolist()[:2000],
        }
    return out


def predictive_checks(history, settings: CalibrationSettings, seed: int = 0) -> dict:
    """Prior (generation 0) and posterior (last generation) predictive checks per target."""
    targets = settings.chosen_targets()
    priors = settings.chosen_priors()
    rng = np.random.default_rng(seed)
    result = {}
    for label, t in (("prior", 0), ("posterior", history.max_t)):
        points, w, values = generation(history, t)
        obs = [
            {"rater_optimism_ror": to_natural(p, priors).get("rater_optimism_ror", 1.0)}
            for p in points
        ]
        result[label] = check_rows(targets, values, w, obs, rng)
    return result


def identifiability(history, settings: CalibrationSettings) -> list[dict]:
    """Posterior / prior 95% width per parameter of the last generation."""
    points, w, _ = generation(history)
    return identifiability_rows(points, w, settings.chosen_priors())


def identifiability_rows(points: list[dict], w: np.ndarray, priors: dict) -> list[dict]:
    """Posterior / prior 95% width per parameter (< 0.5: constrained, > 0.8: stays at prior);
    ``points`` on the sampling scale (log for lognormal priors), ``w`` their weights."""
    rows = []
    for name, p in priors.items():
        x = np.array([pt[name] for pt in points], dtype=float)  # sampling scale
        lo, hi = _weighted_quantile(x, w, [0.025, 0.975])
        if p["dist"] == "lognormal":
            prior_width = 2 * 1.959963984540054 * log_sd(p)
            med = math.exp(float(_weighted_quantile(x, w, [0.5])[0]))
            post = (math.exp(lo), math.exp(hi))
        else:
            prior_width = 0.95 * (float(p["high"]) - float(p["low"]))
            med = float(_weighted_quantile(x, w, [0.5])[0])
            post = (float(lo), float(hi))
        ratio = float((hi - lo) / prior_width)
        verdict = "constrained" if ratio < 0.5 else ("partly" if ratio < 0.8 else "prior")
        rows.append(
            {
                "parameter": name,
                "group": p.get("group", ""),
                "prior_95": list(prior_interval(p)),
                "posterior_median": med,
                "posterior_95": list(post),
                "width_ratio": round(ratio, 3),
                "verdict": verdict,
            }
        )
    return rows
