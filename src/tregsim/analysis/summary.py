"""Summaries across replicate trials: per-arm endpoint distributions and power.

Power is the fraction of replicate trials whose two-sided p-value is below ``alpha`` AND
whose estimate lies on the side favouring treatment; ``rejection_rate`` counts rejections
in either direction (the type I error under a null scenario). Replicates with no p-value
(e.g. no events) count as not rejected. Intervals are the 2.5 and 97.5 percentiles across
replicates (the spread of what one trial could show, not a confidence interval).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tregsim.analysis.statistics import StatResult

__all__ = ["summarize_values", "summarize_comparison", "favours_treatment"]


def _clean(x: float) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def summarize_values(values: Sequence[float]) -> dict:
    """``mean``, ``median``, ``lo`` / ``hi`` (2.5 / 97.5 percentiles), NaNs ignored and
    counted in ``n_missing``, and ``replicates`` (one value per replicate, None for NaN)."""
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    if finite.size:
        stats = {
            "mean": float(finite.mean()),
            "median": float(np.median(finite)),
            "lo": float(np.percentile(finite, 2.5)),
            "hi": float(np.percentile(finite, 97.5)),
        }
    else:
        stats = {"mean": None, "median": None, "lo": None, "hi": None}
    stats["n_missing"] = int(v.size - finite.size)
    stats["replicates"] = [_clean(x) for x in v]
    return stats


def favours_treatment(result: StatResult, better: str) -> bool:
    """True when the estimate lies on the side of ``null_value`` that favours treatment."""
    if not np.isfinite(result.estimate):
        return False
    if better == "higher":
        return result.estimate > result.null_value
    return result.estimate < result.null_value


def summarize_comparison(results: Sequence[StatResult], alpha: float, better: str) -> dict:
    """Per-replicate p-values, estimates and intervals, with power and rejection rate.

    Keys: ``test``, ``null_value``, ``better``, ``alpha``, ``estimate_mean``,
    ``estimate_lo``, ``estimate_hi`` (2.5 / 97.5 percentiles over replicates), ``estimates``,
    ``ci`` ([low, high] per replicate), ``p_values``, ``power``, ``power_se`` (Monte Carlo
    standard error), ``rejection_rate``, ``n_treatment``, ``n_control``, ``notes``.
    """
    if not results:
        raise ValueError("summarize_comparison needs at least one replicate result.")
    p = np.array([r.p_value for r in results], dtype=float)
    rejected = np.nan_to_num(p, nan=1.0) < alpha
    favourable = np.array([favours_treatment(r, better) for r in results])
    estimate = summarize_values([r.estimate for r in results])
    power = float(np.mean(rejected & favourable))
    notes = sorted({r.note for r in results if r.note})
    return {
        "test": results[0].test
        if len({r.test for r in results}) == 1
        else sorted({r.test for r in results}),
        "null_value": results[0].null_value,
        "better": better,
        "alpha": alpha,
        "estimate_mean": estimate["mean"],
        "estimate_lo": estimate["lo"],
        "estimate_hi": estimate["hi"],
        "estimates": estimate["replicates"],
        "ci": [[_clean(r.ci_low), _clean(r.ci_high)] for r in results],
        "p_values": [_clean(x) for x in p],
        "power": power,
        "power_se": float(np.sqrt(power * (1 - power) / len(results))),
        "rejection_rate": float(np.mean(rejected)),
        "n_treatment": [r.n_treatment for r in results],
        "n_control": [r.n_control for r in results],
        "notes": notes,
    }
