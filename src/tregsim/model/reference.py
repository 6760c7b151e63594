"""Reference solutions with scipy's Radau (independent of tregsim's own solver).

Used to validate the batched solver and to explore the model interactively.
Events are applied exactly: the integration stops at each event time,
applies it and restarts.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from . import MODEL, jac, rhs


def solve_reference(
    params: np.ndarray,
    y0: np.ndarray,
    events: list[tuple[float, int, int, float]],
    save_times: np.ndarray,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    method: str = "Radau",
) -> np.ndarray:
    """Solve one patient; ``events``: (time, state index, kind, value); kind 0 add/1 set/2 scale."""
    params = np.asarray(params, dtype=float)
    save_times = np.asarray(save_times, dtype=float)
    y = np.array(y0, dtype=float)
    out = np.full((len(save_times), MODEL.n_states), np.nan)

    def f(t, yy):
        d = np.empty_like(yy)
        rhs(t, yy, params, d)
        return d

    def jacobian(t, yy):
        j = np.empty((len(yy), len(yy)))
        jac(t, yy, params, j)
        return j

    t = float(save_times[0])
    ev = sorted(events, key=lambda e: e[0])
    boundaries = [e[0] for e in ev if save_times[0] <= e[0] <= save_times[-1]] + [
        float(save_times[-1])
    ]
    ei = 0
    # events at or before the first save time are applied first
    while ei < len(ev) and ev[ei][0] < t:
        ei += 1
    for stop in boundaries:
        while ei < len(ev) and ev[ei][0] <= t:
            _apply(y, ev[ei])
            ei += 1
        mask = (save_times >= t) & (save_times <= stop)
        if stop > t:
            sol = solve_ivp(
                f,
                (t, stop),
                y,
                method=method,
                jac=jacobian,
                rtol=rtol,
                atol=atol,
                dense_output=True,
            )
            if not sol.success:
                raise RuntimeError(sol.message)
            if mask.any():
                out[mask] = sol.sol(save_times[mask]).T
            # points exactly at `stop` are saved before the event at `stop` is applied
            y = sol.y[:, -1].copy()
        else:
            out[mask] = y
        t = stop
    while ei < len(ev) and ev[ei][0] <= t:
        ei += 1
    return out


def _apply(y: np.ndarray, event: tuple[float, int, int, float]) -> None:
    _, state, kind, value = event
    if kind == 0:
        y[state] += value
    elif kind == 1:
        y[state] = value
    else:
        y[state] *= value
