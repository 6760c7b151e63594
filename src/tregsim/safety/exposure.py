"""Drug exposure per dosing day, read from the simulated model (not from the dose alone).

For every patient on an exposure-driven regimen and every day on which the patient is
dosed, :func:`daily_exposure` returns the area under the plasma-concentration curve over
the 24 hours that start at the day's first administration (the SC lag included). The
concentration is a model state divided by a model volume (for aldesleukin: ``il2_central``
/ ``il2_v1``, the model's ``il2_pm`` observable, in pM), so Treg expansion (receptor uptake)
and each patient's own PK parameters shape the exposure, as in the simulated trial.

The area is computed on a grid of save times (0, 0.25, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10,
12, 16, 20 and 24 h after every administration) by the linear-up / log-down trapezoidal
rule, the non-compartmental standard for a rising-then-exponentially-falling profile
(Gabrielsson & Weiner, Pharmacokinetic and Pharmacodynamic Data Analysis, 5th ed., 2016,
ch. 2); tests/safety/test_exposure.py checks it against a fine grid. The solve covers only
the dosing period plus one day, saving one state, so its cost is a fraction of the trial's.
"""

from __future__ import annotations

import numpy as np

#: Days: the window stops this much before 24 h, so the next day's dose is not inside it.
_EPS = 1e-7

__all__ = ["GRID_HOURS", "auc_linear_up_log_down", "daily_exposure", "dosing_days"]

#: Hours after each administration at which the exposure state is saved.
GRID_HOURS = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0, 20.0, 24.0)


def auc_linear_up_log_down(times: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Area under ``values`` (``(n, m)``, rows are patients) over ``times`` (``(m,)``):
    linear trapezoid where the curve rises or is flat, log trapezoid where it falls between
    two positive values. NaN rows (failed simulations) give NaN."""
    t = np.asarray(times, dtype=float)
    c = np.asarray(values, dtype=float)
    dt = np.diff(t)
    c0, c1 = c[:, :-1], c[:, 1:]
    linear = 0.5 * (c0 + c1) * dt
    with np.errstate(divide="ignore", invalid="ignore"):
        falling = (c1 < c0) & (c1 > 0) & (c0 > 0)
        log_piece = (c0 - c1) * dt / np.log(c0 / c1)
    return np.sum(np.where(falling, log_piece, linear), axis=1)


def dosing_days(times: np.ndarray) -> np.ndarray:
    """Whole study days on which administrations (dose-event times) fall, sorted."""
    return np.unique(np.floor(np.asarray(times, dtype=float) + 1e-9))


def _windows(times: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) of each dosing day's 24-hour window: from its first administration."""
    times = np.sort(np.asarray(times, dtype=float))
    out = []
    for day in dosing_days(times):
        first = times[np.floor(times + 1e-9) == day].min()
        out.append((float(first), float(first) + 1.0 - _EPS))
    return out


def daily_exposure(
    params: np.ndarray,
    y0: np.ndarray,
    events,
    state: str,
    volume_parameter: str,
    scale: float = 1000.0,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per patient (row of ``params`` / ``y0``; ``events`` patient indices are rows):
    ``(days, auc)`` lists: the whole days with administrations and the area under
    ``state / params[volume_parameter] * scale`` over each day's 24-hour window, in
    concentration units x days (aldesleukin: pM x day). Patients without events get empty
    arrays; a failed solve gives NaN areas.
    """
    from tregsim.model import MODEL
    from tregsim.solve import solve_batch

    params = np.asarray(params, dtype=float)
    y0 = np.asarray(y0, dtype=float)
    n = params.shape[0]
    per_patient = [np.asarray(events.time)[np.asarray(events.patient) == i] for i in range(n)]
    windows = [_windows(t) if t.size else [] for t in per_patient]
    days_out = [np.array([np.floor(a + 1e-9) for a, _ in w]) for w in windows]
    admin = np.concatenate([np.empty(0), *per_patient])
    if not admin.size:
        return days_out, [np.empty(0) for _ in range(n)]
    offsets = np.asarray(GRID_HOURS) / 24.0
    # a point just before every administration, so a bolus is not smeared backwards
    points = [(admin[:, None] + offsets[None, :]).ravel(), admin - _EPS]
    points.append(np.array([edge for w in windows for pair in w for edge in pair]))
    save_times = np.unique(np.concatenate(points))
    # merge points closer than a microsecond-scale gap (float noise between, e.g., a dose at
    # 1/3 day and the 8-hour grid point of the one before it), which would underflow a step
    save_times = save_times[np.concatenate([[True], np.diff(save_times) > 1e-9])]
    save_times = save_times[save_times >= 0.0]
    index = MODEL.state_index[state]
    solution = solve_batch(params, y0, events, save_times, save_states=[index])
    volume = params[:, MODEL.parameter_index[volume_parameter]]
    conc = np.asarray(solution.values)[:, :, 0] / volume[:, None] * scale
    aucs = []
    for row, patient_windows in enumerate(windows):
        area = np.empty(len(patient_windows))
        for k, (start, end) in enumerate(patient_windows):
            inside = (save_times >= start - 1e-9) & (save_times <= end + 1e-9)
            area[k] = auc_linear_up_log_down(save_times[inside], conc[row : row + 1, inside])[0]
        aucs.append(area)
    return days_out, aucs
