"""Template of the Rodas4 stepping loop (one patient, and 8 patients in SIMD lanes) and the
parallel batch driver.

Do not import ``rhs``/``jac`` from anywhere else: :mod:`tregsim.solve._kernels` copies this
file into a cache directory, replacing the block between the MODEL markers by an import of
the model's kernels, so that numba compiles and caches the loop with ``rhs``/``jac`` as
globals. The placeholder kernels below (exponential decay ``y' = -p[0] y``) keep this file
importable and testable as it is. Method: see :mod:`tregsim.solve.rosenbrock`.
"""

import numpy as np
from numba import njit, prange

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
    FAC_MAX,
    FAC_MIN,
    GAMMA,
    MAX_STEPS,
    NON_FINITE,
    OK,
    SAFETY,
    STEP_UNDERFLOW,
    apply_event,
    dense_lu_load,
    fourth_root,
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
def _initial_step(t, y, p, f0, atol, rtol, t_end, ytmp, f1):
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
    at a time ``t`` include events at ``t``. Steps are clipped to land exactly on save times
    (no interpolation); the step after a clipped one starts from the unclipped step size.
    Step size control: Gustafsson's predictive (PI) controller as in RODAS (Hairer & Wanner
    1996, sec. IV.8, eq. 8.21), factors in [FAC_MIN, FAC_MAX], no growth right after a
    rejection. Returns ``(status, attempted_steps, rejected_steps)``; on failure ``out``
    is all NaN.
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
        while ie < n_ev and ev_time[ie] <= t:
            apply_event(y, ev_state[ie], ev_kind[ie], ev_value[ie])
            ie += 1
            have_acc = False  # the solution is not smooth across the event
            after_event = True
        while isave < m and save_times[isave] <= t:
            for k in range(save_states.shape[0]):
                out[isave, k] = y[save_states[k]]
            isave += 1
        if isave == m:
            break
        t_end = save_times[isave]
        if ie < n_ev and ev_time[ie] < t_end:
            t_end = ev_time[ie]

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
                if first:
                    h = _initial_step(t, y, p, f0, atol, rtol, t_end, ytmp, fs)
                    first = False
                elif after_event:
                    # keep the step from before the event (Hairer & Wanner's codes do), but
                    # no longer than the starting-step estimate for the new state (one rhs)
                    h = min(h, _initial_step(t, y, p, f0, atol, rtol, t_end, ytmp, fs))
                after_event = False
                need_jac = False
            if steps >= max_steps:
                status = MAX_STEPS
                break
            h_min = 16.0 * EPS * max(abs(t), 1.0)
            if h < h_min:
                status = STEP_UNDERFLOW
                break
            h_intended = h
            last = False
            if t + 1.01 * h >= t_end:
                h = t_end - t
                last = True
            elif t + 1.8 * h > t_end:
                h = 0.5 * (t_end - t)  # two equal steps instead of a long and a short one
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

            if err <= 1.0:
                # accepted: h_new = h * fac, Gustafsson's predictive controller
                if err == 0.0:
                    fac = FAC_MAX
                else:
                    fac = min(FAC_MAX, max(FAC_MIN, SAFETY / fourth_root(err)))
                    if have_acc and not last:
                        gus = (h / h_acc) * fourth_root(err_acc / (err * err)) * SAFETY
                        fac = min(fac, max(FAC_MIN, min(FAC_MAX, gus)))
                if reject:
                    fac = min(fac, 1.0)
                if not last:
                    h_acc = h
                    err_acc = max(1e-2, err)
                    have_acc = True
                reject = False
                for i in range(n):
                    y[i] = ynew[i]
                need_jac = True
                if last:
                    t = t_end
                    h = max(h * fac, h_intended)
                    break
                t += h
                h *= fac
            else:
                rejected += 1
                reject = True
                if np.isfinite(err):
                    h *= max(FAC_MIN, SAFETY / fourth_root(err))
                else:
                    # non-finite trial step or singular matrix: shrink hard and retry
                    h *= 0.25
                    if h < 16.0 * EPS * max(abs(t), 1.0):
                        status = NON_FINITE
                        break
    if status != OK:
        for i in range(out.shape[0]):
            for k in range(out.shape[1]):
                out[i, k] = np.nan
    return status, steps, rejected


