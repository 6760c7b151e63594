"""The report's figures, each a function (summary, patients, info) -> matplotlib Figure.

Conventions: axis labels carry units, Okabe-Ito colours with the control arm in grey, one
colour per arm in every figure, fonts readable when printed at 300 dpi. Data summaries
(bands, responder rates) are computed here from the patients table, so the figures do not
depend on which endpoints the scenario defined.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ._access import (
    TrialInfo,
    display_value,
    is_ratio,
    primary_comparison,
    salt_column,
    treg_column,
)

__all__ = ["FIGURES", "figure_style", "responder_rates", "wilson_interval"]

MARKERS = ("o", "s", "^", "D", "v", "P", "X")
RC = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "svg.hashsalt": "tregsim-report",
    "font.family": "DejaVu Sans",
}
WIDTH_IN = 7.2


@contextmanager
def figure_style():
    """Matplotlib rc settings shared by every report figure (Agg backend, no global change)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    with plt.rc_context(RC):
        yield plt


# ---------------------------------------------------------------- data helpers


def _alive(patients: pd.DataFrame) -> pd.DataFrame:
    """Rows with an actual measurement (not after drop-out)."""
    if "dropped_out" in patients:
        return patients[~patients["dropped_out"].fillna(False).astype(bool)]
    return patients


def _arm_names(info: TrialInfo, patients: pd.DataFrame) -> list[str]:
    names = [a.name for a in info.arms]
    if "arm" in patients:
        present = set(map(str, pd.unique(patients["arm"])))
        names = [n for n in names if n in present] + sorted(present - set(names))
    return names


def _color(info: TrialInfo, arm: str, i: int) -> str:
    from ._access import OKABE_ITO

    return info.arm_colors.get(arm, OKABE_ITO[i % len(OKABE_ITO)])


def _with_baseline(patients: pd.DataFrame, col: str) -> pd.DataFrame:
    """Add `baseline` = the subject's value at the first visit (the first non-missing value
    in visit order)."""
    keys = ["replicate", "subject"] if "replicate" in patients else ["subject"]
    group = patients.groupby(keys, sort=False).ngroup().to_numpy()
    values = patients[col].to_numpy(dtype=float)
    order = np.lexsort((patients["visit_week"].to_numpy(), group))
    order = order[~np.isnan(values[order]) & (group[order] >= 0)]
    first = np.ones(order.size, dtype=bool)
    first[1:] = group[order[1:]] != group[order[:-1]]
    per_group = np.full(group.max() + 1 if group.size else 0, np.nan)
    per_group[group[order[first]]] = values[order[first]]
    baseline = np.where(group >= 0, per_group[np.maximum(group, 0)], np.nan)
    return patients.assign(baseline=baseline)


