"""The look shared by every report figure (rc settings, sizes, arm colours) and the data
helpers the figures share (measured rows, arm order)."""

from __future__ import annotations

from contextlib import contextmanager

import pandas as pd

from tregsim.report._access import OKABE_ITO, TrialInfo

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
    return info.arm_colors.get(arm, OKABE_ITO[i % len(OKABE_ITO)])


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
