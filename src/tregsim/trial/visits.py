"""The visit schedule: nominal visit weeks and each patient's jittered visit days."""

from __future__ import annotations

import numpy as np

from tregsim.protocol import Scenario
from tregsim.rng import PatientStreams


def visit_weeks(scenario: Scenario) -> np.ndarray:
    """Sorted visit weeks: ``visits_weeks`` plus any endpoint week, always with week 0."""
    weeks = {0.0, *(float(w) for w in scenario.visits_weeks)}
    weeks |= {float(e.week) for e in scenario.endpoints if e.week is not None}
    return np.array(sorted(weeks))


def visit_days(scenario: Scenario, seed: int, replicate: int, patients: np.ndarray) -> np.ndarray:
    """``(n, m)`` whole study days of each patient's visits (baseline day 0)."""
    nominal = np.round(7.0 * visit_weeks(scenario))
    window = int(scenario.visit_window_days)
    days = np.tile(nominal, (len(patients), 1))
    if window > 0:
        streams = PatientStreams(seed, replicate, "visit_window")
        for row, patient in enumerate(patients):
            rng = streams.for_patient(int(patient))
            days[row] += rng.integers(-window, window + 1, size=nominal.size)
        days[:, nominal == 0] = 0.0
        days = np.maximum(days, 0.0)
        for col in range(1, days.shape[1]):
            days[:, col] = np.maximum(days[:, col], days[:, col - 1] + 1.0)
    return days
