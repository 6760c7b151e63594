"""Template of the Rodas4 stepping loop of one patient: the first half of the kernel module
that :mod:`tregsim.solve._kernels` writes for a model (the second half, the 8-lane loop and
the parallel batch driver, is :mod:`tregsim.solve._rodas_lanes_template`).

Do not import ``rhs``/``jac`` from anywhere else: :mod:`tregsim.solve._kernels` copies this
file into a cache directory, replacing the block between the MODEL markers by an import of
the model's kernels, so that numba compiles and caches the loop with ``rhs``/``jac`` as
globals. The placeholder kernels below (exponential decay ``y' = -p[0] y``) keep this file
importable and testable as it is. Method: see :mod:`tregsim.solve.rosenbrock`; step-size
control and segment starts (events, saves), shared with the lane loop:
:mod:`tregsim.solve.step_control`, :mod:`tregsim.solve.segments`.
"""

import numpy as np
from numba import njit

from tregsim.solve.rosenbrock import (
    A21,
    A31,
    A32,
    A41,
    A42,
    A43,
    A51,
    A52,
    A53,
    A54,
    C2,
    C3,
    C4,
    C21,
    C31,
    C32,
    C41,
    C42,
    C43,
    C51,
    C52,
    C53,
    C54,
    C61,
    C62,
    C63,
    C64,
    C65,
    D1,
    D2,
    D3,
    D4,
    EPS,
    GAMMA,
    NON_FINITE,
    OK,
    dense_lu_load,
    lu_factor,
    lu_solve,
    no_extend_parameters,
    no_jac_scatter,
    no_jac_values,
    no_jac_values_lanes,
    no_lu_factor,
    no_lu_factor_lanes,
    no_lu_load,
    no_lu_load_lanes,
    no_lu_solve,
    no_lu_solve_lanes,
    no_rhs_lanes,
    rms_scaled,
)
from tregsim.solve.segments import start_segment
from tregsim.solve.step_control import controller_roots, judge_step, plan_step, restart_step


# BEGIN MODEL
@njit(cache=True)
def rhs(t, y, p, dydt):
    for i in range(y.shape[0]):
        dydt[i] = -p[0] * y[i]


@njit(cache=True)
def jac(t, y, p, J):
    for i in range(y.shape[0]):
        for j in range(y.shape[0]):
            J[i, j] = -p[0] if i == j else 0.0


SPARSE_LU = False  # True: the model module provides a generated sparse LU (see _kernels)
JAC_NNZ = 1
LU_NNZ = 1
jac_values = no_jac_values
jac_scatter = no_jac_scatter
sparse_lu_load = no_lu_load
sparse_lu_factor = no_lu_factor
sparse_lu_solve = no_lu_solve
EXTENDED = False  # True: rhs and jac_values take the model's extended parameters
N_EXTENDED = 1
extend_parameters = no_extend_parameters
LANE_KERNELS = False  # True: the model provides *_lanes kernels (SIMD across patients)
LANES = 1
rhs_lanes = no_rhs_lanes
jac_values_lanes = no_jac_values_lanes
lu_load_lanes = no_lu_load_lanes
lu_factor_lanes = no_lu_factor_lanes
lu_solve_lanes = no_lu_solve_lanes
# END MODEL


@njit(cache=True, nogil=True)
def _jacobian(t, y, p, jmat, jvals):
    """The model's Jacobian: its nonzeros into ``jvals`` if it has a generated sparse LU,
    else dense into ``jmat``."""
    if SPARSE_LU:
        jac_values(t, y, p, jvals)
    else:
        jac(t, y, p, jmat)


@njit(cache=True, nogil=True)
def _factor(jmat, jvals, inv_hg, emat, esp, piv):
    """LU of ``I*inv_hg - J``: the model's sparse LU (packed in ``esp``) if it has one, else
    (or if that one reports a bad pivot) dense LU with partial pivoting in ``emat``, ``J``
    then scattered from ``jvals`` into the zero-initialised ``jmat``. Returns (ok, sparse)."""
    if SPARSE_LU:
        sparse_lu_load(jvals, inv_hg, esp)
        if sparse_lu_factor(esp, piv):
            return True, True
        jac_scatter(jvals, jmat)
    dense_lu_load(jmat, inv_hg, emat)
    return lu_factor(emat, piv), False


