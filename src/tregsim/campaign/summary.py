"""Per-replicate records and the campaign summary built from them.

A *record* is the small, JSON-able digest of one replicate trial::

    {"replicate": 7,
     "endpoints": {arm: {endpoint: float}},
     "comparisons": {key: {"test", "estimate", "ci_low", "ci_high", "p_value",
                           "null_value", "n_treatment", "n_control", "note"}},
     "n_per_arm": {arm: int}, "n_screened": int, "n_enrolled": int, "n_failed": int}

:func:`assemble_summary` is the one builder of ``summary.json`` (``tregsim.run_trial`` and
``tregsim run`` both end here). It sorts the records by replicate index before reducing
them, so the summary is bit-identical whatever the chunk size, the number of workers or the
order in which chunks finish. Power is defined once, in
:func:`tregsim.analysis.summary.summarize_comparison`.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Collection, Iterable, Mapping
from functools import cache
from typing import Any

from tregsim import __version__
from tregsim.analysis.comparisons import ARM_STATISTIC
from tregsim.analysis.safety import summarize_safety
from tregsim.analysis.summary import summarize_comparison, summarize_values
from tregsim.population.ensemble import load_ensemble
from tregsim.protocol import Endpoint, Scenario


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
    """The JSON-able record of one replicate from what a replicate function returns (the
    attributes of :class:`tregsim.trial.ReplicateResult`): ``endpoints`` (``{arm: {endpoint:
    value}}``, or ``{endpoint: {arm: value}}`` when `arm_names` shows that layout),
    ``comparisons`` (:class:`tregsim.analysis.StatResult` values), ``n_screened``,
    ``n_failed``, ``n_enrolled`` (None when unknown), ``notes`` and ``n_per_arm``."""
    endpoints = {
        arm: {str(name): _float(value) for name, value in values.items()}
        for arm, values in _arm_major(result.endpoints, arm_names).items()
    }
    comparisons = {}
    for name, comp in result.comparisons.items():
        comparisons[str(name)] = {
            "test": str(comp.test),
            "estimate": _float(comp.estimate),
            "ci_low": _float(comp.ci_low),
            "ci_high": _float(comp.ci_high),
            "p_value": _float(comp.p_value),
            "null_value": _float(comp.null_value),
            "n_treatment": int(comp.n_treatment),
            "n_control": int(comp.n_control),
        }
        if comp.note:
            comparisons[str(name)]["note"] = str(comp.note)
    record = {
        "replicate": int(replicate),
        "endpoints": endpoints,
        "comparisons": comparisons,
        "n_screened": int(result.n_screened),
        "n_failed": int(result.n_failed),
    }
    if result.n_per_arm:
        record["n_per_arm"] = {str(arm): int(n) for arm, n in dict(result.n_per_arm).items()}
    if result.n_enrolled is not None:
        record["n_enrolled"] = int(result.n_enrolled)
    # adverse-event digest (tregsim.analysis.safety.replicate_safety); a replicate function
    # without a safety stage returns none
    safety = getattr(result, "safety", None)
    if safety:
        record["safety"] = safety
    notes = result.notes
    if notes:
        record["notes"] = [str(note) for note in notes]
    return record


def _json_value(value: float) -> float | None:
    """NaN/inf become None so the summary is strict JSON."""
    return float(value) if math.isfinite(value) else None


def _json_ready(value: Any) -> Any:
    """Plain JSON data: numpy scalars and arrays converted, NaN/inf as None."""
    import numpy as np

    if isinstance(value, Mapping):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_json_ready(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _json_value(float(value))
    return value


def _ordered(first: Iterable[str], seen: Iterable[str]) -> list[str]:
    """Names in the scenario's order, then any others sorted."""
    first = [name for name in first]
    seen = set(seen)
    rest = sorted(seen - set(first))
    return [name for name in first if name in seen] + rest


_COMPARISON_KEY = re.compile(r"^(?P<endpoint>.+):(?P<arm>.+)_vs_(?P<control>.+)$")


