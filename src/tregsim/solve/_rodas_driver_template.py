"""Template of the parallel batch driver ``solve_all``: the last part of the kernel module
that :mod:`tregsim.solve._kernels` writes for a model (see
:mod:`tregsim.solve._rodas_lanes_template` for how the parts are put together). As it is,
this file runs on the template's placeholder kernels (every patient by
``integrate_patient``).
"""

import numpy as np
from numba import njit, prange

# BEGIN TEMPLATE IMPORTS
from tregsim.solve._rodas_lanes_template import integrate_lanes
from tregsim.solve._rodas_template import LANE_KERNELS, LANES, integrate_patient

# END TEMPLATE IMPORTS


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
