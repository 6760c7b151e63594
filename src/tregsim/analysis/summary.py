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
    """Mean, median, 2.5/97.5 percentiles (NaNs ignored) and the list of replicate values."""
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    if finite.size:
        stats = {
            "mean": float(finite.mean()),
            "median": float(np.median(finite)),
            "p2_5": float(np.percentile(finite, 2.5)),
            "p97_5": float(np.percentile(finite, 97.5)),
        }
    else:
        stats = {"mean": None, "median": None, "p2_5": None, "p97_5": None}
    stats["n_available"] = int(finite.size)
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
    """Per-replicate p-values, estimates and intervals, with power and rejection rate."""
    if not results:
        raise ValueError("summarize_comparison needs at least one replicate result.")
    p = np.array([r.p_value for r in results], dtype=float)
    rejected = np.nan_to_num(p, nan=1.0) < alpha
    favourable = np.array([favours_treatment(r, better) for r in results])
    estimate = summarize_values([r.estimate for r in results])
    notes = sorted({r.note for r in results if r.note})
    return {
        "test": results[0].test
        if len({r.test for r in results}) == 1
        else sorted({r.test for r in results}),
        "null_value": results[0].null_value,
        "better": better,
        "alpha": alpha,
        "estimate": {k: estimate[k] for k in ("mean", "median", "p2_5", "p97_5")},
        "estimates": estimate["replicates"],
        "ci": [[_clean(r.ci_low), _clean(r.ci_high)] for r in results],
        "p_values": [_clean(x) for x in p],
        "power": float(np.mean(rejected & favourable)),
        "rejection_rate": float(np.mean(rejected)),
        "n_treatment": [r.n_treatment for r in results],
        "n_control": [r.n_control for r in results],
        "notes": notes,
    }