def _endpoint_info(endpoint: Endpoint) -> dict[str, Any]:
    """Name, kind, direction favouring treatment and per-arm statistic of an endpoint."""
    spec = endpoint
    return {
        "name": endpoint.name,
        "kind": spec.kind,
        "better": spec.better,
        "statistic": ARM_STATISTIC[spec.type],
    }


def _scenario_info(scenario: Scenario) -> dict[str, Any]:
    endpoints = [_endpoint_info(ep) for ep in scenario.endpoints]
    return {
        "name": scenario.name,
        "description": scenario.description,
        "arms": list(scenario.arm_names),
        # allocation as a float: the summary has always recorded it so
        "arm_details": {
            a.name: {"allocation": float(a.allocation), "regimen": a.regimen} for a in scenario.arms
        },
        "endpoints": {ep["name"]: ep for ep in endpoints},
        "alpha": float(scenario.analysis.alpha),
        "primary": scenario.analysis.primary,
        "control": scenario.control_arm,
    }


def _split_key(key: str, arms: list[str], control: str | None) -> tuple[str, str | None, str]:
    """(endpoint, treated arm, control arm) of a comparison key."""
    match = _COMPARISON_KEY.match(key)
    if match:
        return match["endpoint"], match["arm"], match["control"]
    treated = [arm for arm in arms if arm != control]
    return key, treated[0] if len(treated) == 1 else None, control


def _comparison_order(key: str, endpoints: list[str], arms: list[str], control) -> tuple:
    endpoint, arm, _ = _split_key(key, arms, control)
    return (
        endpoints.index(endpoint) if endpoint in endpoints else len(endpoints),
        arms.index(arm) if arm in arms else len(arms),
        key,
    )


@cache
def model_version() -> str:
    """A hash of the model source: the ``Source hash`` recorded in the generated kernels
    (``tregsim/model/_generated.py``), else SHA-256 of ``il2_aa.py`` + ``parameters/*.py``."""
    from importlib import resources

    model = resources.files("tregsim").joinpath("model")  # no import of the model package
    try:
        head = model.joinpath("_generated.py").read_text(encoding="utf-8").splitlines()[:20]
    except (FileNotFoundError, OSError):
        head = []
    for line in head:
        match = re.search(r"Source hash:\s*([0-9a-fA-F]+)", line)
        if match:
            return match.group(1)
    digest = hashlib.sha256()
    parameters = model.joinpath("parameters")
    names = ["il2_aa.py"] + sorted(
        f"parameters/{entry.name}" for entry in parameters.iterdir() if entry.name.endswith(".py")
    )
    for name in names:
        try:
            digest.update(model.joinpath(name).read_bytes())
        except (FileNotFoundError, OSError):
            continue
    return digest.hexdigest()[:16]


def calibration_info() -> dict[str, Any]:
    """Status, size, version and seed of the shipped calibrated ensemble."""
    document = load_ensemble()
    members = [m for m in (document.get("members") or []) if m]
    info = {
        "status": document.get("status", "calibrated" if members else "not calibrated"),
        "ensemble_size": len(members),
        "version": document.get("version"),
        "seed": document.get("seed"),
    }
    if document.get("weights"):  # calib (#14): weighted posterior particles
        from tregsim.population.ensemble import effective_sample_size

        info["effective_sample_size"] = round(effective_sample_size(), 1)
        info["posterior_version"] = document.get("posterior_version")
        info["method"] = document.get("method")
    return info


