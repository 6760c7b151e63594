"""Figures of the trial's outcome: the primary comparison over replicate trials and the
typical patient's scalp."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from tregsim.report._access import (
    TrialInfo,
    display_value,
    is_ratio,
    primary_comparison,
    salt_column,
)
from tregsim.report.endpoint_text import endpoint_label, endpoint_unit
from tregsim.report.fig_timecourse import responder_rates
from tregsim.report.scalp import draw_scalp
from tregsim.report.style import (
    WIDTH_IN,
    _alive,
    _arm_names,
    _color,
    _no_data,
    figure_style,
)


def _replicate_values(summary: dict, arm: str, endpoint: str) -> np.ndarray | None:
    ep = ((summary.get("arms") or {}).get(arm) or {}).get("endpoints", {}).get(endpoint) or {}
    values = ep.get("replicates")
    if isinstance(values, (list, tuple, np.ndarray)) and len(values):
        return np.asarray(values, dtype=float)
    return None


def primary_differences(summary: dict, patients: pd.DataFrame, info: TrialInfo):
    """Per-replicate primary values as (values, is_difference), or None.

    Difference = first treatment arm minus control, in display units; taken from the
    summary's per-replicate lists when present, otherwise recomputed from the patients table
    for responder endpoints.
    """
    if info.primary is None:
        return None
    ep = info.endpoints.get(info.primary)
    comp = primary_comparison(summary, info)
    values = comp.get("estimates")
    if isinstance(values, (list, tuple)) and len(values):
        scale_ep = None if is_ratio(comp) else ep
        vals = [display_value(v, scale_ep, info) for v in values]
        return np.array([np.nan if v is None else v for v in vals], dtype=float), True
    arms = [a.name for a in info.arms]
    treat = info.treatment_arms[0] if info.control_arm and info.treatment_arms else None
    per_arm = {a: _replicate_values(summary, a, info.primary) for a in arms}
    if ep is not None and ep.is_responder and any(v is None for v in per_arm.values()):
        if not patients.empty and ep.week is not None:
            kind = "reduction" if ep.kind == "salt_reduction" else "at_most"
            value = ep.percent if kind == "reduction" else ep.threshold
            rates = responder_rates(patients, kind, value if value is not None else 50.0)
            visits = rates["visit_week"].unique()
            week = visits[np.argmin(np.abs(visits - ep.week))]
            at = (
                rates[rates["visit_week"] == week]
                .pivot_table(index="replicate", columns="arm", values="rate")
                .fillna(0.0)
            )
            # stored units: display value / responder_scale (fraction or percent)
            per_arm = {
                a: at[a].to_numpy() / info.responder_scale if a in at else None for a in arms
            }
    control = per_arm.get(info.control_arm) if info.control_arm else None
    if treat is not None and per_arm.get(treat) is not None and control is not None:
        t, c = per_arm[treat], control
        m = min(t.size, c.size)
        diff = np.array([display_value(v, ep, info) for v in (t[:m] - c[:m])], dtype=float)
        return diff, True
    first = per_arm.get(arms[0]) if arms else None
    if first is not None:
        return np.array([display_value(v, ep, info) for v in first], dtype=float), False
    return None


def fig_primary(summary: dict, patients: pd.DataFrame, info: TrialInfo):
    """Predictive distribution of the primary endpoint difference and the power."""
    with figure_style() as plt:
        fig, (ax_h, ax_p) = plt.subplots(1, 2, figsize=(WIDTH_IN, 3.0), width_ratios=[1.6, 1])
        ep = info.endpoints.get(info.primary) if info.primary else None
        label = endpoint_label(info.primary, ep) if info.primary else "primary endpoint"
        unit = endpoint_unit(ep)
        comp = primary_comparison(summary, info)
        ratio = is_ratio(comp)
        if ratio:
            unit = "odds ratio"
        elif ep is not None and ep.is_responder:
            unit = "percentage points"
        res = primary_differences(summary, patients, info)
        treat = info.treatment_arms[0] if info.control_arm and info.treatment_arms else None
        if res is None:
            _no_data(ax_h, "per-trial values not available")
        else:
            values, is_diff = res
            values = values[np.isfinite(values)]
            color = _color(info, treat, 0) if treat else _color(info, info.arms[0].name, 0)
            bins = int(np.clip(np.sqrt(values.size) * 2, 5, 40))
            ax_h.hist(values, bins=bins, color=color, alpha=0.75, edgecolor="white")
            ax_h.axvline(
                np.mean(values), color="black", lw=1.4, label=f"mean {np.mean(values):.1f}"
            )
            if is_diff:
                ax_h.axvline(
                    1.0 if ratio else 0.0, color="#777777", lw=1.0, ls="--", label="no difference"
                )
                how = "versus" if ratio else "minus"
                ax_h.set_xlabel(f"{treat} {how} {info.control_arm}: {label} ({unit})")
            else:
                arm_unit = endpoint_unit(ep)
                ax_h.set_xlabel(f"{info.arms[0].name if info.arms else ''}: {label} ({arm_unit})")
            ax_h.legend(frameon=False, loc="upper left")
        ax_h.set_ylabel("Simulated trials (count)")
        ax_h.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax_p.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax_h.set_title("Predicted trial result", loc="left")

        p_values = comp.get("p_values")
        alpha = float(comp.get("alpha", info.alpha) or info.alpha)
        power = comp.get("power")
        p = None
        if isinstance(p_values, (list, tuple, np.ndarray)) and len(p_values):
            p = np.clip(np.asarray(p_values, dtype=float), 1e-6, 1.0)
            p = p[np.isfinite(p)]
            if power is None and p.size:
                power = float(np.mean(p < alpha))
        if p is not None and p.size:
            edges = np.logspace(-6, 0, 25)
            ax_p.hist(p, bins=edges, color="#777777", edgecolor="white")
            ax_p.set_xscale("log")
            ax_p.axvline(alpha, color="#D55E00", lw=1.6, label=f"\u03b1 = {alpha:g}")
            ax_p.set_xlabel("p-value of the primary test (log scale)")
            ax_p.set_ylabel("Simulated trials (count)")
            ax_p.legend(frameon=False, loc="upper left")
        else:
            ax_p.axis("off")
        if power is not None:
            ax_p.set_title(f"Power: {100 * float(power):.0f}%", loc="left", fontweight="bold")
        else:
            ax_p.set_title("Power: not applicable" if not treat else "Power: n/a", loc="left")
        fig.tight_layout()
        return fig


def typical_salt(patients: pd.DataFrame, info: TrialInfo) -> dict[str, list[tuple[float, float]]]:
    """Median SALT per arm at baseline, mid-follow-up and end: {arm: [(week, salt), ...]}."""
    out: dict[str, list[tuple[float, float]]] = {}
    if patients.empty:
        return out
    col = salt_column(patients)
    alive = _alive(patients).dropna(subset=[col])
    weeks = np.array(sorted(pd.unique(alive["visit_week"])), dtype=float)
    if not weeks.size:
        return out
    end = weeks.max()
    mid = weeks[np.argmin(np.abs(weeks - (weeks.min() + end) / 2))]
    chosen = list(dict.fromkeys([weeks.min(), mid, end]))
    for arm in _arm_names(info, patients):
        d = alive[alive["arm"] == arm]
        out[arm] = [(float(w), float(d.loc[d["visit_week"] == w, col].median())) for w in chosen]
    return out


def fig_scalp(summary: dict, patients: pd.DataFrame, info: TrialInfo):
    """Scalp drawings per arm at baseline, mid-follow-up and end for the median patient."""
    typical = typical_salt(patients, info)
    with figure_style() as plt:
        arms = list(typical) or ["(no data)"]
        ncol = max((len(v) for v in typical.values()), default=1)
        fig, axes = plt.subplots(
            len(arms), ncol, figsize=(WIDTH_IN, 2.9 * len(arms)), squeeze=False
        )
        for i, arm in enumerate(arms):
            color = _color(info, arm, i)
            for j in range(ncol):
                ax = axes[i, j]
                if arm not in typical or j >= len(typical[arm]):
                    ax.axis("off")
                    continue
                week, salt = typical[arm][j]
                salt = 0.0 if not np.isfinite(salt) else salt
                draw_scalp(ax, salt, title=f"Week {week:g}: SALT {salt:.0f}")
            axes[i, 0].text(
                -0.08,
                0.5,
                arm,
                transform=axes[i, 0].transAxes,
                rotation=90,
                ha="center",
                va="center",
                fontsize=11,
                fontweight="bold",
                color=color,
            )
        fig.subplots_adjust(left=0.06, right=0.99, top=0.93, bottom=0.02, wspace=0.05, hspace=0.15)
        return fig
