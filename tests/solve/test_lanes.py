"""The lane driver (SIMD across patients) against the one-patient path: bit-identical."""

import numpy as np
import pytest

from tregsim.solve import EventTable, solve_batch

from . import lane_model as LM


def _pilot_like(n, seed=0):
    """The tregsim model, ``n`` patients with parameters spread around the defaults, IL-2
    doses and disease-activity ``set`` events at patient-specific times."""
    from tregsim.model import MODEL, initial_state

    rng = np.random.default_rng(seed)
    params = MODEL.default_parameters * np.exp(0.15 * rng.standard_normal((n, MODEL.n_params)))
    y0 = initial_state(params)
    depot = MODEL.state_index["il2_depot"]
    activity = MODEL.state_index["disease_activity"]
    times, patients, states, kinds, values = [], [], [], [], []
    for i in range(n):
        for day in np.sort(rng.uniform(0, 40, 6)):
            times.append(day), patients.append(i), states.append(depot), kinds.append(0)
            values.append(rng.uniform(0.01, 0.2))
        times.append(rng.uniform(0, 60)), patients.append(i), states.append(activity)
        kinds.append(1), values.append(rng.uniform(0.5, 2.0))
    events = EventTable(
        np.array(times), np.array(patients), np.array(states), np.array(kinds), np.array(values)
    )
    return params, y0, events


def _assert_same(a, b):
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(a.n_steps, b.n_steps)
    np.testing.assert_array_equal(a.n_rejected, b.n_rejected)


def test_tregsim_model_lanes_bit_identical_to_one_patient_path():
    # 21 patients: two full lane groups and a part-filled one; 1 and 2 threads
    params, y0, events = _pilot_like(21)
    params[4, 0] = np.nan  # a failing patient among them
    times = np.array([0.0, 0.5, 3.0, 10.0, 30.0, 45.0, 90.0])
    ref = solve_batch(params, y0, events, times, lanes=False, threads=1)
    assert ref.status[4] == 3 and ref.n_failed == 1
    assert ref.n_steps[[0, 1, 2, 3]].min() > 100  # the doses make real work
    for threads in (1, 2):
        _assert_same(solve_batch(params, y0, events, times, lanes=True, threads=threads), ref)


def test_tregsim_model_patient_independent_of_its_lane_mates():
    params, y0, events = _pilot_like(12, seed=3)
    times = np.array([0.0, 20.0, 60.0])
    together = solve_batch(params, y0, events, times)
    keep = events.patient == 7
    alone = solve_batch(
        params[7:8],
        y0[7:8],
        EventTable(
            events.time[keep],
            np.zeros(keep.sum(), np.int64),
            events.state[keep],
            events.kind[keep],
            events.value[keep],
        ),
        times,
    )
    np.testing.assert_array_equal(alone.values[0], together.values[7])


@pytest.mark.parametrize("threads", [1, 2])
def test_bad_pivot_patients_go_to_the_pivoting_lu(threads):
    n = 19
    rng = np.random.default_rng(1)
    a = rng.uniform(0.5, 3.0, n)
    b = rng.uniform(0.1, 1.0, n)
    flag = np.where(np.arange(n) % 5 == 2, 1.0, 0.0)  # patients 2, 7, 12, 17
    params = np.column_stack([a, b, flag])
    y0 = np.tile([1.0, 0.0], (n, 1))
    events = EventTable.from_dose_records(np.arange(n), rng.uniform(0.5, 2.0, n), 1.0, 0)
    times = np.linspace(0.0, 5.0, 11)
    kw = dict(rhs=LM.rhs, jac=LM.jac, threads=threads)
    lanes = solve_batch(params, y0, events, times, lanes=True, **kw)
    single = solve_batch(params, y0, events, times, lanes=False, **kw)
    _assert_same(lanes, single)
    assert lanes.n_failed == 0
    # exact: a unit dose into y0 at t=0 and another at t_d
    t = times[None, :]
    td = events.time[np.argsort(events.patient)][:, None]

    def chain(s):
        s = np.maximum(s, 0.0)
        return a[:, None] / (b - a)[:, None] * (np.exp(-a[:, None] * s) - np.exp(-b[:, None] * s))

    exact = chain(t) + np.where(t >= td, chain(t - td), 0.0)
    np.testing.assert_allclose(lanes.values[:, :, 1], exact, rtol=1e-5, atol=1e-9)


def test_tregsim_model_lanes_same_failures_and_start_times():
    """max_steps and per-patient start times through the lane driver as through the
    one-patient path."""
    params, y0, events = _pilot_like(11, seed=2)
    times = np.array([0.0, 5.0, 50.0])
    t0 = -np.linspace(0.0, 20.0, 11)
    median = int(np.median(solve_batch(params, y0, events, times).n_steps))
    for kw in (dict(max_steps=median), dict(t0=t0)):
        ref = solve_batch(params, y0, events, times, lanes=False, **kw)
        _assert_same(solve_batch(params, y0, events, times, lanes=True, **kw), ref)
        if "max_steps" in kw:
            assert 0 < ref.n_failed < 11 and set(ref.status) <= {0, 1}
