"""Daily plasma IL-2 AUC from the simulated model."""

import numpy as np
import pytest

from tregsim.model import MODEL, initial_state, observe
from tregsim.model.dosing import NMOL_PER_MIU, SC_LAG_DAYS
from tregsim.safety.exposure import auc_linear_up_log_down, daily_exposure
from tregsim.solve import EventTable, solve_batch


def test_log_down_trapezoid_is_exact_for_exponential_decay():
    t = np.array([0.0, 0.1, 0.5, 1.0])
    c = 50.0 * np.exp(-3.0 * t)
    exact = 50.0 / 3.0 * (1 - np.exp(-3.0))
    assert auc_linear_up_log_down(t, c[None, :])[0] == pytest.approx(exact, rel=1e-12)


def _sc_events(dose_miu, days=3):
    t = np.arange(days) + SC_LAG_DAYS
    return EventTable(
        time=t,
        patient=np.zeros(days, dtype=np.int64),
        state=np.full(days, MODEL.state_index["il2_depot"]),
        kind=np.zeros(days, dtype=np.int8),
        value=np.full(days, dose_miu * NMOL_PER_MIU),
    )


def test_daily_auc_matches_a_fine_grid_of_the_model_observable():
    params = MODEL.default_parameters[None, :]
    y0 = initial_state(params)
    events = _sc_events(1.0)
    days, aucs = daily_exposure(params, y0, events, "il2_central", "il2_v1")
    assert days[0].tolist() == [0.0, 1.0, 2.0]
    # reference: the model's il2_pm on a 1-minute grid over day 0's window
    grid = SC_LAG_DAYS + np.linspace(0.0, 1.0 - 1e-7, 1441)
    sol = solve_batch(params, y0, events, grid)
    pm = observe(sol.values[0], params[0])["il2_pm"]
    reference = np.trapezoid(pm, grid)
    assert aucs[0][0] == pytest.approx(reference, rel=0.02)


def test_exposure_rises_with_dose_and_is_zero_without_doses():
    params = np.repeat(MODEL.default_parameters[None, :], 2, axis=0)
    y0 = initial_state(params)
    low, high = _sc_events(0.33, 1), _sc_events(3.0, 1)
    events = EventTable.concat(
        [low, EventTable(high.time, np.ones(1, dtype=np.int64), high.state, high.kind, high.value)]
    )
    _, aucs = daily_exposure(params, y0, events, "il2_central", "il2_v1")
    assert 0 < aucs[0][0] < aucs[1][0] / 5
    _, none = daily_exposure(params, y0, EventTable.empty(), "il2_central", "il2_v1")
    assert all(a.size == 0 for a in none)
