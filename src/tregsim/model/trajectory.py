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

from functools import cache
from typing import Any

import numpy as np

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


__all__ = ["ATOL", "RTOL", "derived_quantities"]
