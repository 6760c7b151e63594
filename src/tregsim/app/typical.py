"""The typical-patient view: any state or read-out of an arm's typical patient over time.

Trajectories come from :func:`tregsim.population.exports.typical_trajectory` (the same as
``tregsim trajectory``). The solver's numba kernels are compiled once and cached on disk
(``cache=True``); the server warms them up at start (:func:`warm_up`), and recent
trajectories are kept in a small in-memory cache keyed by the scenario's content, so a
change of dose redraws in well under a second once warm (the time is shown on screen).
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections import OrderedDict
from typing import Any

import numpy as np

from tregsim.app.runner import FIGURE_LOCK
from tregsim.errors import TregsimInputError

__all__ = ["TrajectoryCache", "check_days", "trajectory_png", "warm_up"]

#: Longest horizon of the view, in days (10 years).
MAX_DAYS = 3650.0
#: Points per trajectory (output spacing = days / POINTS).
POINTS = 600


def check_days(text: str, default: float) -> float:
    """Days to simulate from the field's text; the CLI's ``--days`` sentence when bad."""
    if text is None or not str(text).strip():
        return default
    try:
        days = float(str(text).strip())
        shown = f"{days:g}"
    except ValueError:
        days, shown = float("nan"), repr(str(text).strip()[:40])
    if not (days > 0) or days == float("inf"):
        raise TregsimInputError(
            f"--days must be a positive number (got {shown}); give the "
            "simulated duration in days, e.g. --days 112",
            field="--days",
        )
    if days > MAX_DAYS:
        raise TregsimInputError(
            f"--days ({days:g}) is longer than the view's {MAX_DAYS:g} days; use a shorter "
            "horizon, or tregsim trajectory for more",
            field="--days",
        )
    return days


class TrajectoryCache:
    """The last ``size`` typical-patient trajectories, keyed by scenario content, arm and
    horizon (thread-safe)."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str, float], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, scenario: Any, arm: str, days: float) -> tuple[Any, float]:
        """``(frame, seconds)``: the trajectory and the time it took (0 from the cache)."""
        from tregsim.population.exports import typical_trajectory

        key = (json.dumps(scenario.to_dict(), sort_keys=True), arm, float(days))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key], 0.0
        started = time.perf_counter()
        times = np.linspace(0.0, days, POINTS + 1)
        frame = typical_trajectory(scenario, arm, times)
        seconds = time.perf_counter() - started
        with self._lock:
            self._items[key] = frame
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return frame, seconds


def warm_up() -> float:
    """Solve and draw one typical patient, so that the compiled kernels and matplotlib are
    loaded before the first user change; returns seconds."""
    from tregsim.population.exports import typical_trajectory
    from tregsim.scenarios import load_scenario

    started = time.perf_counter()
    scenario = load_scenario("pilot-2014")
    frame = typical_trajectory(scenario, scenario.arm_names[0], np.linspace(0.0, 28.0, 8))
    trajectory_png(frame, "salt", "warm-up")
    return time.perf_counter() - started


def trajectory_png(frame: Any, column: str, title: str) -> bytes:
    """A line plot of ``column`` against time (weeks) as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with FIGURE_LOCK:
        fig, ax = plt.subplots(figsize=(7.5, 3.4), dpi=80)
        fig.subplots_adjust(left=0.1, right=0.98, bottom=0.15, top=0.9)
        try:
            ax.plot(frame["time"].to_numpy() / 7.0, frame[column].to_numpy(), color="#1f6f8b")
            ax.set_xlabel("weeks since randomization")
            ax.set_ylabel(column)
            ax.set_title(title, fontsize=10)
            ax.grid(alpha=0.3)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png")
        finally:
            plt.close(fig)
    return buffer.getvalue()
