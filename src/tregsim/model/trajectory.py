"""The typical patient of an arm, solved at fine output times (``tregsim trajectory``).

Columns of the returned frame:

* ``time``: days since the first dose (study day 0);
* one column per state, named by its SBML species id (``MODEL.state_names``, in that
  order), in the state's unit (IL-2 nmol, baricitinib mg, blood cells cells/uL, skin and
  follicle variables dimensionless);
* one column per derived quantity of the model (the assignment rules of the SBML export,
  :mod:`tregsim.model.sbml`, same names, no prefix), e.g. ``il2_pm``, ``signal_treg``,
  ``salt``, ``treg_pct_cd4``;
* the remaining read-outs of :func:`tregsim.model.observe` (``treg_per_ul``,
  ``cd8_per_ul``, ``nk_per_ul``).

Where :func:`~tregsim.model.observe` defines a read-out its value is used, so ``salt`` is
clipped to 0-100 as in trial outputs (the SBML assignment rule is the unclipped formula).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

#: Solver tolerances of the reference trajectory (tighter than trial simulations).
RTOL = 1e-8
ATOL = 1e-10


@cache
def _derived_functions() -> dict[str, Any]:
    import sympy as sp

    from .il2_aa import build_model
    from .spec import expand_derived

    spec = build_model()
    symbols = spec.state_symbols() + spec.parameter_symbols()
    return {
        name: sp.lambdify(symbols, expand_derived(expr, spec.derived), "numpy")
        for name, expr in spec.derived.items()
    }


def derived_quantities(states: np.ndarray, params: np.ndarray) -> dict[str, np.ndarray]:
    """Every derived quantity of the model for states (m, n_states) and one params row.

    Values are the sympy formulas of :func:`tregsim.model.il2_aa.build_model` (the SBML
    assignment rules), overlaid with the read-outs of :func:`tregsim.model.observe`.
    """
    from . import MODEL, observe

    states = np.atleast_2d(np.asarray(states, dtype=float))
    params = np.asarray(params, dtype=float).reshape(-1)
    args = [states[:, i] for i in range(MODEL.n_states)] + list(params)
    out = {
        name: np.asarray(fn(*args), dtype=float) * np.ones(states.shape[0])
        for name, fn in _derived_functions().items()
    }
    observed = observe(states, np.broadcast_to(params, (states.shape[0], params.size)))
    out.update({name: np.asarray(value, dtype=float) for name, value in observed.items()})
    return out


def _scenario(scenario: Any) -> Any:
    if isinstance(scenario, str):
        from tregsim.scenarios import load_scenario

        return load_scenario(scenario, [])
    return scenario


def typical_trajectory(scenario: Any, arm: str, times: Sequence[float]) -> pd.DataFrame:
    """Solve the typical patient of ``arm`` from day 0 and tabulate it at ``times`` (days).

    Args:
        scenario: a loaded :class:`tregsim.protocol.Scenario` (or a built-in name / path).
        arm: arm name; its typical patient is :func:`tregsim.population.typical_patient`.
        times: nondecreasing output times in days, all ``>= 0``.

    Returns:
        DataFrame with ``time``, every state (SBML species ids) and the derived read-outs
        (see the module docstring); one row per output time, default index.

    Raises:
        ValueError: bad ``times``; RuntimeError: the solver failed (message from
        ``tregsim.solve.STATUS_MESSAGES``).
    """
    from tregsim.population import typical_patient
    from tregsim.solve import STATUS_MESSAGES, solve_batch

    from . import MODEL

    save = np.asarray(times, dtype=float).reshape(-1)
    if save.size == 0:
        raise ValueError("times is empty; give at least one output time in days, e.g. [0, 1, 2]")
    if not np.all(np.isfinite(save)) or save[0] < 0.0 or np.any(np.diff(save) < 0.0):
        raise ValueError(
            "times must be finite, nondecreasing and >= 0 (days since the first dose); "
            f"got {save[:5]}..."
        )
    patient = typical_patient(_scenario(scenario), arm)
    params = np.asarray(patient.params, dtype=float).reshape(1, -1)
    y0 = np.asarray(patient.y0, dtype=float).reshape(1, -1)
    solution = solve_batch(params, y0, patient.events, save, rtol=RTOL, atol=ATOL, t0=0.0)
    status = int(solution.status[0])
    if status != 0:
        raise RuntimeError(
            f"the typical patient of arm {arm!r} could not be solved: "
            f"{STATUS_MESSAGES.get(status, status)}"
        )
    states = np.asarray(solution.values[0], dtype=float)
    columns: dict[str, np.ndarray] = {"time": save}
    columns.update({name: states[:, i] for i, name in enumerate(MODEL.state_names)})
    for name, values in derived_quantities(states, params[0]).items():
        columns.setdefault(name, values)
    return pd.DataFrame(columns)


__all__ = ["ATOL", "RTOL", "derived_quantities", "typical_trajectory"]
