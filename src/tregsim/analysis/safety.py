"""Safety summaries: adverse-event rates by arm with exact intervals, risk differences,
cumulative incidence by visit week.

- Rate of an arm: patients with at least one reported event / evaluable patients, with the
  Clopper-Pearson exact 95% interval (Clopper & Pearson, Biometrika 1934;26:404, the beta
  quantiles ``Beta(a/2; x, n-x+1)`` and ``Beta(1-a/2; x+1, n-x)``).
- Risk difference treated minus control with the Newcombe (Stat Med 1998;17:873, method 10)
  hybrid score interval (:func:`tregsim.analysis.statistics.newcombe_interval`; the same
  interval the responder comparisons report).

Per replicate, :func:`replicate_safety` digests a trial's events into counts (JSON-able,
part of the replicate record); :func:`summarize_safety` pools the replicates: the pooled
rate is the model's predicted rate (its interval is Monte Carlo precision), while the
per-replicate intervals show what one trial of this size would report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from tregsim.analysis.statistics import newcombe_interval
from tregsim.protocol import AE_ENDPOINT_KINDS

__all__ = ["clopper_pearson", "replicate_safety", "summarize_safety"]


def clopper_pearson(x: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Exact (Clopper-Pearson) two-sided ``1 - alpha`` interval of a binomial proportion."""
    from scipy.stats import beta

    if n <= 0:
        return float("nan"), float("nan")
    low = 0.0 if x <= 0 else float(beta.ppf(alpha / 2, x, n - x + 1))
    high = 1.0 if x >= n else float(beta.ppf(1 - alpha / 2, x + 1, n - x))
    return low, high


def replicate_safety(
    counts: Mapping[str, np.ndarray],
    events,
    arms: np.ndarray,
    weeks: np.ndarray,
    endpoints: Sequence[Any],
) -> dict[str, Any]:
    """JSON-able safety digest of one replicate.

    ``counts``: ``ae_any`` / ``ae_<kind>`` -> ``(n, m)`` events reported per visit (NaN:
    missed or failed); ``events``: reported events (columns ``row, kind, grade``);
    ``arms`` ``(n,)``; ``weeks`` ``(m,)`` visit weeks; ``endpoints``: endpoint specs (those
    with an ``ae_*`` kind are counted). Returns ``weeks`` and per arm ``n`` (evaluable),
    ``ever[kind]`` (patients with an event reported by each visit, cumulative),
    ``events[kind]``, ``grade3[kind]`` (events of grade >= 3) and per AE endpoint
    ``endpoints[name][arm] = [x, n]``.
    """
    arms = np.asarray([str(a) for a in arms])
    out: dict[str, Any] = {"weeks": [float(w) for w in weeks], "arms": {}, "endpoints": {}}
    for arm in dict.fromkeys(arms.tolist()):
        rows = arms == arm
        any_grid = counts["ae_any"][rows]
        evaluable = np.isfinite(any_grid).any(axis=1) if any_grid.shape[1] else rows[rows]
        entry: dict[str, Any] = {"n": int(np.sum(evaluable)), "ever": {}, "events": {}}
        entry["grade3"] = {}
        for name, grid in counts.items():
            g = np.nan_to_num(grid[rows][:, 1:], nan=0.0)
            first = np.cumsum(g, axis=1) > 0
            entry["ever"][name] = [0] + [int(v) for v in first.sum(axis=0)]
            kind = name.removeprefix("ae_")
            chosen = events if kind == "any" else events[events["kind"] == kind]
            chosen = chosen[np.isin(chosen["row"].to_numpy(), np.flatnonzero(rows))]
            entry["events"][name] = int(len(chosen))
            entry["grade3"][name] = int(np.sum(chosen["grade"].to_numpy() >= 3))
        out["arms"][arm] = entry
    for spec in endpoints:
        if str(spec.kind) not in AE_ENDPOINT_KINDS:
            continue
        col = int(np.flatnonzero(np.isclose(weeks, float(spec.week)))[0])
        grid = counts[str(spec.kind)][:, 1 : col + 1]
        seen = np.isfinite(grid).any(axis=1)
        hit = np.nansum(grid, axis=1) > 0
        out["endpoints"][spec.name] = {
            arm: [int(np.sum(hit & seen & (arms == arm))), int(np.sum(seen & (arms == arm)))]
            for arm in dict.fromkeys(arms.tolist())
        }
    return out


