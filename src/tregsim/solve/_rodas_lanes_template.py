"""Template of the Rodas4 stepping loop of 8 patients in SIMD lanes: the second part of the
kernel module that :mod:`tregsim.solve._kernels` writes for a model.

The generated module is :mod:`tregsim.solve._rodas_template` (its MODEL block replaced by
the model's kernels), this file and :mod:`tregsim.solve._rodas_driver_template`, each
without its TEMPLATE IMPORTS block: the names imported there from the earlier parts are
then the generated module's own (the model's lane kernels, ``integrate_patient``), and
numba compiles and caches the loop with them as globals. As it is, this file is importable
with the template's placeholder kernels (which have no lane kernels).
"""

import numpy as np
from numba import njit

# BEGIN TEMPLATE IMPORTS
from tregsim.solve._rodas_template import (
    JAC_NNZ,
    LU_NNZ,
    N_EXTENDED,
    extend_parameters,
    initial_step,
    jac_values_lanes,
    lu_factor_lanes,
    lu_load_lanes,
    lu_solve_lanes,
    rhs_lanes,
)

# END TEMPLATE IMPORTS
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
    GAMMA,
    NON_FINITE,
    OK,
)
from tregsim.solve.segments import start_segment
from tregsim.solve.step_control import controller_roots, judge_step, plan_step, restart_step

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
                    ie[k], isave[k], t_end[k], event = start_segment(
                        t[k],
                        y,
                        L,
                        k,
                        ie[k],
                        ie_end[k],
                        ev_time,
                        ev_state,
                        ev_kind,
                        ev_value,
                        isave[k],
                        save_times,
                        save_states,
                        values[i],
                    )
                    if event:
                        have_acc[k] = False
                        after_event[k] = True
                    if isave[k] < m:
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
                    h0 = initial_step(t[k], ys, pbuf, fsc, atol, rtol, t_end[k], ytmp_s, f1_s)
                    h[k] = restart_step(h[k], h0, first[k])
                    first[k] = False
                after_event[k] = False
                need_jac[k] = False
            planned, h_step, last[k] = plan_step(t[k], h[k], t_end[k], steps[k], max_steps)
            if planned != OK:
                st[k] = planned
                continue
            h_intended[k] = h[k]
            h[k] = h_step
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
        # the controller's roots for all lanes at once (vectorized square roots)
        for k in range(L):
            err[k] = np.sqrt(err[k] / n)
        for k in range(L):
            root_err[k], root_gus[k] = controller_roots(err[k], err_acc[k])

        # -- per lane: accept or reject (integrate_patient's controller) ----------------------
        for k in range(L):
            accept[k] = False
            if not stepping[k]:
                continue
            accept[k], st[k], t[k], h[k], h_acc[k], err_acc[k], have_acc[k] = judge_step(
                err[k],
                root_err[k],
                root_gus[k],
                t[k],
                t_end[k],
                h[k],
                h_intended[k],
                last[k],
                reject[k],
                h_acc[k],
                err_acc[k],
                have_acc[k],
            )
            reject[k] = not accept[k]
            if accept[k]:
                need_jac[k] = True
                if last[k]:
                    seg_start[k] = True  # t_end reached
            else:
                rejected[k] += 1
        for i in range(n):  # y = ynew on the accepting lanes (a vectorized blend)
            for k in range(L):
                j = i * L + k
                y[j] = ynew[j] if accept[k] else y[j]
