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
import re
from collections.abc import Collection, Iterable, Mapping
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


def _arm_major(endpoints: Mapping[str, Any], arm_names: Collection[str]) -> dict:
    """``{arm: {endpoint: value}}`` from either orientation: ``tregsim.trial`` gives
    ``{endpoint: {arm: value}}``; outer keys that are not all arms while the inner keys all
    are mark that layout."""
    raw = {str(key): dict(values) for key, values in dict(endpoints or {}).items()}
    arms = set(arm_names)
    inner = {str(key) for values in raw.values() for key in values}
    if arms and raw and not set(raw) <= arms and inner <= arms:
        flipped: dict[str, dict[str, Any]] = {}
        for endpoint, values in raw.items():
            for arm, value in values.items():
                flipped.setdefault(str(arm), {})[endpoint] = value
        return flipped
    return raw


def replicate_record(
    replicate: int, result: Any, arm_names: Collection[str] = ()
) -> dict[str, Any]:
    """The JSON-able record of one replicate from a ``ReplicateResult``-like object (or
    mapping) with ``endpoints`` (``{arm: {endpoint: value}}``, or ``{endpoint: {arm:
    value}}`` when `arm_names` shows that layout), ``comparisons`` (values with ``test``,
    ``estimate``, ``ci_low``, ``ci_high``, ``p_value`` as keys or attributes),
    ``n_screened``, ``n_failed`` and optionally ``n_enrolled`` and ``notes``."""
    endpoints = {
        arm: {str(name): _float(value) for name, value in values.items()}
        for arm, values in _arm_major(_get(result, "endpoints", {}), arm_names).items()
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
    record = {
        "replicate": int(replicate),
        "endpoints": endpoints,
        "comparisons": comparisons,
        "n_screened": int(_get(result, "n_screened", 0) or 0),
        "n_failed": int(_get(result, "n_failed", 0) or 0),
    }
    if _get(result, "n_enrolled", None) is not None:
        record["n_enrolled"] = int(_get(result, "n_enrolled"))
    notes = _get(result, "notes", None)
    if notes:
        record["notes"] = [str(note) for note in notes]
    return record


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


_COMPARISON_KEY = re.compile(r"^(?P<endpoint>.+):(?P<arm>.+)_vs_(?P<control>.+)$")


def _scenario_info(scenario: Any) -> dict[str, Any]:
    analysis = _get(scenario, "analysis", None) or {}
    alpha = _get(analysis, "alpha", 0.05)
    primary = _get(analysis, "primary", None)
    control = _get(analysis, "control_arm", None)
    arms = list(_get(scenario, "arms", None) or [])
    return {
        "name": str(_get(scenario, "name", "scenario")),
        "description": str(_get(scenario, "description", "") or ""),
        "arms": [str(_get(arm, "name")) for arm in arms],
        "arm_details": {
            str(_get(arm, "name")): {
                key: _get(arm, key)
                for key in ("allocation", "regimen")
                if _get(arm, key, None) is not None
            }
            for arm in arms
        },
        "endpoints": [str(_get(ep, "name")) for ep in (_get(scenario, "endpoints", None) or [])],
        "alpha": 0.05 if alpha is None else float(alpha),
        "primary": None if primary is None else str(primary),
        "control": None if control is None else str(control),
    }


def scenario_arm_names(scenario: Any) -> list[str]:
    """The arm names of a scenario, in its order."""
    return _scenario_info(scenario)["arms"]


def _comparison_order(key: str, endpoints: list[str], arms: list[str]) -> tuple:
    match = _COMPARISON_KEY.match(key)
    endpoint, arm = (match["endpoint"], match["arm"]) if match else (key, "")
    return (
        endpoints.index(endpoint) if endpoint in endpoints else len(endpoints),
        arms.index(arm) if arm in arms else len(arms),
        key,
    )


def assemble_summary(
    scenario: Any,
    seed: int,
    replicates: int,
    replicate_records: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """The summary dict of a multi-replicate run (the content of ``summary.json``).

    ``arms.<arm>.endpoints.<endpoint>`` holds ``mean``, ``median``, ``lo`` (2.5%), ``hi``
    (97.5%) over the replicates with a finite value, ``n_missing`` and ``replicates`` (one
    value per replicate, ``None`` where NaN). ``comparisons.<key>`` (the key the replicate
    function uses; ``tregsim.trial`` uses ``<endpoint>:<arm>_vs_<control>``, which is also
    split into ``endpoint``, ``arm``, ``control``) holds ``test``, ``estimate_mean``,
    ``estimate_median``, ``estimate_lo``, ``estimate_hi``, ``estimates``, ``p_values``,
    ``n_significant``, ``power`` (share of replicates with p < alpha; a missing p-value
    counts as not significant), ``power_se`` (its Monte Carlo standard error) and ``alpha``.
    `replicate_records` (see :func:`replicate_record`) must hold exactly replicates
    0 .. replicates-1, in any order; they are sorted first, so the result is bit-identical
    for any chunking or completion order.
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
    info = _scenario_info(scenario)
    alpha = info["alpha"]

    arm_names = _ordered(info["arms"], {arm for rec in records for arm in rec["endpoints"]})
    arms: dict[str, Any] = {}
    for arm in arm_names:
        seen = {ep for rec in records for ep in rec["endpoints"].get(arm, {})}
        arms[arm] = {
            **info["arm_details"].get(arm, {}),
            "endpoints": {
                ep: _describe(
                    np.array(
                        [_float(rec["endpoints"].get(arm, {}).get(ep)) for rec in records],
                        dtype=float,
                    )
                )
                for ep in _ordered(info["endpoints"], seen)
            },
        }

    comparisons: dict[str, Any] = {}
    keys = {key for rec in records for key in rec["comparisons"]}
    for key in sorted(keys, key=lambda k: _comparison_order(k, info["endpoints"], arm_names)):
        comps = [rec["comparisons"].get(key, {}) for rec in records]
        tests = [c.get("test") for c in comps if c.get("test")]
        estimates = np.array([_float(c.get("estimate")) for c in comps], dtype=float)
        p_values = np.array([_float(c.get("p_value")) for c in comps], dtype=float)
        est = _describe(estimates)
        significant = int(np.sum(np.isfinite(p_values) & (p_values < alpha)))
        power = significant / len(records)
        match = _COMPARISON_KEY.match(key)
        endpoint = match["endpoint"] if match else key
        comparisons[key] = {
            "endpoint": endpoint,
            "arm": match["arm"] if match else None,
            "control": match["control"] if match else info["control"],
            "primary": endpoint == info["primary"],
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

    summary = {
        "scenario": info["name"],
        "description": info["description"],
        "scenario_hash": scenario_hash(scenario),
        "seed": int(seed),
        "replicates": int(replicates),
        "tregsim_version": __version__,
        "primary_endpoint": info["primary"],
        "control_arm": info["control"],
        "alpha": alpha,
        "n_screened": [int(rec["n_screened"]) for rec in records],
        "n_failed": [int(rec["n_failed"]) for rec in records],
    }
    if all("n_enrolled" in rec for rec in records):
        summary["n_enrolled"] = [int(rec["n_enrolled"]) for rec in records]
    summary["arms"] = arms
    summary["comparisons"] = comparisons
    summary["notes"] = [note for rec in records for note in rec.get("notes", [])]
    return summary
