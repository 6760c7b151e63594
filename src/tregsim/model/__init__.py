"""The mechanistic model: metadata, compiled kernels and observables.

The equations are written once in :mod:`tregsim.model.il2_aa`; the kernels in
``_generated.py``, the SBML export (:mod:`tregsim.model.sbml`) and the
equations page (``docs/model.md``) are all generated from them.
"""

from __future__ import annotations

import dis
from dataclasses import dataclass
from functools import cache

import numpy as np

from . import _generated
from .il2_aa import SPECIES
from .parameters import PARAMETERS
from .spec import Parameter, Species

rhs = _generated.rhs
jac = _generated.jac
JAC_SPARSITY = _generated.JAC_SPARSITY


@dataclass(frozen=True)
class ModelInfo:
    """Names, indices and default values of the compiled model."""

    state_names: tuple[str, ...]
    parameter_names: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    species: tuple[Species, ...]

    @property
    def n_states(self) -> int:
        return len(self.state_names)

    @property
    def n_params(self) -> int:
        return len(self.parameter_names)

    @property
    def state_index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.state_names)}

    @property
    def parameter_index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.parameter_names)}

    @property
    def default_parameters(self) -> np.ndarray:
        values = np.array([p.value for p in self.parameters], dtype=float)
        values.flags.writeable = False
        return values


MODEL = ModelInfo(
    state_names=tuple(s.name for s in SPECIES),
    parameter_names=tuple(p.name for p in PARAMETERS),
    parameters=PARAMETERS,
    species=SPECIES,
)
#: False when the equations changed and ``python -m tregsim.model.codegen`` was not rerun
#: (tests/model/test_codegen.py fails in that case).
KERNELS_MATCH_SOURCE = (
    MODEL.state_names == _generated.STATE_NAMES
    and MODEL.parameter_names == _generated.PARAMETER_NAMES
)


def initial_state(params: np.ndarray) -> np.ndarray:
    """A healthy starting point (before settling), one row per parameter row.

    Hair-cycle fractions follow the cycle durations exactly; the immune states
    start at their reference levels. :func:`tregsim.population.settle` integrates
    from here to the patient's own steady state.
    """
    params = np.atleast_2d(np.asarray(params, dtype=float))
    y0 = np.tile([s.healthy_guess for s in SPECIES], (params.shape[0], 1))
    pi = MODEL.parameter_index
    si = MODEL.state_index
    durations = {
        "anagen_regrowing": params[:, pi["visible_days"]],
        "anagen": params[:, pi["anagen_days"]],
        "catagen": params[:, pi["catagen_days"]],
        "telogen": params[:, pi["telogen_days"]],
    }
    cycle = sum(durations.values())
    for name, duration in durations.items():
        y0[:, si[name]] = duration / cycle
    for name in ("treg_resting", "tconv_blood", "cd8_blood", "nk_blood"):
        ref = name.replace("_blood", "") + "_ref" if name != "treg_resting" else "treg_resting_ref"
        y0[:, si[name]] = params[:, pi[ref]]
    y0[:, si["treg_active"]] = params[:, pi["treg_active_ref"]]
    y0[:, si["treg_active_homing"]] = (
        params[:, pi["treg_homing_share"]] * params[:, pi["treg_active_ref"]]
    )
    return y0


def _observable_functions():
    """Observable name -> function of (states..., parameters...), generated from the model's
    derived quantities by :mod:`tregsim.model.codegen` (``_observables.py``)."""
    from . import _observables

    return _observables.FUNCTIONS


#: Read-outs of :func:`observe` that are states (or a sum of two) rather than generated
#: functions: name -> the states added up.
_STATE_READOUTS = {
    "treg_per_ul": ("treg_resting", "treg_active"),
    "treg_naive_per_ul": ("treg_resting",),
    "treg_activated_per_ul": ("treg_active",),
    "tconv_per_ul": ("tconv_blood",),
    "cd8_per_ul": ("cd8_blood",),
    "nk_per_ul": ("nk_blood",),
}


def _arguments_read(function) -> set[str]:
    """Names of the arguments a generated observable function actually reads (bytecode)."""
    read: set[str] = set()
    for instruction in dis.get_instructions(function):
        if instruction.opname.startswith("LOAD_FAST"):
            value = instruction.argval
            read.update(value if isinstance(value, tuple) else (value,))
    return read


@cache
def observable_states(names: tuple[str, ...]) -> tuple[int, ...]:
    """Indices (sorted) of the states that the :func:`observe` read-outs ``names`` depend on.

    A solve that saves only these states (``solve_batch(save_states=...)``) gives
    :func:`observe` everything it needs for ``names``; the other states may hold anything.
    """
    functions = _observable_functions()
    used: set[str] = set()
    for name in names:
        if name in _STATE_READOUTS:
            used.update(_STATE_READOUTS[name])
        elif name in functions:
            used.update(_arguments_read(functions[name]))
        else:
            raise KeyError(f"observe has no read-out {name!r}")
    return tuple(i for i, state in enumerate(MODEL.state_names) if state in used)


def observe(
    states: np.ndarray, params: np.ndarray, names: tuple[str, ...] | None = None
) -> dict[str, np.ndarray]:
    """Clinical and mechanistic read-outs from states (..., n_states) and params (..., n_params).

    Returns ``salt`` (0-100, clipped), ``treg_pct_cd4`` (%) and its naive / activated
    parts ``treg_naive_pct_cd4`` + ``treg_activated_pct_cd4``, ``treg_per_ul``,
    ``treg_naive_per_ul``, ``treg_activated_per_ul`` (CD25bright), ``tconv_per_ul``,
    ``cd8_per_ul``, ``nk_per_ul``, IL-2 signal in Tregs / T helpers / CD8 / NK / skin
    effectors (CD122 occupancy), plasma IL-2 and PEG-IL-2 (``il2_pm``, ``peg_il2_pm``),
    JAK inhibition, follicle attack rate. ``names`` (default: all) computes only those
    read-outs; each value is the same whichever others are asked for.
    """
    states = np.asarray(states, dtype=float)
    params = np.asarray(params, dtype=float)
    while params.ndim < states.ndim:  # (n, n_params) with (n, m, n_states): one row per patient
        params = np.expand_dims(params, axis=-2)
    params = np.broadcast_to(params, states.shape[:-1] + (MODEL.n_params,))
    functions = _observable_functions()
    wanted = (*functions, *_STATE_READOUTS) if names is None else tuple(names)
    unknown = [name for name in wanted if name not in functions and name not in _STATE_READOUTS]
    if unknown:
        raise KeyError(f"observe has no read-out {unknown[0]!r}")
    args = [states[..., i] for i in range(MODEL.n_states)] + [
        params[..., j] for j in range(MODEL.n_params)
    ]
    out = {
        name: np.asarray(fn(*args), dtype=float) * np.ones(states.shape[:-1])
        for name, fn in functions.items()
        if name in wanted
    }
    if "salt" in out:
        out["salt"] = np.clip(out["salt"], 0.0, 100.0)
    si = MODEL.state_index
    for name, parts in _STATE_READOUTS.items():
        if name in wanted:
            value = states[..., si[parts[0]]]
            out[name] = value + states[..., si[parts[1]]] if len(parts) == 2 else value
    return out


__all__ = [
    "MODEL",
    "ModelInfo",
    "initial_state",
    "observable_states",
    "observe",
    "rhs",
    "jac",
    "JAC_SPARSITY",
]
