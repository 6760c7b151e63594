"""Typical-patient Treg responses (docs/sources.md#model-behaviours, B2 and B3).

Deterministic read-outs of the model's typical patient (no variability, healthy skin) used by
the model's behaviour tests: the single-dose Treg rise and its ED10 (DILT1D, Todd et al.,
PLoS Med 2016, doi:10.1371/journal.pmed.1002139), the DILfrequency steady rise, and the
Hartemann 2013 dose order. The calibration itself runs these experiments through the trial
engine (:mod:`tregsim.calibration.experiments`).
"""

from __future__ import annotations

import numpy as np

from ..model import MODEL, initial_state, observe
from ..model.dosing import NMOL_PER_MIU, SC_LAG_DAYS
from ..solve import EventTable, solve_batch

BSA_M2 = 1.8  # sources.md#treg-pharmacodynamics

# ------------------------------------------------------------------ Treg pharmacodynamics


def _il2_sc(params: np.ndarray, doses: list[tuple[float, float]], days: np.ndarray) -> dict:
    """Typical patient (healthy skin) given SC IL-2 doses [(day, MIU)]; read-outs at ``days``."""
    si = MODEL.state_index
    n = len(doses)
    events = EventTable(
        time=np.array([d + SC_LAG_DAYS for d, _ in doses]),
        patient=np.zeros(n, dtype=np.int64),
        state=np.full(n, si["il2_depot"]),
        kind=np.zeros(n, dtype=np.int8),
        value=np.array([m * NMOL_PER_MIU for _, m in doses]),
    )
    sol = solve_batch(params[None, :], initial_state(params), events, days, rtol=1e-8, atol=1e-11)
    return observe(sol.values[0], params)


def treg_single_dose_rise(params: np.ndarray, dose_miu_m2: float) -> float:
    """Maximal relative rise in Treg % of CD4 within 7 days of one SC dose."""
    days = np.linspace(0.0, 7.0, 57)
    treg = _il2_sc(params, [(0.0, dose_miu_m2 * BSA_M2)], days)["treg_pct_cd4"]
    return float(treg.max() / treg[0] - 1.0)


def treg_dilt1d_ed10(params: np.ndarray) -> float:
    """Dose (MIU/m2) giving a +10% Treg peak within 7 days (bisection on log dose)."""
    lo, hi = np.log(0.005), np.log(5.0)
    if treg_single_dose_rise(params, np.exp(hi)) < 0.10:
        return float("inf")
    for _ in range(22):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if treg_single_dose_rise(params, np.exp(mid)) < 0.10 else (lo, mid)
    return float(np.exp(0.5 * (lo + hi)))


def treg_dilfrequency_rise(params: np.ndarray) -> float:
    """Mean Treg % rise over days 21-42 of 0.26 MIU/m2 every 3 days."""
    days = np.arange(0.0, 43.0, 0.5)
    doses = [(float(d), 0.26 * BSA_M2) for d in range(0, 42, 3)]
    treg = _il2_sc(params, doses, days)["treg_pct_cd4"]
    return float(treg[days >= 21].mean() / treg[0] - 1.0)


def treg_hartemann_order(params: np.ndarray) -> float:
    """1 if peak rise and duration of rise > 10% increase with 0.33 < 1 < 3 MIU/day x 5."""
    days = np.arange(0.0, 60.0, 0.25)
    peaks, durations = [], []
    for miu in (0.33, 1.0, 3.0):
        treg = _il2_sc(params, [(float(d), miu) for d in range(5)], days)["treg_pct_cd4"]
        rise = treg / treg[0] - 1.0
        peaks.append(rise.max())
        durations.append(float((rise > 0.10).sum()) * 0.25)
    increasing = np.all(np.diff(peaks) > 0) and np.all(np.diff(durations) > 0) and durations[-1] > 0
    return float(increasing)