LANE_FALLBACK = -1  # lane status: the patient goes to integrate_patient (see integrate_lanes)


@njit(cache=True, nogil=True)
def _lane_load(k, i, params, y0, t0, offsets, pbuf, p, y, t, ie, ie_end, st, L):
    """Put patient ``i`` into lane ``k``: its extended parameters and state, lane-minor."""
    extend_parameters(params[i], pbuf)
    for j in range(pbuf.shape[0]):
        p[j * L + k] = pbuf[j]
    status = OK
    for j in range(y0.shape[1]):
        y[j * L + k] = y0[i, j]
        if not np.isfinite(y0[i, j]):
            status = NON_FINITE
    for j in range(params.shape[1]):
        if not np.isfinite(params[i, j]):
            status = NON_FINITE
    t[k] = t0[i]
    ie[k] = offsets[i]
    ie_end[k] = offsets[i + 1]
    st[k] = status


@njit(cache=True, nogil=True, error_model="numpy")
def integrate_lanes(
    patients,
    params,
    y0,
    t0,
    save_times,
    save_states,
    offsets,
    ev_time,
    ev_state,
    ev_kind,
    ev_value,
    rtol,
    atol,
    max_steps,
    values,
    status,
    n_steps,
    n_rejected,
    fallback,
    n_lanes,
):
    """:func:`integrate_patient` for the ``patients`` (indices) on ``LANES`` lanes: SIMD
    across patients (structure of arrays, the model's ``*_lanes`` kernels).

    Each lane holds one patient with its own time, step size, events and controller state,
    and follows :func:`integrate_patient`'s logic step by step; the lanes only share the
    vector arithmetic (right-hand side, Jacobian, LU, stages), so every patient gets values
    bit-identical to :func:`integrate_patient`, whatever its lane-mates. When a patient is
    done its lane takes the next one (no lane waits for the slowest of a group). A patient
    whose generated LU meets a bad pivot is marked in ``fallback`` (True) and left to
    :func:`integrate_patient` (dense LU with pivoting). Autonomous models only.

    ``error_model="numpy"`` (IEEE division, no zero check): LLVM vectorizes the stage loops'
    divisions only then (measured: the stages took 3/4 of the time without it).

    ``n_lanes`` must equal ``LANES`` (the kernels' stride); it comes from the caller at run
    time because the kernels' loops take their trip count from the arrays' lengths: a
    length LLVM can fold to a constant (an array allocated here with ``LANES``) gets an
    inlined kernel's loop unrolled instead of vectorized (measured: 2.5x slower LU).
    """
    L = n_lanes
    n = y0.shape[1]
    m = save_times.shape[0]
    nl = n * L
    y = np.zeros(nl)
    ynew = np.empty(nl)
    ytmp = np.empty(nl)
    f0 = np.zeros(nl)
    fs = np.empty(nl)
    u0 = np.empty(nl)
    u1 = np.empty(nl)
    u2 = np.empty(nl)
    u3 = np.empty(nl)
    u4 = np.empty(nl)
    u5 = np.empty(nl)
    jv = np.empty(JAC_NNZ * L)
    esp = np.empty(LU_NNZ * L)
    gdiag = np.empty(nl)
    ok = np.empty(L, dtype=np.bool_)
    p = np.zeros(N_EXTENDED * L)
    pbuf = np.empty(N_EXTENDED)
    ys = np.empty(n)  # one lane's vectors, for the scalar parts
    fsc = np.empty(n)
    ytmp_s = np.empty(n)
    f1_s = np.empty(n)
    # per-lane controller state (integrate_patient's locals)
    pat = np.full(L, -1, dtype=np.int64)
    t = np.zeros(L)
    h = np.ones(L)
    ie = np.zeros(L, dtype=np.int64)
    ie_end = np.zeros(L, dtype=np.int64)
    isave = np.zeros(L, dtype=np.int64)
    st = np.zeros(L, dtype=np.int64)
    steps = np.zeros(L, dtype=np.int64)
    rejected = np.zeros(L, dtype=np.int64)
    first = np.zeros(L, dtype=np.bool_)
    h_acc = np.zeros(L)
    err_acc = np.zeros(L)
    have_acc = np.zeros(L, dtype=np.bool_)
    after_event = np.zeros(L, dtype=np.bool_)
    need_jac = np.zeros(L, dtype=np.bool_)
    reject = np.zeros(L, dtype=np.bool_)
    seg_start = np.zeros(L, dtype=np.bool_)
    stepping = np.zeros(L, dtype=np.bool_)
    last = np.zeros(L, dtype=np.bool_)
    t_end = np.zeros(L)
    h_intended = np.zeros(L)
    hs = np.ones(L)  # this iteration's step per lane (1 on idle lanes: finite arithmetic)
    ih = np.ones(L)
    err = np.zeros(L)
    root_err = np.zeros(L)
    root_gus = np.zeros(L)
    accept = np.zeros(L, dtype=np.bool_)
    hv = np.ones(nl)  # 1 / hs per entry
    inv_hs = np.ones(L)
    q = np.empty(nl)
    atol_v = np.empty(nl)
    rtol_v = np.empty(nl)
    for i in range(n):
        for k in range(L):
            atol_v[i * L + k] = atol[i]
            rtol_v[i * L + k] = rtol[i]

    nxt = 0
    while True:
        # -- per lane: finish / refill, events and saves at a segment start (outer loop) ----
        active = 0
        for k in range(L):
            while True:
                if pat[k] < 0:
                    if nxt == patients.shape[0]:
                        break
                    i = patients[nxt]
                    nxt += 1
                    _lane_load(k, i, params, y0, t0, offsets, pbuf, p, y, t, ie, ie_end, st, L)
                    pat[k] = i
                    h[k] = 0.0
                    isave[k] = 0
                    steps[k] = 0
                    rejected[k] = 0
                    first[k] = True
                    h_acc[k] = 0.0
                    err_acc[k] = 0.0
                    have_acc[k] = False
                    after_event[k] = False
                    seg_start[k] = True
                i = pat[k]
                if st[k] == OK and seg_start[k]:
                    while ie[k] < ie_end[k] and ev_time[ie[k]] <= t[k]:
                        e = ie[k]
                        for j in range(n):
                            ys[j] = y[j * L + k]
                        apply_event(ys, ev_state[e], ev_kind[e], ev_value[e])
                        for j in range(n):
                            y[j * L + k] = ys[j]
                        ie[k] += 1
                        have_acc[k] = False
                        after_event[k] = True
                    while isave[k] < m and save_times[isave[k]] <= t[k]:
                        for j in range(save_states.shape[0]):
                            values[i, isave[k], j] = y[save_states[j] * L + k]
                        isave[k] += 1
                    if isave[k] < m:
                        te = save_times[isave[k]]
                        if ie[k] < ie_end[k] and ev_time[ie[k]] < te:
                            te = ev_time[ie[k]]
                        t_end[k] = te
                        need_jac[k] = True
                        reject[k] = False
                        seg_start[k] = False
                        break
                elif st[k] == OK:
                    break
                # the patient is done (all saved, failed, or handed to the fallback)
                if st[k] == LANE_FALLBACK:
                    fallback[i] = True
                else:
                    status[i] = st[k]
                    n_steps[i] = steps[k]
                    n_rejected[i] = rejected[k]
                    if st[k] != OK:
                        for a in range(m):
                            for b in range(save_states.shape[0]):
                                values[i, a, b] = np.nan
                pat[k] = -1
            if pat[k] >= 0:
                active += 1
        if active == 0:
            break

        # -- f0 and the Jacobian at (t, y), all lanes (a lane after a rejection gets the
        # -- same values again: same y) ------------------------------------------------------
        rhs_lanes(y, p, f0)
        jac_values_lanes(y, p, jv)
        all_finite = True
        for j in range(nl):
            all_finite &= abs(f0[j]) < np.inf
        for k in range(L):
            stepping[k] = False
            hs[k] = 1.0
            if pat[k] < 0:
                continue
            if need_jac[k]:
                finite = True
                if not all_finite:
                    for j in range(n):
                        if not np.isfinite(f0[j * L + k]):
                            finite = False
                if not finite:
                    st[k] = NON_FINITE
                    continue
                if first[k] or after_event[k]:
                    for j in range(n):
                        ys[j] = y[j * L + k]
                        fsc[j] = f0[j * L + k]
                    for j in range(pbuf.shape[0]):
                        pbuf[j] = p[j * L + k]
                    h0 = _initial_step(t[k], ys, pbuf, fsc, atol, rtol, t_end[k], ytmp_s, f1_s)
                    h[k] = h0 if first[k] else min(h[k], h0)
                    first[k] = False
                after_event[k] = False
                need_jac[k] = False
            if steps[k] >= max_steps:
                st[k] = MAX_STEPS
                continue
            h_min = 16.0 * EPS * max(abs(t[k]), 1.0)
            if h[k] < h_min:
                st[k] = STEP_UNDERFLOW
                continue
            h_intended[k] = h[k]
            last[k] = False
            if t[k] + 1.01 * h[k] >= t_end[k]:
                h[k] = t_end[k] - t[k]
                last[k] = True
            elif t[k] + 1.8 * h[k] > t_end[k]:
                h[k] = 0.5 * (t_end[k] - t[k])
            steps[k] += 1
            stepping[k] = True
            hs[k] = h[k]
        for k in range(L):
            ih[k] = 1.0 / (hs[k] * GAMMA)

        # -- one Rodas4 step on every lane (integrate_patient's arithmetic, lane-minor; flat
        # -- loops over lanes x states, which LLVM vectorizes) --------------------------------
        for k in range(L):
            inv_hs[k] = 1.0 / hs[k]
        for i in range(n):
            for k in range(L):
                hv[i * L + k] = inv_hs[k]
        lu_load_lanes(jv, ih, esp)
        lu_factor_lanes(esp, gdiag, ok)
        for k in range(L):
            if stepping[k] and not ok[k]:
                st[k] = LANE_FALLBACK
                stepping[k] = False
        for j in range(nl):
            u0[j] = f0[j]
        lu_solve_lanes(esp, u0)
        for j in range(nl):
            ytmp[j] = y[j] + A21 * u0[j]
        rhs_lanes(ytmp, p, fs)
        for j in range(nl):
            u1[j] = fs[j] + (C21 * hv[j]) * u0[j]
        lu_solve_lanes(esp, u1)
        for j in range(nl):
            ytmp[j] = y[j] + A31 * u0[j] + A32 * u1[j]
        rhs_lanes(ytmp, p, fs)
        for j in range(nl):
            u2[j] = fs[j] + (C31 * u0[j] + C32 * u1[j]) * hv[j]
        lu_solve_lanes(esp, u2)
        for j in range(nl):
            ytmp[j] = y[j] + A41 * u0[j] + A42 * u1[j] + A43 * u2[j]
        rhs_lanes(ytmp, p, fs)
        for j in range(nl):
            u3[j] = fs[j] + (C41 * u0[j] + C42 * u1[j] + C43 * u2[j]) * hv[j]
        lu_solve_lanes(esp, u3)
        for j in range(nl):
            ytmp[j] = y[j] + A51 * u0[j] + A52 * u1[j] + A53 * u2[j] + A54 * u3[j]
        rhs_lanes(ytmp, p, fs)
        for j in range(nl):
            u4[j] = fs[j] + (C51 * u0[j] + C52 * u1[j] + C53 * u2[j] + C54 * u3[j]) * hv[j]
        lu_solve_lanes(esp, u4)
        for j in range(nl):
            ytmp[j] += u4[j]
        rhs_lanes(ytmp, p, fs)
        for j in range(nl):
            u5[j] = (
                fs[j]
                + (C61 * u0[j] + C62 * u1[j] + C63 * u2[j] + C64 * u3[j] + C65 * u4[j]) * hv[j]
            )
        lu_solve_lanes(esp, u5)
        for j in range(nl):
            ynew[j] = ytmp[j] + u5[j]
        for j in range(nl):  # a separate loop: fewer arrays to check for overlap (vectorized)
            sc = atol_v[j] + rtol_v[j] * max(abs(y[j]), abs(ynew[j]))
            q[j] = (u5[j] / sc) ** 2
        for k in range(L):  # each lane's sum in integrate_patient's order
            s = 0.0
            for i in range(n):
                s += q[i * L + k]
            err[k] = s
        # the controller's roots for all lanes at once (vectorized square roots, the same
        # correctly rounded values as fourth_root one lane at a time)
        for k in range(L):
            err[k] = np.sqrt(err[k] / n)
        for k in range(L):
            root_err[k] = np.sqrt(np.sqrt(err[k]))
        for k in range(L):
            root_gus[k] = np.sqrt(np.sqrt(err_acc[k] / (err[k] * err[k])))

        # -- per lane: accept or reject (integrate_patient's controller) ----------------------
        for k in range(L):
            accept[k] = False
            if not stepping[k]:
                continue
            e = err[k]
            if e <= 1.0:
                if e == 0.0:
                    fac = FAC_MAX
                else:
                    fac = min(FAC_MAX, max(FAC_MIN, SAFETY / root_err[k]))
                    if have_acc[k] and not last[k]:
                        gus = (h[k] / h_acc[k]) * root_gus[k] * SAFETY
                        fac = min(fac, max(FAC_MIN, min(FAC_MAX, gus)))
                if reject[k]:
                    fac = min(fac, 1.0)
                if not last[k]:
                    h_acc[k] = h[k]
                    err_acc[k] = max(1e-2, e)
                    have_acc[k] = True
                reject[k] = False
                accept[k] = True
                need_jac[k] = True
                if last[k]:
                    t[k] = t_end[k]
                    h[k] = max(h[k] * fac, h_intended[k])
                    seg_start[k] = True
                else:
                    t[k] += h[k]
                    h[k] *= fac
            else:
                rejected[k] += 1
                reject[k] = True
                if np.isfinite(e):
                    h[k] *= max(FAC_MIN, SAFETY / root_err[k])
                else:
                    h[k] *= 0.25
                    if h[k] < 16.0 * EPS * max(abs(t[k]), 1.0):
                        st[k] = NON_FINITE
        for i in range(n):  # y = ynew on the accepting lanes (a vectorized blend)
            for k in range(L):
                j = i * L + k
                y[j] = ynew[j] if accept[k] else y[j]


