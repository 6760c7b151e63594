"""Natural history: the episode's trigger and the disease-activity fluctuations after it."""

from __future__ import annotations

import numpy as np

from tregsim.model import MODEL, initial_state
from tregsim.population.candidates import Candidates
from tregsim.population.spec import PopulationSpec
from tregsim.rng import PatientStreams
from tregsim.solve import EventTable, solve_batch
from tregsim.solve.events import SET


def _activity_normals(
    seed: int, replicate: int, ids: np.ndarray, n_changes: np.ndarray
) -> np.ndarray:
    """The first ``n_changes[i]`` normals of candidate ``ids[i]``'s ``fluctuation`` stream,
    concatenated in candidate order (written in place, one draw call per candidate)."""
    offsets = np.concatenate([[0], np.cumsum(n_changes)]).tolist()
    z = np.empty(offsets[-1])
    streams = PatientStreams(seed, replicate, "fluctuation")
    for cid, start, stop in zip(ids.tolist(), offsets[:-1], offsets[1:], strict=True):
        streams.for_patient(cid).standard_normal(out=z[start:stop])
    return z


def _natural_history_arrays(
    seed: int,
    replicate: int,
    ids: np.ndarray,
    trigger_day: np.ndarray,
    end_day: float,
    spec: PopulationSpec,
    rows: np.ndarray | None,
) -> tuple[np.ndarray, ...]:
    """(time, patient, state, kind, value) of :func:`natural_history_events`, built at once.

    Candidate ``i`` contributes, in this order: the privilege collapse and the effector burst
    at its trigger, then ``n_i`` activity changes every ``activity_interval_days`` from the
    trigger; the arrays are laid out with ``np.repeat`` instead of being concatenated per
    candidate (same values, same order).
    """
    ids = np.asarray(ids, dtype=np.int64)
    trigger_day = np.asarray(trigger_day, dtype=np.float64)
    rows = np.arange(len(ids)) if rows is None else np.asarray(rows)
    if not len(rows) == len(ids) == len(trigger_day):
        raise ValueError(
            f"ids, trigger_day and rows differ in length: {len(ids)}, {len(trigger_day)}, "
            f"{len(rows)}"
        )
    span = np.floor((end_day - trigger_day) / spec.activity_interval_days)
    if not np.all(np.isfinite(span)) or np.any(span < -1):
        raise ValueError(
            "trigger_day must be finite and at most one activity interval after end_day"
        )
    n_changes = span.astype(np.int64) + 1
    activity = np.exp(spec.activity_sd * _activity_normals(seed, replicate, ids, n_changes))
    si = MODEL.state_index
    lengths = n_changes + 2
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])  # each candidate's trigger event
    position = np.arange(lengths.sum()) - np.repeat(first, lengths)
    change = position >= 2
    time = np.repeat(trigger_day, lengths)
    time[change] += spec.activity_interval_days * (position[change] - 2)
    state = np.full(len(time), si["disease_activity"])
    state[first], state[first + 1] = si["privilege"], si["cd8_skin"]
    value = np.empty(len(time))
    value[first], value[first + 1] = spec.trigger_privilege, spec.trigger_cd8
    value[change] = activity
    kind = np.full(len(time), SET, dtype=np.int8)
    return time, np.repeat(rows, lengths), state, kind, value


def natural_history_events(
    seed: int,
    replicate: int,
    ids: np.ndarray,
    trigger_day: np.ndarray,
    end_day: float,
    spec: PopulationSpec,
    rows: np.ndarray | None = None,
) -> EventTable:
    """Trigger (privilege collapse + effector burst) and disease-activity changes per candidate.

    Activity is log-normal with median 1 and log-SD ``spec.activity_sd``, redrawn every
    ``spec.activity_interval_days`` from the trigger to ``end_day``. ``rows`` gives the
    patient index each candidate has in the batch (default: its position).
    """
    if len(ids) == 0:
        return EventTable.empty()
    arrays = _natural_history_arrays(seed, replicate, ids, trigger_day, end_day, spec, rows)
    return EventTable(*arrays)


def simulate_to_screening(
    seed: int, replicate: int, cand: Candidates, spec: PopulationSpec, save_days=(0.0,)
) -> np.ndarray:
    """States of candidates at ``save_days`` (study days <= 0), from health through the trigger."""
    t0 = cand.trigger_day - spec.settle_days  # per candidate: independent of the batch
    events = natural_history_events(
        seed, replicate, cand.ids, cand.trigger_day, max(save_days), spec
    )
    sol = solve_batch(
        cand.params, initial_state(cand.params), events, np.asarray(save_days, float), t0=t0
    )
    return sol.values


def study_events(
    seed: int, replicate: int, ids, trigger_day, end_day: float, spec: PopulationSpec
) -> EventTable:
    """The natural-history events that fall after study day 0 (row i = candidate ids[i]).

    The activity changes before day 0 are still drawn: they come first in each stream.
    """
    if len(ids) == 0:
        return EventTable.empty()
    arrays = _natural_history_arrays(seed, replicate, ids, trigger_day, end_day, spec, None)
    keep = arrays[0] > 0.0
    return EventTable(*(a[keep] for a in arrays))
