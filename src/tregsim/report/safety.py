"""The report's safety section: adverse events by arm and time (figure and table), read
from the ``safety`` block of summary.json (:func:`tregsim.analysis.safety.summarize_safety`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._access import TrialInfo

__all__ = ["fig_safety", "safety_rows"]


def _label(kind: str) -> str:
    if kind == "ae_any":
        return "Any adverse event"
    from tregsim.safety.catalogue import catalogue

    declared = catalogue().get(kind.removeprefix("ae_"))
    return declared.label if declared else kind


def _kinds_with_events(safety: dict) -> list[str]:
    """``ae_any`` and every kind with at least one event in some arm."""
    kinds: list[str] = []
    for per_kind in (safety.get("incidence") or {}).values():
        for kind, values in per_kind.items():
            if kind not in kinds and (kind == "ae_any" or any(v for v in values if v)):
                kinds.append(kind)
    return kinds


def fig_safety(summary: dict, patients: pd.DataFrame, info: TrialInfo):
    """Cumulative share of patients with at least one reported adverse event by visit week,
    per arm: one panel for any event and one per kind that occurred."""
    from .style import WIDTH_IN, _color, _no_data, figure_style

    safety = summary.get("safety") or {}
    weeks = safety.get("weeks") or []
    kinds = _kinds_with_events(safety)
    with figure_style() as plt:
        n = max(1, len(kinds))
        cols = min(n, 2)
        rows = (n + cols - 1) // cols
        fig, axes = plt.subplots(rows, cols, figsize=(WIDTH_IN, 2.6 * rows), squeeze=False)
        for ax in axes.ravel()[n:]:
            ax.set_visible(False)
        if not kinds:
            _no_data(axes[0, 0], "no adverse-event data in this run")
            return fig
        arms = [a.name for a in info.arms if a.name in safety["incidence"]] or list(
            safety["incidence"]
        )
        for ax, kind in zip(axes.ravel(), kinds, strict=False):
            for i, arm in enumerate(arms):
                values = safety["incidence"][arm].get(kind)
                if values is None:
                    continue
                y = [100 * v if v is not None else float("nan") for v in values]
                ax.step(weeks, y, where="post", color=_color(info, arm, i), label=arm)
            ax.set_title(_label(kind), fontsize=9, loc="left")
            ax.set_xlabel("week")
            ax.set_ylabel("% with \u2265 1 event")
            ax.set_ylim(-2, 102)
        axes[0, 0].legend(frameon=False, fontsize=8)
        fig.tight_layout()
        return fig


def _percent(x: float | None) -> str:
    return "\u2013" if x is None else f"{100 * x:.1f}%"


def safety_rows(summary: dict) -> list[dict[str, Any]]:
    """Table rows: per AE endpoint and arm the pooled rate with its exact interval, the
    events and grade >= 3 events per patient, and the risk difference versus control
    with its Newcombe interval."""
    safety = summary.get("safety") or {}
    rows = []
    for name, endpoint in (safety.get("endpoints") or {}).items():
        kind = str(endpoint.get("kind"))
        for arm, values in endpoint["arms"].items():
            pooled = values["pooled"]
            lo, hi = pooled["ci_exact"]
            diff = (endpoint.get("risk_differences") or {}).get(
                f"{arm}_vs_{summary.get('control_arm')}"
            )
            events = (safety.get("events") or {}).get(arm, {}).get(kind, {})
            rows.append(
                dict(
                    endpoint=f"{_label(kind)} by week {endpoint.get('week'):g}",
                    name=name,
                    arm=arm,
                    rate=f"{_percent(pooled['proportion'])} ({_percent(lo)} to {_percent(hi)})",
                    counts=f"{pooled['events']}/{pooled['n']}",
                    per_patient="\u2013"
                    if events.get("per_patient") is None
                    else f"{events['per_patient']:.2f} ({events['grade3_per_patient']:.2f})",
                    difference="control"
                    if diff is None
                    else f"{100 * diff['estimate']:+.1f} ({100 * diff['ci_newcombe'][0]:+.1f} "
                    f"to {100 * diff['ci_newcombe'][1]:+.1f})",
                )
            )
    return rows
