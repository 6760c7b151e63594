"""Rodas4's step-size control, written once for the one-patient and the 8-lane paths.

Both stepping loops of :mod:`tregsim.solve._rodas_template` (``integrate_patient``, one
patient in scalars; ``integrate_lanes``, one patient per SIMD lane in per-lane arrays) call
these functions on one patient's scalars, so each patient follows the same controller
whatever its path, and its values stay bit-identical between the two.

- :func:`restart_step`: the step at the patient's start and after an event.
- :func:`plan_step`: step limits (``max_steps``, underflow) and the clipping of the step to
  land exactly on the segment's end (the "last" step).
- :func:`controller_roots` and :func:`judge_step`: error -> accept or reject, the new step
  by Gustafsson's predictive controller as in Hairer & Wanner's RODAS (Solving ODEs II, 2nd
  ed., 1996, sec. IV.8, eq. 8.21), factors in [FAC_MIN, FAC_MAX], no growth right after a
  rejection.

numba-compiled small functions that LLVM inlines into the stepping loops; a change here
reaches the cached kernels through the source hash of :mod:`tregsim.solve._kernels`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tregsim.solve.rosenbrock import (
    EPS,
    FAC_MAX,
    FAC_MIN,
    MAX_STEPS,
    NON_FINITE,
    OK,
    SAFETY,
    STEP_UNDERFLOW,
)


@njit(cache=True, nogil=True)
def restart_step(h, h_start, first):
    """Step size at a (re)start of the stepping, given the starting-step estimate ``h_start``
    for the current state (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.4).

    The patient's first step is the estimate. After an event the step from before the event
    is kept (Hairer & Wanner's codes do at a restart) but no longer than the estimate for the
    new state.
    """
    return h_start if first else min(h, h_start)


@njit(cache=True, nogil=True)
def plan_step(t, h, t_end, steps, max_steps):
    """The next attempted step from ``t`` with the controller's step ``h``, towards ``t_end``.

    Returns ``(status, h_step, last)``: status MAX_STEPS once ``steps`` attempted steps
    reached ``max_steps``, STEP_UNDERFLOW when ``h < 16 eps max(|t|, 1)``, else OK with the
    step to attempt: ``t_end - t`` (``last``: it lands exactly on ``t_end``) when ``h``
    reaches within 1% of it, half the remaining interval when ``h`` would leave a short
    remainder (two equal steps instead of a long and a short one), else ``h``.
    """
    if steps >= max_steps:
        return MAX_STEPS, h, False
    if h < 16.0 * EPS * max(abs(t), 1.0):
        return STEP_UNDERFLOW, h, False
    if t + 1.01 * h >= t_end:
        return OK, t_end - t, True
    if t + 1.8 * h > t_end:
        return OK, 0.5 * (t_end - t), False
    return OK, h, False


@njit(cache=True, nogil=True, error_model="numpy")
def controller_roots(err, err_acc):
    """The controller's fourth roots ``(err**(1/4), (err_acc / err**2)**(1/4))`` as two
    correctly rounded square roots each (a general ``pow`` call cost about 8% of the pilot
    workload's time). IEEE division: ``err = 0`` gives an infinite root, which
    :func:`judge_step` does not use."""
    return np.sqrt(np.sqrt(err)), np.sqrt(np.sqrt(err_acc / (err * err)))


@njit(cache=True, nogil=True)
def judge_step(
    err, root_err, root_gus, t, t_end, h, h_intended, last, reject, h_acc, err_acc, have_acc
):
    """Accept or reject the step ``h`` from ``t`` given its scaled error ``err`` (RMS norm)
    and the roots of :func:`controller_roots`, and choose the next step.

    ``h_intended`` is the controller's step before :func:`plan_step` clipped it, ``last``
    whether the step lands on ``t_end``, ``reject`` whether the previous attempt was
    rejected, and ``(h_acc, err_acc, have_acc)`` the last accepted unclipped step and its
    error (the predictive controller's memory).

    Accepted (``err <= 1``): ``t`` advances (to exactly ``t_end`` on the last step), and the
    next step is ``h * fac`` with ``fac = min(SAFETY / err**(1/4), Gustafsson's predictive
    factor)`` in [FAC_MIN, FAC_MAX] (at most 1 right after a rejection); after the last
    step of a segment the step is not shorter than ``h_intended`` (the clipping does not
    shrink the next segment's step). Rejected: ``h`` shrinks by ``SAFETY / err**(1/4)``
    (not below FAC_MIN), or by 4 when the error is not finite (non-finite trial step or
    singular matrix); status NON_FINITE once that falls below ``16 eps max(|t|, 1)``.

    Returns ``(accepted, status, t, h, h_acc, err_acc, have_acc)``.
    """
    if err <= 1.0:
        if err == 0.0:
            fac = FAC_MAX
        else:
            fac = min(FAC_MAX, max(FAC_MIN, SAFETY / root_err))
            if have_acc and not last:
                gus = (h / h_acc) * root_gus * SAFETY
                fac = min(fac, max(FAC_MIN, min(FAC_MAX, gus)))
        if reject:
            fac = min(fac, 1.0)
        if last:
            return True, OK, t_end, max(h * fac, h_intended), h_acc, err_acc, have_acc
        return True, OK, t + h, h * fac, h, max(1e-2, err), True
    status = OK
    if np.isfinite(err):
        h *= max(FAC_MIN, SAFETY / root_err)
    else:
        h *= 0.25
        if h < 16.0 * EPS * max(abs(t), 1.0):
            status = NON_FINITE
    return False, status, t, h, h_acc, err_acc, have_acc
