"""Public entry points: :func:`solve_batch` and :func:`solve_in_chunks`."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numba
import numpy as np

from tregsim.solve._kernels import get_driver
from tregsim.solve.events import EventTable
from tregsim.solve.rosenbrock import STATUS_MESSAGES

DEFAULT_MODEL_MODULE = "tregsim.model._generated"


@dataclass(frozen=True)
class BatchSolution:
    """Saved trajectories of a batch (read-only arrays).

    Attributes:
        times: (m,) save times in days.
        values: (n, m, k) saved states; NaN rows for failed patients.
        status: (n,) int8 per-patient status: 0 success, 1 max_steps exceeded, 2 step size
            underflow, 3 non-finite values (see ``tregsim.solve.STATUS_MESSAGES``).
        n_steps: (n,) int64 attempted (accepted + rejected) Rodas4 steps per patient.
        n_failed: number of patients with status != 0.
        save_states: (k,) state indices of the last axis of ``values``.
        n_rejected: (n,) int64 rejected steps per patient (included in ``n_steps``).
    """

    times: np.ndarray
    values: np.ndarray
    status: np.ndarray
    n_steps: np.ndarray
    n_failed: int
    save_states: np.ndarray | None = None
    n_rejected: np.ndarray | None = None


def _readonly(*arrays):
    for a in arrays:
        a.setflags(write=False)


@contextmanager
def _numba_threads(threads: int | None):
    if threads is None:
        yield
        return
    old = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield
    finally:
        numba.set_num_threads(old)


def _default_kernels():
    try:
        generated = importlib.import_module(DEFAULT_MODEL_MODULE)
    except ImportError as exc:  # pragma: no cover - depends on the model package
        raise ImportError(
            f"solve_batch defaults to the tregsim model kernels in {DEFAULT_MODEL_MODULE}, "
            "which could not be imported; pass rhs= and jac= explicitly"
        ) from exc
    return generated.rhs, generated.jac, bool(getattr(generated, "AUTONOMOUS", False))


def _model_tolerance(rhs, name: str, fallback: float):
    """The ``name`` array (DEFAULT_ATOL / DEFAULT_RTOL) of the kernels' module, else fallback."""
    module = importlib.import_module(rhs.py_func.__module__)
    value = getattr(module, name, None)
    return fallback if value is None else np.asarray(value, dtype=np.float64)


