"""Per-replicate records and the campaign summary built from them.

A *record* is the small, JSON-able digest of one replicate trial::

    {"replicate": 7,
     "endpoints": {arm: {endpoint: float}},
     "comparisons": {endpoint: {"test", "estimate", "ci_low", "ci_high", "p_value"}},
     "n_screened": int, "n_failed": int}

:func:`assemble_summary` sorts the records by replicate index before reducing them, so the
summary is bit-identical whatever the chunk size, the number of workers or the order in
which chunks finish.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

#: Quantiles reported as ``lo`` and ``hi`` (a 95% Monte Carlo interval over replicates).
LO_QUANTILE = 0.025
HI_QUANTILE = 0.975


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _float(value: Any) -> float:
    if value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def replicate_record(replicate: int, result: Any) -> dict[str, Any]:
    """The JSON-able record of one replicate from a ``ReplicateResult``-like object (or
    mapping) with ``endpoints``, ``comparisons``, ``n_screened`` and ``n_failed``."""
    endpoints = {
        str(arm): {str(name): _float(value) for name, value in dict(values).items()}
        for arm, values in dict(_get(result, "endpoints", {}) or {}).items()
    }
    comparisons = {}
    for name, comp in dict(_get(result, "comparisons", {}) or {}).items():
        comparisons[str(name)] = {
            "test": None if _get(comp, "test") is None else str(_get(comp, "test")),
            "estimate": _float(_get(comp, "estimate")),
            "ci_low": _float(_get(comp, "ci_low")),
            "ci_high": _float(_get(comp, "ci_high")),
            "p_value": _float(_get(comp, "p_value")),
        }
    return {
        "replicate": int(replicate),
        "endpoints": endpoints,
        "comparisons": comparisons,
        "n_screened": int(_get(result, "n_screened", 0) or 0),
        "n_failed": int(_get(result, "n_failed", 0) or 0),
    }


def _json_value(value: float) -> float | None:
    """NaN/inf become None so the summary is strict JSON."""
    return float(value) if math.isfinite(value) else None


def _describe(values: np.ndarray) -> dict[str, Any]:
    finite = values[np.isfinite(values)]
    if finite.size:
        stats = {
            "mean": float(np.mean(finite)),
            "median": float(np.median(finite)),
            "lo": float(np.quantile(finite, LO_QUANTILE)),
            "hi": float(np.quantile(finite, HI_QUANTILE)),
        }
    else:
        stats = {"mean": None, "median": None, "lo": None, "hi": None}
    stats["n_missing"] = int(values.size - finite.size)
    stats["replicates"] = [_json_value(v) for v in values.tolist()]
    return stats


def _ordered(first: Iterable[str], seen: Iterable[str]) -> list[str]:
    """Names in the scenario's order, then any others sorted."""
    first = [name for name in first]
    rest = sorted(set(seen) - set(first))
    return [name for name in first if name in set(seen)] + rest


def _scenario_info(scenario: Any) -> tuple[str, list[str], list[str], float, str | None]:
    name = str(_get(scenario, "name", "scenario"))
    arms = [str(_get(arm, "name")) for arm in (_get(scenario, "arms", []) or [])]
    endpoints = [str(_get(ep, "name")) for ep in (_get(scenario, "endpoints", []) or [])]
    analysis = _get(scenario, "analysis", None) or {}
    alpha = _get(analysis, "alpha", 0.05)
    alpha = 0.05 if alpha is None else float(alpha)
    primary = _get(analysis, "primary", None)
    return name, arms, endpoints, alpha, None if primary is None else str(primary)


def assemble_summary(
    scenario: Any,
    seed: int,
    replicates: int,
    replicate_records: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """The summary dict of a multi-replicate run (the content of ``summary.json``).

    ``arms.<arm>.endpoints.<endpoint>`` holds ``mean``, ``median``, ``lo`` (2.5%), ``hi``
    (97.5%) over the replicates with a finite value, ``n_missing`` and ``replicates`` (one
    value per replicate, ``None`` where NaN); ``comparisons.<endpoint>`` holds ``test``,
    ``estimate_mean``, ``estimate_lo``, ``estimate_hi``, ``estimates``, ``p_values``,
    ``power`` (share of replicates with p < alpha; a missing p-value counts as not
    significant), ``power_se`` (its Monte Carlo standard error) and ``alpha``.
    `replicate_records` must hold exactly replicates 0 .. replicates-1, in any order.
    """
    from tregsim import __version__
    from tregsim.store import scenario_hash

    records = sorted(replicate_records, key=lambda rec: int(rec["replicate"]))
    indices = [int(rec["replicate"]) for rec in records]
    if indices != list(range(int(replicates))):
        missing = sorted(set(range(int(replicates))) - set(indices))
        duplicated = len(indices) - len(set(indices))
        raise ValueError(
            f"replicate_records must hold replicates 0..{int(replicates) - 1} once each; "
            f"{len(missing)} missing (first: {missing[:5]}), {duplicated} duplicated"
        )
    name, scenario_arms, scenario_endpoints, alpha, primary = _scenario_info(scenario)

    arm_names = _ordered(scenario_arms, {arm for rec in records for arm in rec["endpoints"]})
    arms: dict[str, Any] = {}
    for arm in arm_names:
        seen = {ep for rec in records for ep in rec["endpoints"].get(arm, {})}
        arms[arm] = {
            "endpoints": {
                ep: _describe(
                    np.array(
                        [_float(rec["endpoints"].get(arm, {}).get(ep)) for rec in records],
                        dtype=float,
                    )
                )
                for ep in _ordered(scenario_endpoints, seen)
            }
        }

    comparisons: dict[str, Any] = {}
    seen = {ep for rec in records for ep in rec["comparisons"]}
    for ep in _ordered(scenario_endpoints, seen):
        comps = [rec["comparisons"].get(ep, {}) for rec in records]
        tests = [c.get("test") for c in comps if c.get("test")]
        estimates = np.array([_float(c.get("estimate")) for c in comps], dtype=float)
        p_values = np.array([_float(c.get("p_value")) for c in comps], dtype=float)
        est = _describe(estimates)
        significant = int(np.sum(np.isfinite(p_values) & (p_values < alpha)))
        power = significant / len(records)
        comparisons[ep] = {
            "test": max(set(tests), key=lambda t: (tests.count(t), t)) if tests else None,
            "estimate_mean": est["mean"],
            "estimate_median": est["median"],
            "estimate_lo": est["lo"],
            "estimate_hi": est["hi"],
            "estimates": est["replicates"],
            "p_values": [_json_value(v) for v in p_values.tolist()],
            "n_significant": significant,
            "power": power,
            "power_se": math.sqrt(power * (1.0 - power) / len(records)),
            "alpha": alpha,
        }

    n_screened = np.array([rec["n_screened"] for rec in records], dtype=float)
    return {
        "scenario": name,
        "scenario_hash": scenario_hash(scenario),
        "seed": int(seed),
        "replicates": int(replicates),
        "tregsim_version": __version__,
        "primary": primary,
        "n_screened": {
            "mean": float(np.mean(n_screened)),
            "replicates": [int(v) for v in n_screened.tolist()],
        },
        "n_failed": {
            "total": int(sum(rec["n_failed"] for rec in records)),
            "replicates": [int(rec["n_failed"]) for rec in records],
        },
        "arms": arms,
        "comparisons": comparisons,
    }
