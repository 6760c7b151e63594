"""Summaries across replicate trials: per-arm endpoint distributions and power.

This is the one definition of power in tregsim (used by ``tregsim.campaign.assemble_summary``,
hence by ``tregsim.run_trial`` and ``tregsim run``):

- ``power``: the fraction of replicate trials whose two-sided p-value is below ``alpha``
  AND whose estimate lies on the side of the null value favouring treatment;
- ``rejection_rate``: rejections in either direction (the type I error under a null
  scenario). Replicates with no p-value (e.g. no events) count as not rejected.

When the favourable direction is unknown (``better=None``), ``power`` equals the
rejection rate. Intervals are the 2.5 and 97.5 percentiles across replicates (the spread of
what one trial could show, a prediction interval, not a confidence interval).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tregsim.analysis.statistics import StatResult

__all__ = ["summarize_values", "summarize_comparison", "favours_treatment"]


def _clean(x: float) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _float(value: Any) -> float:
    if value is None:
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _field(result: Any, name: str, default: Any = None) -> Any:
    if isinstance(result, Mapping):
        value = result.get(name, default)
    else:
        value = getattr(result, name, default)
    return default if value is None else value


def summarize_values(values: Sequence[float], missing_means_not_reached: bool = False) -> dict:
    """``mean``, ``median``, ``lo`` / ``hi`` (2.5 / 97.5 percentiles), NaNs ignored and
    counted in ``n_missing``, and ``replicates`` (one value per replicate, None for NaN).

    With ``missing_means_not_reached`` (Kaplan-Meier medians), a NaN is a median not reached
    within follow-up, i.e. longer than any observed value: it is ranked above every finite
    value for ``median`` / ``lo`` / ``hi`` (None where the rank falls on a not-reached
    replicate) and ``mean`` is None as soon as one replicate did not reach it.
    """
    v = np.asarray([_float(x) for x in values], dtype=float)
    finite = v[np.isfinite(v)]
    if missing_means_not_reached and finite.size < v.size:
        ranked = np.sort(np.where(np.isfinite(v), v, np.inf))

        def at(q: float) -> float | None:
            value = ranked[min(int(np.floor(q * (len(ranked) - 1) + 0.5)), len(ranked) - 1)]
            return float(value) if np.isfinite(value) else None

        stats = {"mean": None, "median": at(0.5), "lo": at(0.025), "hi": at(0.975)}
    elif finite.size:
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


def favours_treatment(result: StatResult | Mapping, better: str | None) -> bool:
    """True when the estimate lies on the side of ``null_value`` that favours treatment
    (``better`` "higher" or "lower"); with ``better=None`` any finite estimate counts."""
    estimate = _float(_field(result, "estimate"))
    null_value = _float(_field(result, "null_value", 0.0))
    if not np.isfinite(estimate):
        return False
    if better is None:
        return True
    if better == "higher":
        return estimate > null_value
    return estimate < null_value


def _most_common(tests: list[str]) -> str | None:
    return max(sorted(set(tests)), key=tests.count) if tests else None


def summarize_comparison(
    results: Sequence[StatResult | Mapping], alpha: float, better: str | None
) -> dict:
    """Per-replicate p-values, estimates and intervals, with power and rejection rate.

    ``results``: one :class:`StatResult` (or a mapping with the same keys, ``ci_low`` /
    ``ci_high``) per replicate, in replicate order. Keys: ``test`` (the most common one),
    ``null_value``, ``better``, ``alpha``, ``estimate_mean``, ``estimate_median``,
    ``estimate_lo``, ``estimate_hi`` (2.5 / 97.5 percentiles over replicates),
    ``estimates``, ``ci`` ([low, high] per replicate), ``p_values``, ``n_significant``,
    ``power``, ``power_se`` (Monte Carlo standard error), ``rejection_rate``,
    ``n_treatment``, ``n_control``, ``notes``.
    """
    if not results:
        raise ValueError("summarize_comparison needs at least one replicate result.")
    p = np.array([_float(_field(r, "p_value")) for r in results], dtype=float)
    rejected = np.nan_to_num(p, nan=1.0) < alpha
    favourable = np.array([favours_treatment(r, better) for r in results])
    significant = rejected & favourable
    estimate = summarize_values([_field(r, "estimate") for r in results])
    power = float(np.mean(significant))
    tests = [str(_field(r, "test")) for r in results if _field(r, "test")]
    return {
        "test": _most_common(tests),
        "null_value": _float(_field(results[0], "null_value", 0.0)),
        "better": better,
        "alpha": float(alpha),
        "estimate_mean": estimate["mean"],
        "estimate_median": estimate["median"],
        "estimate_lo": estimate["lo"],
        "estimate_hi": estimate["hi"],
        "estimates": estimate["replicates"],
        "ci": [
            [_clean(_float(_field(r, "ci_low"))), _clean(_float(_field(r, "ci_high")))]
            for r in results
        ],
        "p_values": [_clean(x) for x in p],
        "n_significant": int(np.sum(significant)),
        "power": power,
        "power_se": float(np.sqrt(power * (1 - power) / len(results))),
        "rejection_rate": float(np.mean(rejected)),
        "n_treatment": [int(_field(r, "n_treatment", 0)) for r in results],
        "n_control": [int(_field(r, "n_control", 0)) for r in results],
        "notes": sorted({str(_field(r, "note")) for r in results if _field(r, "note")}),
    }