def _start_times(t0, n: int) -> np.ndarray:
    arr = np.asarray(t0, dtype=np.float64)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape != (n,)):
        raise ValueError(f"t0 must be a scalar or shape ({n},), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("t0 must be finite")
    return np.ascontiguousarray(np.broadcast_to(arr, (n,)), dtype=np.float64)


def _tolerance(name: str, value, n_states: int) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape != (n_states,)):
        raise ValueError(f"{name} must be a scalar or shape ({n_states},), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return np.ascontiguousarray(np.broadcast_to(arr, (n_states,)), dtype=np.float64)


def solve_batch(
    params,
    y0,
    events: EventTable | None,
    save_times,
    save_states: Sequence[int] | None = None,
    rtol=None,
    atol=None,
    max_steps: int = 200_000,
    threads: int | None = None,
    *,
    rhs=None,
    jac=None,
    autonomous: bool | None = None,
    t0=0.0,
    lanes: bool = True,
) -> BatchSolution:
    """Integrate a batch of patients with Rodas4, in parallel over patients.

    Each patient has its own adaptive step (Rodas4, Hairer & Wanner 1996, see
    :mod:`tregsim.solve.rosenbrock`). Integration starts at ``t0`` from ``y0``, stops exactly
    at each event time, applies the events and restarts; values at a save time include the
    events at that time. Memory is ``n x m x k``, independent of the number of steps.

    Args:
        params: (n, n_params) parameters per patient.
        y0: (n, n_states) state at ``t0``.
        events: discontinuities (``None`` for none); times must be ``>= t0`` of their
            patient; events after
            the last save time are ignored.
        save_times: (m,) nondecreasing times ``>= t0`` (days).
        save_states: indices of the states to keep (default: all).
        rtol, atol: relative and absolute tolerances, scalars or (n_states,) arrays.
            ``atol=None``: the kernels' module's ``DEFAULT_ATOL`` (per state; for the tregsim
            model 1e-8 nmol for IL-2, 1e-5 mg for baricitinib, 1e-7 x typical size
            otherwise, see ``tregsim.model.codegen``), else 1e-9. ``rtol=None``: the
            module's ``DEFAULT_RTOL`` (tregsim model: 1e-5 for drug amounts, 1e-6
            otherwise), else 1e-6.
        max_steps: attempted steps per patient before giving up (status 1).
        threads: numba threads for this call (default: numba's current setting).
        rhs, jac: numba ``@njit`` kernels ``rhs(t, y, p, dydt)`` and ``jac(t, y, p, J)``
            defined at the top level of importable modules; default: the tregsim model
            (``tregsim.model._generated``). Given together or not at all.
        autonomous: True if ``rhs`` does not depend on ``t`` (skips a finite difference in
            ``t`` per step). Default: the model module's ``AUTONOMOUS`` flag, else False.
        t0: start time (days): a scalar, or (n,) per patient (a patient's result then
            never depends on which other patients share the batch).
        lanes: integrate several patients at once with SIMD arithmetic when the kernels'
            module provides lane kernels (the tregsim model does; autonomous models only).
            Values are bit-identical either way; False is for checks and benchmarks.

    Returns:
        :class:`BatchSolution`. Per-patient failures are recorded in ``status`` (NaN rows);
        they never abort the other patients.
    """
    if (rhs is None) != (jac is None):
        raise ValueError("pass both rhs= and jac=, or neither (to use the tregsim model)")
    if rhs is None:
        rhs, jac, model_autonomous = _default_kernels()
        if autonomous is None:
            autonomous = model_autonomous
    elif autonomous is None:
        module = importlib.import_module(rhs.py_func.__module__)
        autonomous = bool(getattr(module, "AUTONOMOUS", False))

    params = np.ascontiguousarray(params, dtype=np.float64)
    y0 = np.ascontiguousarray(y0, dtype=np.float64)
    if y0.ndim != 2:
        raise ValueError(f"y0 must be (n_patients, n_states), got shape {y0.shape}")
    n, n_states = y0.shape
    if params.ndim != 2 or params.shape[0] != n:
        raise ValueError(f"params must be ({n}, n_params) to match y0, got shape {params.shape}")
    save_times = np.array(save_times, dtype=np.float64)  # own copy: returned read-only
    if save_times.ndim != 1 or save_times.size == 0:
        raise ValueError(f"save_times must be a non-empty 1-D array, got shape {save_times.shape}")
    if not np.all(np.isfinite(save_times)) or np.any(np.diff(save_times) < 0):
        raise ValueError("save_times must be finite and nondecreasing")
    t0 = _start_times(t0, n)
    if save_times[0] < t0.max():
        raise ValueError(f"save_times must be >= t0={t0.max()}, got {save_times[0]}")
    if save_states is None:
        states = np.arange(n_states, dtype=np.int64)
    else:
        states = np.asarray(save_states, dtype=np.int64).reshape(-1)
        if np.any((states < 0) | (states >= n_states)):
            raise ValueError(f"save_states must be in [0, {n_states}), got {list(states)}")
    if atol is None:
        atol = _model_tolerance(rhs, "DEFAULT_ATOL", 1e-9)
    if rtol is None:
        rtol = _model_tolerance(rhs, "DEFAULT_RTOL", 1e-6)
    rtol_a = _tolerance("rtol", rtol, n_states)
    atol_a = _tolerance("atol", atol, n_states)
    if np.all(rtol_a == 0) and np.all(atol_a == 0):
        raise ValueError("rtol and atol cannot both be zero")
    if np.any(atol_a + rtol_a == 0):
        raise ValueError("each state needs atol > 0 or rtol > 0")
    if int(max_steps) < 1:
        raise ValueError(f"max_steps must be >= 1, got {max_steps}")
    if threads is not None and not 1 <= int(threads) <= numba.config.NUMBA_NUM_THREADS:
        raise ValueError(f"threads must be in [1, {numba.config.NUMBA_NUM_THREADS}], got {threads}")
    events = EventTable.empty() if events is None else events
    if not isinstance(events, EventTable):
        raise TypeError(f"events must be an EventTable or None, got {type(events).__name__}")
    if len(events):
        early = events.time < t0[np.clip(events.patient, 0, n - 1)]
        if early.any():
            raise ValueError(
                f"event times must be >= t0 of their patient, got {events.time[early].min()}"
            )
        if events.state.max() >= n_states:
            raise ValueError(
                f"EventTable.state holds {events.state.max()} but the model has {n_states} states"
            )
    csr = events.sorted_csr(n)

    driver = get_driver(rhs, jac)
    values = np.empty((n, save_times.size, states.size))
    status = np.zeros(n, dtype=np.int8)
    n_steps = np.zeros(n, dtype=np.int64)
    n_rejected = np.zeros(n, dtype=np.int64)
    # shuffled visiting order: even thread loads when costly patients come in runs (results
    # do not depend on it, each patient is integrated on its own)
    order = np.random.default_rng(0).permutation(n).astype(np.int64)
    with _numba_threads(None if threads is None else int(threads)):
        lane_blocks = numba.get_num_threads() if lanes else 0
        n_lanes = sys.modules[driver.py_func.__module__].LANES
        driver(
            params,
            y0,
            t0,
            save_times,
            states,
            csr.offsets,
            csr.time,
            csr.state,
            csr.kind,
            csr.value,
            rtol_a,
            atol_a,
            int(max_steps),
            bool(autonomous),
            values,
            status,
            n_steps,
            n_rejected,
            order,
            lane_blocks,
            n_lanes,
        )
    _readonly(save_times, values, status, n_steps, states, n_rejected)
    return BatchSolution(
        save_times, values, status, n_steps, int(np.count_nonzero(status)), states, n_rejected
    )


def iter_chunks(
    params, y0, events: EventTable | None, save_times, *args, chunk_size: int = 10_000, **kwargs
) -> Iterator[tuple[int, BatchSolution]]:
    """Yield ``(first_patient, BatchSolution)`` chunk by chunk (for streaming to disk)."""
    params = np.asarray(params)
    y0 = np.asarray(y0)
    if int(chunk_size) < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    n = y0.shape[0]
    events = EventTable.empty() if events is None else events
    order = np.argsort(events.patient, kind="stable")
    sorted_patient = events.patient[order]
    for start in range(0, n, int(chunk_size)):
        stop = min(n, start + int(chunk_size))
        lo, hi = np.searchsorted(sorted_patient, [start, stop])
        idx = order[lo:hi]
        chunk_events = EventTable(
            events.time[idx],
            events.patient[idx] - start,
            events.state[idx],
            events.kind[idx],
            events.value[idx],
        )
        chunk_kwargs = dict(kwargs)
        if np.ndim(kwargs.get("t0", 0.0)) == 1:
            chunk_kwargs["t0"] = np.asarray(kwargs["t0"])[start:stop]
        yield (
            start,
            solve_batch(
                params[start:stop], y0[start:stop], chunk_events, save_times, *args, **chunk_kwargs
            ),
        )


def solve_in_chunks(
    params, y0, events: EventTable | None, save_times, *args, chunk_size: int = 10_000, **kwargs
) -> BatchSolution:
    """:func:`solve_batch` over chunks of ``chunk_size`` patients (same arguments).

    Working memory is bounded by the chunk; only the saved values (n x m x k) grow with n.
    Results are identical to a single :func:`solve_batch` call.
    """
    n = np.asarray(y0).shape[0]
    values = status = n_steps = n_rejected = None
    times = states = None
    for start, sol in iter_chunks(
        params, y0, events, save_times, *args, chunk_size=chunk_size, **kwargs
    ):
        if values is None:
            values = np.empty((n,) + sol.values.shape[1:])
            status = np.empty(n, dtype=np.int8)
            n_steps = np.empty(n, dtype=np.int64)
            n_rejected = np.empty(n, dtype=np.int64)
            times, states = sol.times, sol.save_states
        stop = start + sol.status.size
        values[start:stop] = sol.values
        status[start:stop] = sol.status
        n_steps[start:stop] = sol.n_steps
        n_rejected[start:stop] = sol.n_rejected
    if values is None:
        raise ValueError("y0 must hold at least one patient")
    _readonly(values, status, n_steps, n_rejected)
    return BatchSolution(
        times, values, status, n_steps, int(np.count_nonzero(status)), states, n_rejected
    )


__all__ = ["STATUS_MESSAGES", "BatchSolution", "iter_chunks", "solve_batch", "solve_in_chunks"]