@njit(cache=True, nogil=True)
def _solve(emat, esp, piv, b, sparse):
    if SPARSE_LU and sparse:
        sparse_lu_solve(esp, piv, b)
    else:
        lu_solve(emat, piv, b)


@njit(cache=True, nogil=True, error_model="numpy")
def initial_step(t, y, p, f0, atol, rtol, t_end, ytmp, f1):
    """Starting step (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.4, for order 4)."""
    n = y.shape[0]
    d0 = rms_scaled(y, y, atol, rtol)
    d1 = rms_scaled(f0, y, atol, rtol)
    if d0 < 1e-5 or d1 < 1e-5:
        h0 = 1e-6
    else:
        h0 = 0.01 * d0 / d1
    h0 = min(h0, t_end - t)
    for i in range(n):
        ytmp[i] = y[i] + h0 * f0[i]
    rhs(t + h0, ytmp, p, f1)
    for i in range(n):
        f1[i] -= f0[i]
    d2 = rms_scaled(f1, y, atol, rtol) / h0
    dm = max(d1, d2)
    if not np.isfinite(dm):
        return h0 * 1e-3
    if dm <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / dm) ** 0.2
    return min(100.0 * h0, h1, t_end - t)


@njit(cache=True, nogil=True, error_model="numpy")
def integrate_patient(
    p_in,
    y0,
    t0,
    save_times,
    save_states,
    ev_time,
    ev_state,
    ev_kind,
    ev_value,
    rtol,
    atol,
    max_steps,
    autonomous,
    out,
):
    """Integrate one patient from ``t0`` through ``save_times``; fill ``out`` (m, k).

    Stops exactly at each event time, applies the events there (table order) and goes on
    with the step size it had before the event (as Hairer & Wanner's codes do at a restart):
    only the first step of the patient comes from the starting-step heuristic. Values saved
    at a time ``t`` include events at ``t`` (:func:`~tregsim.solve.segments.start_segment`).
    Steps are clipped to land exactly on save times (no interpolation); the step after a
    clipped one starts from the unclipped step size. Step size control: Gustafsson's
    predictive (PI) controller as in RODAS (Hairer & Wanner 1996, sec. IV.8, eq. 8.21), see
    :mod:`tregsim.solve.step_control`. Returns ``(status, attempted_steps,
    rejected_steps)``; on failure ``out`` is all NaN.
    """
    if EXTENDED:  # parameter-only terms of the model, once per patient
        p = np.empty(N_EXTENDED)
        extend_parameters(p_in, p)
    else:
        p = p_in.copy()
    n = y0.shape[0]
    m = save_times.shape[0]
    n_ev = ev_time.shape[0]
    y = y0.copy()
    ynew = np.empty(n)
    ytmp = np.empty(n)
    f0 = np.empty(n)
    ft = np.empty(n)
    fs = np.empty(n)
    u = np.empty((6, n))
    jmat = np.zeros((n, n))
    jvals = np.empty(JAC_NNZ)
    emat = np.empty((n, n))
    esp = np.empty(LU_NNZ)
    piv = np.empty(n, dtype=np.int64)

    status = OK
    steps = 0
    rejected = 0
    for i in range(n):
        if not np.isfinite(y[i]):
            status = NON_FINITE
    for i in range(p_in.shape[0]):
        if not np.isfinite(p_in[i]):
            status = NON_FINITE

    t = t0
    ie = 0
    isave = 0
    h = 0.0
    first = True
    h_acc = 0.0  # last accepted (unclipped) step and its error, for the predictive controller
    err_acc = 0.0
    have_acc = False
    after_event = False
    while status == OK:
        ie, isave, t_end, event = start_segment(
            t,
            y,
            1,
            0,
            ie,
            n_ev,
            ev_time,
            ev_state,
            ev_kind,
            ev_value,
            isave,
            save_times,
            save_states,
            out,
        )
        if event:
            have_acc = False  # the solution is not smooth across the event
            after_event = True
        if isave == m:
            break

        # ---- adaptive Rodas4 steps from t to exactly t_end --------------------------------
        need_jac = True
        reject = False
        while True:
            if need_jac:
                rhs(t, y, p, f0)
                finite = True
                for i in range(n):
                    if not np.isfinite(f0[i]):
                        finite = False
                if not finite:
                    status = NON_FINITE
                    break
                _jacobian(t, y, p, jmat, jvals)
                if autonomous:
                    for i in range(n):
                        ft[i] = 0.0
                else:
                    dt = np.sqrt(EPS) * max(abs(t), 1.0)
                    rhs(t + dt, y, p, ft)
                    for i in range(n):
                        ft[i] = (ft[i] - f0[i]) / dt
                if first or after_event:
                    h0 = initial_step(t, y, p, f0, atol, rtol, t_end, ytmp, fs)
                    h = restart_step(h, h0, first)
                    first = False
                after_event = False
                need_jac = False
            status, h_step, last = plan_step(t, h, t_end, steps, max_steps)
            if status != OK:
                break
            h_intended = h
            h = h_step
            steps += 1

            # stages (divisions by h as one reciprocal: vectorized divisions cost more than
            # the rest of a stage's arithmetic)
            inv_h = 1.0 / h
            ok, sparse = _factor(jmat, jvals, 1.0 / (h * GAMMA), emat, esp, piv)
            err = np.inf
            if ok:
                for i in range(n):
                    u[0, i] = f0[i] + h * D1 * ft[i]
                _solve(emat, esp, piv, u[0], sparse)
                # stage 2
                for i in range(n):
                    ytmp[i] = y[i] + A21 * u[0, i]
                rhs(t + C2 * h, ytmp, p, fs)
                for i in range(n):
                    u[1, i] = fs[i] + (C21 * inv_h) * u[0, i] + h * D2 * ft[i]
                _solve(emat, esp, piv, u[1], sparse)
                # stage 3
                for i in range(n):
                    ytmp[i] = y[i] + A31 * u[0, i] + A32 * u[1, i]
                rhs(t + C3 * h, ytmp, p, fs)
                for i in range(n):
                    u[2, i] = fs[i] + (C31 * u[0, i] + C32 * u[1, i]) * inv_h + h * D3 * ft[i]
                _solve(emat, esp, piv, u[2], sparse)
                # stage 4
                for i in range(n):
                    ytmp[i] = y[i] + A41 * u[0, i] + A42 * u[1, i] + A43 * u[2, i]
                rhs(t + C4 * h, ytmp, p, fs)
                for i in range(n):
                    u[3, i] = (
                        fs[i]
                        + (C41 * u[0, i] + C42 * u[1, i] + C43 * u[2, i]) * inv_h
                        + h * D4 * ft[i]
                    )
                _solve(emat, esp, piv, u[3], sparse)
                # stage 5
                for i in range(n):
                    ytmp[i] = y[i] + A51 * u[0, i] + A52 * u[1, i] + A53 * u[2, i] + A54 * u[3, i]
                rhs(t + h, ytmp, p, fs)
                for i in range(n):
                    u[4, i] = (
                        fs[i]
                        + (C51 * u[0, i] + C52 * u[1, i] + C53 * u[2, i] + C54 * u[3, i]) * inv_h
                    )
                _solve(emat, esp, piv, u[4], sparse)
                # stage 6: embedded solution, then the solution
                for i in range(n):
                    ytmp[i] += u[4, i]
                rhs(t + h, ytmp, p, fs)
                for i in range(n):
                    u[5, i] = (
                        fs[i]
                        + (
                            C61 * u[0, i]
                            + C62 * u[1, i]
                            + C63 * u[2, i]
                            + C64 * u[3, i]
                            + C65 * u[4, i]
                        )
                        * inv_h
                    )
                _solve(emat, esp, piv, u[5], sparse)
                s = 0.0
                for i in range(n):
                    ynew[i] = ytmp[i] + u[5, i]
                    sc = atol[i] + rtol[i] * max(abs(y[i]), abs(ynew[i]))
                    s += (u[5, i] / sc) ** 2
                err = np.sqrt(s / n)

            root_err, root_gus = controller_roots(err, err_acc)
            accepted, status, t, h, h_acc, err_acc, have_acc = judge_step(
                err,
                root_err,
                root_gus,
                t,
                t_end,
                h,
                h_intended,
                last,
                reject,
                h_acc,
                err_acc,
                have_acc,
            )
            reject = not accepted
            if not accepted:
                rejected += 1
                if status != OK:
                    break
                continue
            for i in range(n):
                y[i] = ynew[i]
            need_jac = True
            if last:
                break
    if status != OK:
        for i in range(out.shape[0]):
            for k in range(out.shape[1]):
                out[i, k] = np.nan
    return status, steps, rejected