@njit(parallel=True, cache=True, nogil=True)
def solve_all(
    params,
    y0,
    t0,
    save_times,
    save_states,
    offsets,
    ev_time,
    ev_state,
    ev_kind,
    ev_value,
    rtol,
    atol,
    max_steps,
    autonomous,
    values,
    status,
    n_steps,
    n_rejected,
    order,
    lane_blocks,
    n_lanes,
):
    """Integrate every patient (``prange``), each with its own steps; see integrate_patient.

    Patients are visited in the order ``order`` (a permutation): numba splits a ``prange``
    into one contiguous block per thread, so a shuffled order keeps the threads' loads even
    when cheap and costly patients come in runs (e.g. a placebo arm, then an IL-2 arm).
    With the model's lane kernels (autonomous models), ``lane_blocks > 0`` (the number of
    threads) and ``n_lanes == LANES`` (passed at run time, see integrate_lanes), patients
    are integrated ``LANES`` at a time by :func:`integrate_lanes` (bit-identical values),
    and only those it hands back (a bad pivot of the generated LU) by
    :func:`integrate_patient`; ``lane_blocks = 0``: all by :func:`integrate_patient`.
    """
    n = y0.shape[0]
    if LANE_KERNELS and autonomous and lane_blocks > 0 and n_lanes == LANES:
        # ``lane_blocks`` lane pools (one per thread), each over a contiguous part of
        # ``order`` (see integrate_lanes)
        fallback = np.zeros(n, dtype=np.bool_)
        n_blocks = max(1, min(lane_blocks, (n + LANES - 1) // LANES))
        for b in prange(n_blocks):
            integrate_lanes(
                order[b * n // n_blocks : (b + 1) * n // n_blocks],
                params,
                y0,
                t0,
                save_times,
                save_states,
                offsets,
                ev_time,
                ev_state,
                ev_kind,
                ev_value,
                rtol,
                atol,
                max_steps,
                values,
                status,
                n_steps,
                n_rejected,
                fallback,
                n_lanes,
            )
    else:
        fallback = np.ones(n, dtype=np.bool_)
    for q in prange(n):
        i = order[q]
        if not fallback[i]:
            continue
        a = offsets[i]
        b = offsets[i + 1]
        s, k, r = integrate_patient(
            params[i],
            y0[i],
            t0[i],
            save_times,
            save_states,
            ev_time[a:b],
            ev_state[a:b],
            ev_kind[a:b],
            ev_value[a:b],
            rtol,
            atol,
            max_steps,
            autonomous,
            values[i],
        )
        status[i] = s
        n_steps[i] = k
        n_rejected[i] = r
