"""Rodas4 batch solver against references: analytic solutions, scipy Radau, measured order."""

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg

from tregsim.solve import EventTable, solve_batch, solve_in_chunks

from . import models as M

LOOSE = 1e3  # tolerance so loose that every step is accepted: steps land on the save grid


def _fixed_step(rhs, jac, params, y0, t_end, n_steps, **kw):
    """Fixed-step Rodas4 through the adaptive solver: a uniform save grid with loose
    tolerances makes every step exactly one grid interval."""
    grid = np.linspace(0.0, t_end, n_steps + 1)
    sol = solve_batch(
        np.atleast_2d(params),
        np.atleast_2d(y0),
        None,
        grid,
        rtol=LOOSE,
        atol=LOOSE,
        rhs=rhs,
        jac=jac,
        **kw,
    )
    assert sol.n_steps[0] == n_steps
    return sol.values[0, -1]


def _observed_orders(errors):
    errors = np.asarray(errors)
    return np.log2(errors[:-1] / errors[1:])


def test_convergence_order_linear_system_vs_expm():
    a = np.array([[-1.0, 2.0, 0.0], [-2.0, -1.0, 0.5], [0.3, 0.0, -4.0]])
    y0 = np.array([1.0, 0.5, -0.2])
    exact = scipy.linalg.expm(2.0 * a) @ y0
    errs = [
        np.max(np.abs(_fixed_step(M.linear_rhs, M.linear_jac, a.ravel(), y0, 2.0, n) - exact))
        for n in (8, 16, 32, 64)
    ]
    orders = _observed_orders(errs)
    assert np.all((orders > 3.7) & (orders < 4.5)), orders


def test_convergence_order_nonlinear_and_nonautonomous():
    # y' = y^2, y(0)=1: exact 1/(1-t); nonlinear order conditions matter here
    errs = [
        abs(_fixed_step(M.blowup_rhs, M.blowup_jac, [1.0], [1.0], 0.5, n)[0] - 2.0)
        for n in (16, 32, 64, 128)
    ]
    orders = _observed_orders(errs)
    assert np.all((orders > 3.7) & (orders < 4.3)), orders
    # y' = cos(t) y (explicit t dependence through the f_t terms): exact exp(sin t)
    errs = [
        abs(
            _fixed_step(M.forced_rhs, M.forced_jac, [1.0], [1.0], 3.0, n, autonomous=False)[0]
            - np.exp(np.sin(3.0))
        )
        for n in (8, 16, 32, 64)
    ]
    orders = _observed_orders(errs)
    assert np.all((orders > 3.7) & (orders < 5.5)), orders  # measured 5.1, 5.1, 5.2
    # dropping the f_t terms (wrongly declaring the problem autonomous) costs the order
    wrong = [
        abs(
            _fixed_step(M.forced_rhs, M.forced_jac, [1.0], [1.0], 3.0, n, autonomous=True)[0]
            - np.exp(np.sin(3.0))
        )
        for n in (32, 64)
    ]
    assert _observed_orders(wrong)[0] < 1.5


def test_adaptive_error_tracks_tolerance():
    a = np.array([[-1.0, 2.0, 0.0], [-2.0, -1.0, 0.5], [0.3, 0.0, -4.0]])
    y0 = np.array([1.0, 0.5, -0.2])
    times = np.linspace(0, 3, 7)
    exact = np.array([scipy.linalg.expm(t * a) @ y0 for t in times])
    for tol in (1e-4, 1e-7, 1e-10):
        sol = solve_batch(
            a.ravel()[None],
            y0[None],
            None,
            times,
            rtol=tol,
            atol=tol,
            rhs=M.linear_rhs,
            jac=M.linear_jac,
        )
        err = np.max(np.abs(sol.values[0] - exact))
        assert err < 30 * tol, (tol, err)


def test_robertson_agrees_with_scipy_radau():
    k = np.array([[0.04, 3e7, 1e4], [0.08, 1e7, 3e4]])
    times = np.array([0.0, 0.4, 4.0, 40.0, 400.0, 4e3, 4e4])
    y0 = np.tile([1.0, 0.0, 0.0], (2, 1))
    sol = solve_batch(
        k, y0, None, times, rtol=1e-10, atol=1e-14, rhs=M.robertson_rhs, jac=M.robertson_jac
    )
    assert sol.n_failed == 0
    for i in range(2):
        ref = scipy.integrate.solve_ivp(
            lambda t, y, i=i: _robertson_py(y, k[i]),
            (0, times[-1]),
            y0[i],
            method="Radau",
            t_eval=times,
            rtol=1e-10,
            atol=1e-14,
            jac=lambda t, y, i=i: _robertson_jac_py(y, k[i]),
        )
        assert ref.success
        scale = np.array([1.0, 1e-5, 1.0])  # y2 is O(1e-5)
        np.testing.assert_allclose(sol.values[i] / scale, ref.y.T / scale, rtol=0, atol=2e-7)


def _robertson_py(y, k):
    return [
        -k[0] * y[0] + k[2] * y[1] * y[2],
        k[0] * y[0] - k[2] * y[1] * y[2] - k[1] * y[1] ** 2,
        k[1] * y[1] ** 2,
    ]