def assemble_summary(
    scenario: Scenario,
    seed: int,
    replicates: int,
    replicate_records: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """The summary dict of a run (the content of ``summary.json``), from per-replicate
    records (see :func:`replicate_record`).

    Top level: ``scenario``, ``description``, ``scenario_hash``, ``seed``, ``replicates``,
    ``tregsim_version``, ``model_version`` (:func:`model_version`), ``calibration``
    (:func:`calibration_info`), ``primary_endpoint``, ``control_arm``, ``alpha``,
    ``n_screened`` / ``n_enrolled`` / ``n_failed`` (per replicate), ``arms``,
    ``comparisons``, ``notes`` and ``scenario_config`` (the full scenario, for the report).

    ``arms.<arm>`` holds ``allocation``, ``regimen``, ``n`` (randomized per replicate) and
    ``endpoints.<endpoint>`` with ``statistic``, ``kind``, ``mean``, ``median``, ``lo``
    (2.5%), ``hi`` (97.5%) over the replicates with a finite value, ``n_missing`` and
    ``replicates`` (one value per replicate, ``None`` where NaN).

    ``comparisons.<key>`` (the endpoint name with one treated arm,
    ``<endpoint>:<arm>_vs_<control>`` with several) holds ``endpoint``, ``arm``,
    ``control``, ``primary`` and the fields of
    :func:`tregsim.analysis.summary.summarize_comparison`: ``test``, ``estimate_mean`` /
    ``_median`` / ``_lo`` / ``_hi``, ``estimates``, ``ci`` per replicate, ``p_values``,
    ``power`` (p < alpha and the estimate favouring treatment), ``rejection_rate``
    (two-sided), ``power_se`` and ``alpha``.

    `replicate_records` must hold exactly replicates 0 .. replicates-1, in any order; they
    are sorted first, so the result is bit-identical for any chunking or completion order.
    """
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
    alpha, control = info["alpha"], info["control"]
    endpoint_names = list(info["endpoints"])

    arm_names = _ordered(info["arms"], {arm for rec in records for arm in rec["endpoints"]})
    arms: dict[str, Any] = {}
    for arm in arm_names:
        seen = {ep for rec in records for ep in rec["endpoints"].get(arm, {})}
        per_endpoint = {}
        for ep in _ordered(endpoint_names, seen):
            details = info["endpoints"].get(ep, {})
            per_endpoint[ep] = {
                "statistic": details.get("statistic"),
                "kind": details.get("kind"),
                **summarize_values(
                    [rec["endpoints"].get(arm, {}).get(ep) for rec in records],
                    missing_means_not_reached=details.get("statistic") == "km_median_days",
                ),
            }
        entry = dict(info["arm_details"].get(arm, {}))
        if all("n_per_arm" in rec for rec in records):
            entry["n"] = [int(rec["n_per_arm"].get(arm, 0)) for rec in records]
        entry["endpoints"] = per_endpoint
        arms[arm] = entry

    comparisons: dict[str, Any] = {}
    keys = {key for rec in records for key in rec["comparisons"]}
    order = sorted(keys, key=lambda k: _comparison_order(k, endpoint_names, arm_names, control))
    for key in order:
        endpoint, arm, versus = _split_key(key, arm_names, control)
        comps = [rec["comparisons"].get(key, {}) for rec in records]
        better = info["endpoints"].get(endpoint, {}).get("better")
        if better is None:
            stated = {c["better"] for c in comps if c.get("better")}
            better = stated.pop() if len(stated) == 1 else None
        comparisons[key] = {
            "endpoint": endpoint,
            "arm": arm,
            "control": versus,
            "primary": endpoint == info["primary"],
            **summarize_comparison(comps, alpha, better),
        }

    summary = {
        "scenario": info["name"],
        "description": info["description"],
        "scenario_hash": scenario.content_hash(),
        "seed": int(seed),
        "replicates": int(replicates),
        "tregsim_version": __version__,
        "model_version": model_version(),
        "calibration": calibration_info(),
        "primary_endpoint": info["primary"],
        "control_arm": control,
        "alpha": alpha,
        "n_screened": [int(rec["n_screened"]) for rec in records],
        "n_failed": [int(rec["n_failed"]) for rec in records],
    }
    if all("n_enrolled" in rec for rec in records):
        summary["n_enrolled"] = [int(rec["n_enrolled"]) for rec in records]
    summary["arms"] = arms
    summary["comparisons"] = comparisons
    summary["notes"] = [note for rec in records for note in rec.get("notes", [])]
    if any(rec.get("safety") for rec in records):  # adverse events (tregsim.analysis.safety)
        specs = {ep.name: {"kind": ep.kind.value, "week": ep.week} for ep in scenario.endpoints}
        summary["safety"] = summarize_safety(records, arm_names, control, specs)
    summary["scenario_config"] = scenario.payload()
    return _json_ready(summary)