def wilson_interval(successes: float, n: float, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (as fractions 0-1)."""
    if n <= 0:
        return (np.nan, np.nan)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def responder_rates(patients: pd.DataFrame, kind: str, value: float) -> pd.DataFrame:
    """Responder % per replicate, arm and visit, non-responder imputation for drop-outs.

    kind 'reduction': SALT reduced by at least `value` % from the first visit;
    kind 'at_most': SALT <= `value`. Denominator: all randomised subjects of the arm.
    Returns columns replicate, arm, visit_week, responders, n, rate (percent).
    """
    col = salt_column(patients)
    df = _with_baseline(patients, col)
    alive = _alive(df)
    if kind == "reduction":
        ok = (alive["baseline"] > 0) & (alive[col] <= alive["baseline"] * (1 - value / 100.0))
    else:
        ok = alive[col] <= value
    alive = alive.assign(responder=ok.astype(float))
    resp = alive.groupby(["replicate", "arm", "visit_week"])["responder"].sum()
    n = patients.groupby(["replicate", "arm"])["subject"].nunique().rename("n")
    out = resp.rename("responders").reset_index().join(n, on=["replicate", "arm"])
    out["rate"] = 100.0 * out["responders"] / out["n"]
    return out


def _percentile_band(values: pd.DataFrame, col: str, lo: float, hi: float) -> pd.DataFrame:
    g = values.groupby("visit_week")[col]
    return pd.DataFrame(
        {"median": g.median(), "lo": g.quantile(lo / 100), "hi": g.quantile(hi / 100)}
    ).sort_index()


def _no_data(ax, text: str = "no data") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#777777")


def _week_axis(ax, info: TrialInfo) -> None:
    ax.set_xlabel("Time since randomisation (weeks)")
    if info.visits_weeks:
        ax.set_xlim(min(info.visits_weeks) - 1, max(info.visits_weeks) + 1)
        ticks = [v for v in info.visits_weeks if v == 0 or v >= 4 or len(info.visits_weeks) < 8]
        ax.set_xticks(ticks)


# ---------------------------------------------------------------- figures


def fig_protocol(summary: dict, patients: pd.DataFrame, info: TrialInfo):
    """Regimen timeline per arm: dosing days (whole follow-up and zoom on dosing), visits."""
    with figure_style() as plt:
        n = max(len(info.arms), 1)
        fig, (ax_w, ax_d) = plt.subplots(
            2, 1, figsize=(WIDTH_IN, 1.6 + 0.55 * n * 2), height_ratios=[1, 1]
        )
        last_dose = max((d for a in info.arms for d in a.dose_days()), default=0.0)
        for i, arm in enumerate(info.arms):
            y = n - i
            color = _color(info, arm.name, i)
            days = np.asarray(arm.dose_days(), dtype=float)
            for ax, scale in ((ax_w, 7.0), (ax_d, 1.0)):
                ax.axhline(y, color="#CCCCCC", lw=0.8, zorder=0)
                if days.size:
                    ax.plot(days / scale, np.full(days.size, y), "|", ms=13, mew=2.0, color=color)
                    for c in arm.courses:
                        end = c.last_day + 1
                        ax.fill_between(
                            [c.start_day / scale, end / scale],
                            y - 0.22,
                            y + 0.22,
                            color=color,
                            alpha=0.18,
                            lw=0,
                        )
                else:
                    ax.text(
                        0.0,
                        y + 0.12,
                        "no active drug",
                        fontsize=8,
                        color="#555555",
                        va="bottom",
                    )
        labels = [f"{a.name}\n(allocation {a.allocation:g})" for a in info.arms]
        for ax in (ax_w, ax_d):
            ax.set_yticks(range(n, 0, -1), labels)
            ax.set_ylim(0.3, n + 0.7)
            ax.grid(axis="y", visible=False)
        visits = np.asarray(info.visits_weeks, dtype=float)
        if visits.size:
            ax_w.plot(
                visits,
                np.full(visits.size, 0.45),
                "v",
                color="black",
                ms=6,
                clip_on=False,
                label="clinic visit (SALT, blood)",
            )
            for v in visits:
                ax_w.axvline(v, color="#BBBBBB", lw=0.6, ls=":", zorder=0)
            ax_w.legend(loc="upper right", frameon=False, bbox_to_anchor=(1, 1.25))
        ax_w.set_xlim(-1, max(info.follow_up_weeks, visits.max() if visits.size else 0) + 1)
        ax_w.set_xlabel("Time since randomisation (weeks); | = dosing day")
        ax_w.set_title("Whole study", loc="left")
        zoom_end = last_dose + 7 if last_dose > 0 else 28
        ax_d.set_xlim(-1, zoom_end)
        if visits.size:
            for v in visits[visits * 7 <= zoom_end]:
                ax_d.axvline(v * 7, color="#BBBBBB", lw=0.6, ls=":", zorder=0)
                ax_d.plot([v * 7], [0.45], "v", color="black", ms=6, clip_on=False)
        ax_d.set_xlabel("Study day (day 0 = first dose); | = one injection/intake")
        ax_d.set_title("Dosing period in days", loc="left")
        fig.tight_layout()
        return fig


def fig_salt(summary: dict, patients: pd.DataFrame, info: TrialInfo, n_lines: int = 25):
    """SALT over time per arm: median, 90% prediction band and a sample of patients."""
    with figure_style() as plt:
        arms = _arm_names(info, patients)
        ncol = max(len(arms), 1)
        fig, axes = plt.subplots(1, ncol, figsize=(WIDTH_IN, 3.2), sharey=True, squeeze=False)
        col = salt_column(patients) if len(patients) else "salt_observed"
        alive = _alive(patients) if len(patients) else patients
        for i, arm in enumerate(arms):
            ax = axes[0, i]
            color = _color(info, arm, i)
            d = alive[alive["arm"] == arm].dropna(subset=[col])
            if d.empty:
                _no_data(ax)
                continue
            first = d["replicate"].min()
            one = d[d["replicate"] == first]
            subjects = pd.unique(one["subject"])
            rng = np.random.default_rng(7)
            pick = rng.choice(subjects, size=min(n_lines, subjects.size), replace=False)
            for s in pick:
                p = one[one["subject"] == s].sort_values("visit_week")
                ax.plot(p["visit_week"], p[col], color=color, lw=0.5, alpha=0.35)
            band = _percentile_band(d, col, 5, 95)
            ax.fill_between(
                band.index,
                band["lo"],
                band["hi"],
                color=color,
                alpha=0.2,
                lw=0,
                label="90% prediction band",
            )
            ax.plot(
                band.index,
                band["median"],
                color=color,
                lw=2.4,
                marker=MARKERS[i % 7],
                ms=4,
                label="median patient",
            )
            ax.plot(
                [], [], color=color, lw=0.5, alpha=0.6, label=f"{pick.size} individual patients"
            )
            ax.axhline(20, color="black", lw=0.8, ls="--")
            ax.text(
                0.99,
                20,
                "SALT 20",
                transform=ax.get_yaxis_transform(),
                ha="right",
                va="bottom",
                fontsize=7,
            )
            ax.set_title(arm, color=color, fontweight="bold")
            _week_axis(ax, info)
            ax.legend(loc="lower left", frameon=True, framealpha=0.85, fontsize=7)
        axes[0, 0].set_ylabel("SALT score (% scalp hair loss)")
        axes[0, 0].set_ylim(-2, 102)
        fig.tight_layout()
        return fig


def fig_responders(summary: dict, patients: pd.DataFrame, info: TrialInfo):
    """SALT50 and SALT<=20 responder rates over time per arm with 95% intervals."""
    with figure_style() as plt:
        fig, axes = plt.subplots(1, 2, figsize=(WIDTH_IN, 3.2), sharey=True)
        arms = _arm_names(info, patients)
        panels = (
            ("reduction", 50.0, "SALT50: \u226550% less hair loss than at baseline"),
            ("at_most", 20.0, "SALT \u2264 20: at most 20% scalp hair loss"),
        )
        single = info.replicates <= 1 or (
            "replicate" in patients and patients["replicate"].nunique() <= 1
        )
        for ax, (kind, value, title) in zip(axes, panels, strict=True):
            ax.set_title(title, loc="left", fontsize=9)
            if patients.empty:
                _no_data(ax)
                continue
            rates = responder_rates(patients, kind, value)
            for i, arm in enumerate(arms):
                color = _color(info, arm, i)
                r = rates[rates["arm"] == arm]
                if r.empty:
                    continue
                g = r.groupby("visit_week")
                mean = g["rate"].mean()
                if single:
                    resp, n = g["responders"].sum(), g["n"].sum()
                    ci = [wilson_interval(a, b) for a, b in zip(resp, n, strict=True)]
                    lo = pd.Series([100 * c[0] for c in ci], index=mean.index)
                    hi = pd.Series([100 * c[1] for c in ci], index=mean.index)
                else:
                    lo, hi = g["rate"].quantile(0.025), g["rate"].quantile(0.975)
                ax.fill_between(mean.index, lo, hi, color=color, alpha=0.18, lw=0)
                ax.errorbar(
                    mean.index,
                    mean,
                    # clipped: the mean of equal rates can exceed their quantile by 1 ulp
                    yerr=[np.clip(mean - lo, 0, None), np.clip(hi - mean, 0, None)],
                    color=color,
                    lw=1.8,
                    marker=MARKERS[i % 7],
                    ms=4,
                    capsize=2,
                    elinewidth=0.8,
                    label=arm,
                )
            _week_axis(ax, info)
            ax.set_ylim(-2, 102)
        axes[0].set_ylabel("Responders (% of randomised patients)")
        how = (
            "95% Wilson interval (one simulated trial)"
            if single
            else "95% range across simulated trials"
        )
        axes[1].legend(title=f"Arm; bars: {how}", loc="upper left", frameon=False, title_fontsize=7)
        fig.tight_layout()
        return fig


def fig_treg(summary: dict, patients: pd.DataFrame, info: TrialInfo):
    """Blood Treg % of CD4 and fold change from baseline, median and interquartile range."""
    with figure_style() as plt:
        fig, (ax_p, ax_f) = plt.subplots(1, 2, figsize=(WIDTH_IN, 3.2))
        arms = _arm_names(info, patients)
        if patients.empty or not ({"treg_pct_cd4", "treg_pct_cd4_observed"} & set(patients)):
            _no_data(ax_p)
            _no_data(ax_f)
        else:
            col = treg_column(patients)
            df = _alive(_with_baseline(patients, col)).dropna(subset=[col])
            df = df.assign(fold=df[col] / df["baseline"].where(df["baseline"] > 0))
            for i, arm in enumerate(arms):
                color = _color(info, arm, i)
                d = df[df["arm"] == arm]
                if d.empty:
                    continue
                for ax, c in ((ax_p, col), (ax_f, "fold")):
                    band = _percentile_band(d.dropna(subset=[c]), c, 25, 75)
                    ax.fill_between(
                        band.index, band["lo"], band["hi"], color=color, alpha=0.2, lw=0
                    )
                    ax.plot(
                        band.index,
                        band["median"],
                        color=color,
                        marker=MARKERS[i % 7],
                        ms=4,
                        label=arm,
                    )
            ax_f.axhline(1.0, color="black", lw=0.8, ls="--")
            ax_f.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}\u00d7"))
        ax_p.set_ylabel("Treg (% of CD4+ T cells)")
        ax_f.set_ylabel("Treg % fold change from baseline")
        ax_p.set_title("Blood Treg frequency", loc="left")
        ax_f.set_title("Change from baseline", loc="left")
        for ax in (ax_p, ax_f):
            _week_axis(ax, info)
        handles, labels = ax_p.get_legend_handles_labels()
        if handles:
            ax_p.legend(title="median, band: IQR", loc="best", frameon=False, title_fontsize=7)
        fig.tight_layout()
        return fig


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
        label = ep.label() if ep else (info.primary or "primary endpoint")
        unit = ep.unit() if ep else ""
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
                arm_unit = ep.unit() if ep else ""
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
    from .scalp import draw_scalp

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


FIGURES: dict[str, Callable] = {
    "protocol": fig_protocol,
    "salt": fig_salt,
    "responders": fig_responders,
    "treg": fig_treg,
    "primary": fig_primary,
    "scalp": fig_scalp,
}
