"""Discontinuities of a batch: doses, state resets and multiplicative depletions.

An :class:`EventTable` lists events as parallel 1-D arrays. The solver integrates each
patient up to an event time exactly, applies every event of that patient at that time (in
table order), and restarts the integration with a fresh step (Hairer & Wanner, Solving
Ordinary Differential Equations II, 2nd ed., Springer 1996, sec. II.6 on discontinuities:
restarting at a known discontinuity keeps the method's full order).

Event kinds (:class:`EventKind`; the plain ints ``ADD``, ``SET``, ``MULTIPLY`` are what the
compiled solver compares): ``ADD = 0`` (``y[state] += value``), ``SET = 1`` (``y[state] =
value``), ``MULTIPLY = 2`` (``y[state] *= value``). :func:`apply_event` is the one place an
event changes a state (the compiled solver's :func:`tregsim.solve.rosenbrock.apply_event`
is its numba twin, tested equal).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

import numpy as np


class EventKind(IntEnum):
    """What an event does to its state."""

    ADD = 0  # y[state] += value (a dose)
    SET = 1  # y[state] = value (a reset)
    MULTIPLY = 2  # y[state] *= value (a depletion)


ADD = int(EventKind.ADD)
SET = int(EventKind.SET)
MULTIPLY = int(EventKind.MULTIPLY)
KIND_NAMES = {int(k): k.name.lower() for k in EventKind}

__all__ = ["ADD", "MULTIPLY", "SET", "EventCsr", "EventKind", "EventTable", "apply_event"]


def apply_event(current, kind: int, value):
    """The state after an event of ``kind`` with ``value`` (numbers or sympy expressions:
    the SBML export composes events symbolically with the same rule)."""
    kind = EventKind(int(kind))
    if kind is EventKind.ADD:
        return current + value
    if kind is EventKind.SET:
        return value
    return current * value


def _readonly(array: np.ndarray) -> np.ndarray:
    array = np.array(array, copy=True)
    array.setflags(write=False)
    return array


def _as_int_array(name: str, values) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"EventTable.{name} must be 1-D, got shape {array.shape}")
    if array.size and array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            bad = array[~np.isfinite(array) | (array != np.round(array))][0]
            raise ValueError(f"EventTable.{name} must hold integers, got {bad!r}")
    elif array.size and array.dtype.kind not in "iub":
        raise TypeError(f"EventTable.{name} must be integer, got dtype {array.dtype}")
    return array.astype(np.int64)


class EventCsr(NamedTuple):
    """Events grouped by patient: events of patient ``i`` are ``offsets[i]:offsets[i+1]``,
    sorted by time (stable, so simultaneous events keep their table order)."""

    offsets: np.ndarray  # (n_patients + 1,) int64
    time: np.ndarray  # float64
    state: np.ndarray  # int64
    kind: np.ndarray  # int64
    value: np.ndarray  # float64


@dataclass(frozen=True)
class EventTable:
    """Events of a batch of patients, as parallel 1-D arrays (read-only copies).

    Attributes:
        time: event time in days.
        patient: row of the patient in the batch (0-based).
        state: index of the state the event acts on (0-based).
        kind: 0 add ``value``, 1 set to ``value``, 2 multiply by ``value``.
        value: amount, level or factor, in the unit of the state.

    Simultaneous events of one patient are applied in table order.
    """

    time: np.ndarray
    patient: np.ndarray
    state: np.ndarray
    kind: np.ndarray
    value: np.ndarray

    def __post_init__(self) -> None:
        time = np.asarray(self.time, dtype=np.float64)
        value = np.asarray(self.value, dtype=np.float64)
        for name, array in (("time", time), ("value", value)):
            if array.ndim != 1:
                raise ValueError(f"EventTable.{name} must be 1-D, got shape {array.shape}")
            if not np.all(np.isfinite(array)):
                bad = array[~np.isfinite(array)][0]
                raise ValueError(f"EventTable.{name} must be finite, got {bad!r}")
        patient = _as_int_array("patient", self.patient)
        state = _as_int_array("state", self.state)
        kind = _as_int_array("kind", self.kind)
        lengths = {len(a) for a in (time, patient, state, kind, value)}
        if len(lengths) != 1:
            raise ValueError(
                "EventTable arrays must have equal length, got "
                f"time={len(time)}, patient={len(patient)}, state={len(state)}, "
                f"kind={len(kind)}, value={len(value)}"
            )
        if np.any(patient < 0):
            raise ValueError(f"EventTable.patient must be >= 0, got {patient[patient < 0][0]}")
        if np.any(state < 0):
            raise ValueError(f"EventTable.state must be >= 0, got {state[state < 0][0]}")
        bad_kind = ~np.isin(kind, (ADD, SET, MULTIPLY))
        if np.any(bad_kind):
            raise ValueError(
                f"EventTable.kind must be 0 (add), 1 (set) or 2 (multiply), got {kind[bad_kind][0]}"
            )
        for name, array in (
            ("time", time),
            ("patient", patient),
            ("state", state),
            ("kind", kind),
            ("value", value),
        ):
            object.__setattr__(self, name, _readonly(array))

    def __len__(self) -> int:
        return len(self.time)

    @classmethod
    def empty(cls) -> EventTable:
        """A table without events."""
        return cls(
            np.empty(0),
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            np.empty(0),
        )

    @classmethod
    def concat(cls, tables: Sequence[EventTable]) -> EventTable:
        """Concatenate tables in order (table order decides among simultaneous events)."""
        tables = list(tables)
        if not tables:
            return cls.empty()
        return cls(
            *(
                np.concatenate([getattr(t, name) for t in tables])
                for name in ("time", "patient", "state", "kind", "value")
            )
        )

    def select_patients(self, start: int, stop: int) -> EventTable:
        """Events of patients ``start <= patient < stop``, renumbered from 0."""
        keep = (self.patient >= start) & (self.patient < stop)
        return EventTable(
            self.time[keep],
            self.patient[keep] - start,
            self.state[keep],
            self.kind[keep],
            self.value[keep],
        )

    def _grouped_and_timed(self) -> bool:
        """True if patients never decrease and, within a patient, times never decrease."""
        patient, time = self.patient, self.time
        same = patient[1:] == patient[:-1]
        return bool(
            np.all(patient[1:] >= patient[:-1]) and np.all(time[1:][same] >= time[:-1][same])
        )

    def sorted_csr(self, n_patients: int) -> EventCsr:
        """Group events by patient and sort each group by time (stable).

        Raises ``ValueError`` if an event names a patient ``>= n_patients``.
        """
        if len(self) and self.patient.max() >= n_patients:
            raise ValueError(
                f"EventTable.patient holds {self.patient.max()} but the batch has "
                f"{n_patients} patients (patients are 0-based rows of the batch)"
            )
        if self._grouped_and_timed():
            # already in patient order, each patient's events in time order (as built by
            # tregsim.population.natural_history_events): the stable sort is the identity
            order = slice(None)
        else:
            order = np.lexsort((self.time, self.patient))  # stable: last key primary
        counts = np.bincount(self.patient, minlength=n_patients)
        offsets = np.zeros(n_patients + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return EventCsr(
            offsets,
            np.ascontiguousarray(self.time[order]),
            np.ascontiguousarray(self.state[order]),
            np.ascontiguousarray(self.kind[order]),
            np.ascontiguousarray(self.value[order]),
        )

    @classmethod
    def from_dose_records(
        cls,
        ID,
        TIME,
        AMT,
        CMT,
        ADDL=None,
        II=None,
        *,
        state_index: Mapping[str, int] | None = None,
    ) -> EventTable:
        """Expand a NONMEM-style dose table into ``add`` events.

        Each record gives a dose ``AMT`` into compartment ``CMT`` of patient ``ID`` at ``TIME``,
        repeated ``ADDL`` more times every ``II`` days (Beal, Sheiner et al., NONMEM Users
        Guide, data items ADDL/II), i.e. at ``TIME + k * II`` for ``k = 0..ADDL``.

        Differences from NONMEM: ``ID`` is the 0-based row of the patient in the batch and
        ``CMT`` is the 0-based state index, or a state name resolved through ``state_index``
        (e.g. ``tregsim.model.MODEL.state_index``).
        """
        time = np.atleast_1d(np.asarray(TIME, dtype=np.float64))
        n = len(time)
        patient = _as_int_array("patient (ID)", np.broadcast_to(np.asarray(ID), (n,)))
        amount = np.broadcast_to(np.asarray(AMT, dtype=np.float64), (n,))
        cmt = np.broadcast_to(np.asarray(CMT), (n,))
        if cmt.dtype.kind in "US":
            if state_index is None:
                raise ValueError("CMT holds state names: pass state_index={name: index}")
            unknown = sorted({str(c) for c in cmt} - set(state_index))
            if unknown:
                raise ValueError(
                    f"CMT names unknown states {unknown}; known: {sorted(state_index)}"
                )
            cmt = np.array([state_index[str(c)] for c in cmt], dtype=np.int64)
        state = _as_int_array("state (CMT)", cmt)
        addl = _as_int_array("ADDL", np.broadcast_to(np.asarray(0 if ADDL is None else ADDL), (n,)))
        ii = np.broadcast_to(np.asarray(0.0 if II is None else II, dtype=np.float64), (n,))
        if np.any(addl < 0):
            raise ValueError(f"ADDL must be >= 0, got {addl[addl < 0][0]}")
        needs_ii = (addl > 0) & ~(ii > 0)
        if np.any(needs_ii):
            raise ValueError(
                f"II must be > 0 where ADDL > 0 (record {int(np.flatnonzero(needs_ii)[0])} has "
                f"ADDL={addl[needs_ii][0]}, II={ii[needs_ii][0]})"
            )
        repeats = addl + 1
        record = np.repeat(np.arange(n), repeats)
        k = np.arange(record.size) - np.repeat(np.cumsum(repeats) - repeats, repeats)
        return cls(
            time[record] + k * ii[record],
            patient[record],
            state[record],
            np.full(record.size, ADD, dtype=np.int64),
            amount[record],
        )
