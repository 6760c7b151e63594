"""Figures over study time: the protocol timeline, SALT, responder rates and Treg %.

Data summaries (bands, responder rates) are computed here from the patients table, so the
figures do not depend on which endpoints the scenario defined; the responder criterion and
the Wilson interval are those of :mod:`tregsim.analysis`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from tregsim.analysis.derived import salt_responder, visit_baselines, wilson_interval
from tregsim.report._access import (
    TrialInfo,
    salt_column,
    treg_column,
)
from tregsim.report.style import (
    MARKERS,
    WIDTH_IN,
    _alive,
    _arm_names,
    _color,
    _no_data,
    _percentile_band,
    _week_axis,
    figure_style,
)


def responder_rates(patients: pd.DataFrame, kind: str, value: float) -> pd.DataFrame:
    """Responder % per replicate, arm and visit, non-responder imputation for drop-outs.

    kind 'reduction': SALT reduced by at least `value` % from baseline (week 0, see
    :mod:`tregsim.analysis.derived`);
    kind 'at_most': SALT <= `value`. Denominator: all randomised subjects of the arm.
    Returns columns replicate, arm, visit_week, responders, n, rate (percent).
    """
    col = salt_column(patients)
    df = patients.assign(baseline=visit_baselines(patients, col))
    alive = _alive(df)
    if kind == "reduction":
        ok = pd.Series(salt_responder(alive["baseline"], alive[col], value), index=alive.index)
    else:
        ok = alive[col] <= value
    alive = alive.assign(responder=ok.astype(float))
    resp = alive.groupby(["replicate", "arm", "visit_week"])["responder"].sum()
    n = patients.groupby(["replicate", "arm"])["subject"].nunique().rename("n")
    out = resp.rename("responders").reset_index().join(n, on=["replicate", "arm"])
    out["rate"] = 100.0 * out["responders"] / out["n"]
    return out


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
                    for first, last in arm.dosing_spans():
                        ax.fill_between(
                            [first / scale, (last + 1) / scale],
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
            df = patients.assign(baseline=visit_baselines(patients, col))
            df = _alive(df).dropna(subset=[col])
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