def _robertson_jac_py(y, k):
    return [
        [-k[0], k[2] * y[2], k[2] * y[1]],
        [k[0], -k[2] * y[2] - 2 * k[1] * y[1], -k[2] * y[1]],
        [0, 2 * k[1] * y[1], 0],
    ]


def _pk_exact(t, doses_depot, doses_central, ka, ke):
    depot = np.zeros_like(t)
    central = np.zeros_like(t)
    for td, amt in doses_depot:
        tau = t - td
        on = tau >= 0
        depot[on] += amt * np.exp(-ka * tau[on])
        central[on] += amt * ka / (ka - ke) * (np.exp(-ke * tau[on]) - np.exp(-ka * tau[on]))
    for td, amt in doses_central:
        tau = t - td
        on = tau >= 0
        central[on] += amt * np.exp(-ke * tau[on])
    return np.stack([depot, central], axis=-1)


def test_pk_bolus_events_exact_at_event_time():
    ka, ke = 1.5, 0.3
    t_dose = 1.234
    times = np.array([0.0, 0.5, t_dose - 1e-9, t_dose, 2.0, 5.0, 10.0])
    events = EventTable.concat(
        [
            EventTable.from_dose_records([0, 1], [0.0, 0.0], [100.0, 50.0], [0, 0]),
            EventTable([t_dose], [0], [1], [0], [7.0]),  # IV bolus into central
            EventTable.from_dose_records(1, t_dose, 20.0, 0, ADDL=3, II=2.0),  # oral, repeated
        ]
    )
    sol = solve_batch(
        [[ka, ke], [ka, ke]],
        np.zeros((2, 2)),
        events,
        times,
        rtol=1e-10,
        atol=1e-12,
        rhs=M.pk_rhs,
        jac=M.pk_jac,
    )
    assert sol.n_failed == 0
    ex0 = _pk_exact(times, [(0.0, 100.0)], [(t_dose, 7.0)], ka, ke)
    ex1 = _pk_exact(times, [(0.0, 50.0)] + [(t_dose + 2 * k, 20.0) for k in range(4)], [], ka, ke)
    np.testing.assert_allclose(sol.values[0], ex0, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(sol.values[1], ex1, rtol=1e-8, atol=1e-10)
    # the jump shows at the event time: value at t_dose includes the dose
    jump = sol.values[0, 3, 1] - sol.values[0, 2, 1]
    assert jump == pytest.approx(7.0, abs=1e-7)
    jump = sol.values[1, 3, 0] - sol.values[1, 2, 0]
    assert jump == pytest.approx(20.0, abs=1e-7)


def test_set_and_multiply_events():
    times = np.array([0.0, 1.0, 2.0, 3.0])
    events = EventTable([1.0, 1.0, 2.0], [0, 0, 0], [0, 0, 0], [1, 2, 2], [8.0, 0.5, 0.25])
    sol = solve_batch([[0.0, 0.0]], [[3.0, 0.0]], events, times, rhs=M.pk_rhs, jac=M.pk_jac)
    # set to 8 then (table order) multiply by 0.5 at t=1; multiply by 0.25 at t=2
    np.testing.assert_array_equal(sol.values[0, :, 0], [3.0, 4.0, 1.0, 1.0])


def test_failures_are_isolated():
    # y' = p y^2, y(0)=1 blows up at t = 1/p; the horizon is 2
    p = np.array([[0.1], [1.0], [0.3], [np.nan], [0.2]])
    times = np.array([0.0, 1.0, 2.0])
    sol = solve_batch(
        p, np.ones((5, 1)), None, times, rtol=1e-8, atol=1e-10, rhs=M.blowup_rhs, jac=M.blowup_jac
    )
    assert list(sol.status != 0) == [False, True, False, True, False]
    assert sol.n_failed == 2
    assert sol.status[3] == 3  # non-finite parameter
    assert sol.status[1] in (1, 2, 3)
    assert np.all(np.isnan(sol.values[[1, 3]]))
    for i in (0, 2, 4):
        exact = 1.0 / (1.0 - p[i, 0] * times)
        np.testing.assert_allclose(sol.values[i, :, 0], exact, rtol=1e-6)
    alone = solve_batch(
        p[[0, 2, 4]],
        np.ones((3, 1)),
        None,
        times,
        rtol=1e-8,
        atol=1e-10,
        rhs=M.blowup_rhs,
        jac=M.blowup_jac,
    )
    np.testing.assert_array_equal(alone.values, sol.values[[0, 2, 4]])


def test_max_steps_status():
    sol = solve_batch(
        [[0.04, 3e7, 1e4]],
        [[1.0, 0.0, 0.0]],
        None,
        [0.0, 1e5],
        max_steps=20,
        rhs=M.robertson_rhs,
        jac=M.robertson_jac,
    )
    assert sol.status[0] == 1 and sol.n_steps[0] == 20
    assert np.all(np.isnan(sol.values))


def _mixed_batch(n, seed=0):
    rng = np.random.default_rng(seed)
    k = np.column_stack(
        [
            0.04 * rng.lognormal(0, 0.5, n),
            3e7 * rng.lognormal(0, 0.5, n),
            1e4 * rng.lognormal(0, 0.5, n),
        ]
    )
    patient = rng.integers(0, n, 3 * n)
    events = EventTable(
        rng.uniform(0, 50, 3 * n),
        patient,
        rng.integers(0, 3, 3 * n),
        np.zeros(3 * n, np.int64),
        rng.uniform(0, 0.2, 3 * n),
    )
    return k, np.tile([1.0, 0.0, 0.0], (n, 1)), events


def test_identical_across_threads_and_chunks():
    k, y0, events = _mixed_batch(60)
    times = np.array([0.0, 1.0, 10.0, 30.0, 100.0])
    kw = dict(rtol=1e-7, atol=1e-11, rhs=M.robertson_rhs, jac=M.robertson_jac)
    one = solve_batch(k, y0, events, times, threads=1, **kw)
    two = solve_batch(k, y0, events, times, threads=2, **kw)
    chunked = solve_in_chunks(k, y0, events, times, chunk_size=7, threads=2, **kw)
    assert one.n_failed == 0
    for other in (two, chunked):
        np.testing.assert_array_equal(other.values, one.values)
        np.testing.assert_array_equal(other.n_steps, one.n_steps)
        np.testing.assert_array_equal(other.status, one.status)


def test_decay_stays_nonnegative():
    # y' = -k y over 12 decades of stiffness; Rodas4's stability function is positive on
    # the negative real axis, so no undershoot below zero
    k = np.logspace(-2, 10, 25)
    times = np.linspace(0, 10, 11)
    sol = solve_batch(
        -k[:, None],
        np.ones((25, 1)),
        None,
        times,
        rtol=1e-6,
        atol=1e-12,
        rhs=M.linear_rhs,
        jac=M.linear_jac,
    )
    assert sol.n_failed == 0
    assert np.all(sol.values >= 0.0)
    exact = np.exp(-k[:, None] * times[None, :])
    np.testing.assert_allclose(sol.values[..., 0], exact, rtol=1e-4, atol=1e-11)


def test_per_patient_start_times_make_patients_independent_of_the_batch():
    """With t0 per patient, a patient's values do not depend on who else is in the batch."""
    theta = np.array([[1.5, 0.3], [0.7, 0.2], [2.0, 0.5]])
    t0 = np.array([-3.0, -10.0, -0.5])
    events = EventTable.from_dose_records(
        np.array([0, 1, 2, 1]), np.array([-2.0, -9.0, 0.0, 1.0]), 100.0, 0
    )
    times = np.array([0.0, 1.5, 4.0])
    together = solve_batch(
        theta, np.zeros((3, 2)), events, times, t0=t0, rhs=M.pk_rhs, jac=M.pk_jac
    )
    for i in range(3):
        keep = events.patient == i
        alone = solve_batch(
            theta[i : i + 1],
            np.zeros((1, 2)),
            EventTable(
                events.time[keep],
                np.zeros(keep.sum(), int),
                events.state[keep],
                events.kind[keep],
                events.value[keep],
            ),
            times,
            t0=t0[i],
            rhs=M.pk_rhs,
            jac=M.pk_jac,
        )
        np.testing.assert_array_equal(together.values[i], alone.values[0])
    chunked = solve_in_chunks(
        theta, np.zeros((3, 2)), events, times, t0=t0, chunk_size=2, rhs=M.pk_rhs, jac=M.pk_jac
    )
    np.testing.assert_array_equal(chunked.values, together.values)


def test_outputs_are_read_only_and_shaped():
    sol = solve_batch(
        [[1.0, 0.5]],
        [[1.0, 0.0]],
        None,
        [0.0, 1.0, 2.0],
        save_states=[1],
        rhs=M.pk_rhs,
        jac=M.pk_jac,
    )
    assert sol.values.shape == (1, 3, 1) and sol.status.dtype == np.int8
    with pytest.raises(ValueError):
        sol.values[0, 0, 0] = 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(save_times=[1.0, 0.5]), "nondecreasing"),
        (dict(save_times=[-1.0, 0.5]), "t0"),
        (dict(save_states=[5]), "save_states"),
        (dict(rtol=-1.0), "rtol"),
        (dict(y0=np.ones((2, 2))), "params"),
        (dict(events=EventTable([0.5], [3], [0], [0], [1.0])), "patient"),
        (dict(events=EventTable([0.5], [0], [9], [0], [1.0])), "state"),
        (dict(threads=0), "threads"),
        (dict(t0=[0.0, 0.0]), "t0"),
        (dict(t0=0.7, events=EventTable([0.5], [0], [0], [0], [1.0])), "t0"),
    ],
)
def test_bad_arguments_fail_before_work(kwargs, match):
    args = dict(
        params=[[1.0, 0.5]],
        y0=[[1.0, 0.0]],
        events=None,
        save_times=[0.0, 1.0],
        rhs=M.pk_rhs,
        jac=M.pk_jac,
    )
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        solve_batch(**args)