def _rate(x: int, n: int) -> dict[str, Any]:
    lo, hi = clopper_pearson(x, n)
    return {"events": x, "n": n, "proportion": x / n if n else None, "ci_exact": [lo, hi]}


def summarize_safety(
    records: Iterable[Mapping[str, Any]],
    arm_names: Sequence[str],
    control: str | None,
    endpoints: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """The ``safety`` block of summary.json from the replicate records' ``safety`` digests.

    ``endpoints.<name>``: ``kind``, ``week``, per arm ``events`` / ``n`` per replicate,
    ``pooled`` (proportion and Clopper-Pearson interval over all replicates) and
    ``replicate_ci_exact`` (one interval per replicate); ``risk_differences.<arm>_vs_<control>``
    with the pooled estimate and its Newcombe interval and the per-replicate estimates.
    ``incidence.<arm>.<ae_kind>``: pooled share with an event reported by each visit week;
    ``events.<arm>.<ae_kind>``: events per patient and grade >= 3 events per patient.
    """
    digests = [rec["safety"] for rec in records if rec.get("safety")]
    if not digests:
        return {}
    weeks = digests[0]["weeks"]
    arms = [a for a in arm_names if any(a in d["arms"] for d in digests)]
    out: dict[str, Any] = {"weeks": weeks, "endpoints": {}, "incidence": {}, "events": {}}
    for name, meta in endpoints.items():
        if meta.get("kind") not in AE_ENDPOINT_KINDS:
            continue
        per_arm = {}
        for arm in arms:
            pairs = [d["endpoints"].get(name, {}).get(arm, [0, 0]) for d in digests]
            x = [int(p[0]) for p in pairs]
            n = [int(p[1]) for p in pairs]
            per_arm[arm] = {
                "events": x,
                "n": n,
                "pooled": _rate(sum(x), sum(n)),
                "replicate_ci_exact": [
                    list(clopper_pearson(a, b)) for a, b in zip(x, n, strict=True)
                ],
            }
        differences = {}
        if control in per_arm:
            c = per_arm[control]
            for arm in arms:
                if arm == control:
                    continue
                t = per_arm[arm]
                xt, nt, xc, nc = sum(t["events"]), sum(t["n"]), sum(c["events"]), sum(c["n"])
                estimates = [
                    a / b - e / f if b and f else None
                    for a, b, e, f in zip(t["events"], t["n"], c["events"], c["n"], strict=True)
                ]
                pooled = xt / nt - xc / nc if nt and nc else None
                ci = list(newcombe_interval(xt, nt, xc, nc)) if nt and nc else [None, None]
                differences[f"{arm}_vs_{control}"] = {
                    "estimate": pooled,
                    "ci_newcombe": ci,
                    "replicate_estimates": estimates,
                }
        out["endpoints"][name] = {
            "kind": meta.get("kind"),
            "week": meta.get("week"),
            "arms": per_arm,
            "risk_differences": differences,
        }
    for arm in arms:
        entries = [d["arms"][arm] for d in digests if arm in d["arms"]]
        n = sum(e["n"] for e in entries)
        kinds = list(entries[0]["ever"])
        out["incidence"][arm] = {
            k: [sum(e["ever"][k][i] for e in entries) / n if n else None for i in range(len(weeks))]
            for k in kinds
        }
        out["events"][arm] = {
            k: {
                "per_patient": sum(e["events"][k] for e in entries) / n if n else None,
                "grade3_per_patient": sum(e["grade3"][k] for e in entries) / n if n else None,
            }
            for k in kinds
        }
    return out
