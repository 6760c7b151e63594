"""Segment starts of the Rodas4 stepping: events, saves and the next stop, written once for
the one-patient and the 8-lane paths of :mod:`tregsim.solve._rodas_template`.

A patient is integrated in segments that end exactly at its next save time or event time,
whichever comes first (no interpolation). At a segment start the events due are applied
(table order), then the values due are saved (so values saved at ``t`` include the events
at ``t``). The state is addressed with a stride: entry ``j`` of the patient's state is
``y[j * stride + lane]``; ``stride = 1, lane = 0`` for a patient's own state vector,
``stride = LANES`` and its lane for a patient in the lane-minor arrays of the SIMD path.
The controller's restart after an event is the caller's (see
:func:`tregsim.solve.step_control.restart_step`); the rationale of stopping at events is in
:mod:`tregsim.solve.events`.
"""

from __future__ import annotations

from numba import njit

from tregsim.solve.rosenbrock import apply_event


@njit(cache=True, nogil=True)
def start_segment(
    t,
    y,
    stride,
    lane,
    ie,
    ie_end,
    ev_time,
    ev_state,
    ev_kind,
    ev_value,
    isave,
    save_times,
    save_states,
    out,
):
    """Apply the events ``ie .. ie_end - 1`` due at ``t`` (time ``<= t``) to ``y``, write the
    values due at ``t`` into ``out[isave:, :]`` (rows: save times, columns: ``save_states``)
    and find where the segment from ``t`` ends.

    Returns ``(ie, isave, t_end, event)``: the first event and the first save time not yet
    reached, the segment's end (the next save time, or an earlier event time; ``t`` when
    every value is saved, ``isave == len(save_times)``), and whether an event was applied
    (the solution is then not smooth at ``t``: the caller restarts its controller).
    """
    event = False
    while ie < ie_end and ev_time[ie] <= t:
        apply_event(y, ev_state[ie] * stride + lane, ev_kind[ie], ev_value[ie])
        ie += 1
        event = True
    m = save_times.shape[0]
    while isave < m and save_times[isave] <= t:
        for j in range(save_states.shape[0]):
            out[isave, j] = y[save_states[j] * stride + lane]
        isave += 1
    if isave == m:
        return ie, isave, t, event
    t_end = save_times[isave]
    if ie < ie_end and ev_time[ie] < t_end:
        t_end = ev_time[ie]
    return ie, isave, t_end, event
