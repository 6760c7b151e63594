"""Generate the compiled kernels from the symbolic model (the single source of truth).

``python -m tregsim.model.codegen`` rewrites ``_generated.py``: the right-hand
side, the analytic Jacobian (from sympy's exact differentiation) and its
sparsity pattern, as numba ``@njit(cache=True)`` functions. A test checks the
committed file equals a fresh generation, so the kernels can never drift from
the equations.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import sympy as sp

from .codegen_kernels import _MAX_LANE_STORES, LANES, _lanes_loops, _sparse_lu_source
from .il2_aa import build_model

GENERATED = Path(__file__).with_name("_generated.py")
OBSERVABLES_GENERATED = Path(__file__).with_name("_observables.py")

#: Read-outs of :func:`tregsim.model.observe` computed from the model's derived quantities.
OBSERVABLE_NAMES = (
    "salt",
    "treg_pct_cd4",
    "treg_naive_pct_cd4",
    "treg_activated_pct_cd4",
    "signal_treg",
    "signal_tconv",
    "signal_cd8",
    "signal_nk",
    "signal_effector",
    "cd122_drive_effector",
    "il2_pm",
    "peg_il2_pm",
    "jak_inhibition",
    "attack",
    "visible_hair",
)


def _indexed(spec):
    states = {sp.Symbol(n): sp.Symbol(f"y[{i}]") for i, n in enumerate(spec.state_names)}
    params = {sp.Symbol(n): sp.Symbol(f"p[{i}]") for i, n in enumerate(spec.parameter_names)}
    return {**states, **params}


def _emit(assignments, outputs, target_fmt, indent="    "):
    lines = [f"{indent}{sym} = {sp.pycode(expr)}" for sym, expr in assignments]
    lines += [f"{indent}{target_fmt(idx)} = {sp.pycode(expr)}" for idx, expr in outputs]
    return "\n".join(lines)


def _hoist_parameter_terms(exprs, n_params: int):
    """Replace every largest parameter-only subexpression (no state, no time) by ``p[k]``,
    ``k >= n_params``: computed once per patient (:func:`extend_parameters`) instead of at
    every right-hand-side and Jacobian evaluation (they hold most of the model's divisions).

    Returns the rewritten expressions and the ``(index, expression)`` list of the extension.
    """
    hoisted: dict[sp.Expr, sp.Symbol] = {}
    order: list[tuple[int, sp.Expr]] = []

    def parameter_only(e) -> bool:
        return all(str(s).startswith("p[") for s in e.free_symbols)

    def hoist(e):
        cheap = e.is_Mul and len(e.args) == 2 and any(a.is_Number for a in e.args)
        cheap |= e.is_Pow and e.exp == 2 and e.base.is_Atom
        if cheap:
            return e
        if e not in hoisted:
            k = n_params + len(order)
            hoisted[e] = sp.Symbol(f"p[{k}]")
            order.append((k, e))
        return hoisted[e]

    def visit(e):
        if e.is_Atom:
            return e
        if parameter_only(e) and e.free_symbols:
            return hoist(e)
        if e.is_Mul or e.is_Add:
            # group the parameter-only factors (terms) of a mixed product (sum) into one
            fixed = [a for a in e.args if a.free_symbols and parameter_only(a)]
            rest = [visit(a) for a in e.args if not (a.free_symbols and parameter_only(a))]
            if len(fixed) > 1 or (fixed and not fixed[0].is_Atom):
                rest.append(hoist(e.func(*fixed)))
            else:
                rest.extend(fixed)
            return e.func(*rest)
        return e.func(*(visit(a) for a in e.args))

    return [visit(e) for e in exprs], order


def _default_atol(spec, nonzero) -> list[float]:
    """Per-state absolute tolerance for the solver (used with ``_default_rtol``).

    IL-2 amounts (nmol, zero between courses, acting at pM levels): 1e-8 nmol
    (1.7e-3 pM in the 6 L central volume, nearly four decades below the 10 pM trimer
    Kd; 1e-10 cost 13% more steps on the pilot-2014 regimen for no accuracy gain, the
    steps inside dosing courses being set by rtol on the IL-2 states near their peaks).
    Baricitinib amounts (mg): 1e-5 mg (3.5e-4 nM total in 76 L, four decades below its IC50
    of several nM). The earlier 1e-7 mg made the solver follow each daily dose's gut and
    plasma amounts far below anything that acts: 1e-5 mg takes a third fewer steps on the
    brave-aa1 regimens (3,760 -> 2,535 per patient over 12 weeks) and stays within 3.3e-6 of
    each species' range of Radau at rtol 1e-10 (1e-4 mg would halve the steps but miss the
    1e-5 bar of tests/solve/test_model_accuracy on bari_central).
    States nothing else depends on (an empty Jacobian column, e.g. cumulative IL-2
    eliminated, a bookkeeping output): 1e-6, their relative tolerance governs.
    Everything else: 1e-7 times the species' typical size, ``max(|healthy_guess|, 1)``
    (cells/uL ~ 1e1..1e3, relative and fraction states ~ 1); with rtol 1e-6 the error
    against Radau stays below 1e-6 of each species' range (tests/solve/test_model_accuracy).
    """
    read = {j for i, j in nonzero if i != j}
    out = []
    for k, sp_ in enumerate(spec.species):
        if k not in read:
            out.append(1e-6)
        elif sp_.unit == "nmol":
            out.append(1e-8)
        elif sp_.unit == "mg":
            out.append(1e-5)
        else:
            out.append(1e-7 * max(abs(sp_.healthy_guess), 1.0))
    return out


def _default_rtol(spec) -> list[float]:
    """Per-state relative tolerance for the solver.

    Drug amounts (IL-2 in nmol, baricitinib in mg): 1e-5. Their rise and fall after each
    dose, not the biology, set the step size inside dosing periods (about 100 steps per
    IL-2 dosing day and 60 per baricitinib day at 1e-6), and they act on cells only
    through saturating receptor occupancy and JAK inhibition. Measured on every built-in
    regimen against Radau at rtol 1e-10 (tests/solve/test_model_accuracy.py): error at most
    4.6e-6 of each species' range (1e-6 everywhere: 1.7e-6), 30% fewer steps on IL-2
    regimens and 29% fewer on daily baricitinib.
    Everything else: 1e-6.
    """
    return [1e-5 if sp_.unit in ("nmol", "mg") else 1e-6 for sp_ in spec.species]


def generate_source() -> str:
    """Return the text of ``_generated.py`` for the current model."""
    spec = build_model()
    subs = _indexed(spec)
    f = spec.rate_vector().xreplace(subs)
    n = len(spec.state_names)
    y_syms = [sp.Symbol(f"y[{i}]") for i in range(n)]
    jac = f.jacobian(y_syms)
    nonzero = [(i, j) for i in range(n) for j in range(n) if jac[i, j] != 0]

    rhs_repl, rhs_red = sp.cse(list(f), symbols=sp.numbered_symbols("t"), optimizations="basic")
    rhs_body = _emit(rhs_repl, list(enumerate(rhs_red)), lambda i: f"dydt[{i}]")
    jac_exprs = [jac[i, j] for i, j in nonzero]
    jac_repl, jac_red = sp.cse(jac_exprs, symbols=sp.numbered_symbols("t"), optimizations="basic")
    jac_body = _emit(
        jac_repl, list(zip(nonzero, jac_red, strict=True)), lambda ij: f"J[{ij[0]}, {ij[1]}]"
    )
    jac_values_body = _emit(jac_repl, list(enumerate(jac_red)), lambda q: f"v[{q}]")
    n_params = len(spec.parameter_names)
    fast, extension = _hoist_parameter_terms(list(f) + jac_exprs, n_params)
    fast_rhs, fast_jac = fast[:n], fast[n:]
    repl, red = sp.cse(fast_rhs, symbols=sp.numbered_symbols("t"), optimizations="basic")
    rhs_ext_body = _emit(repl, list(enumerate(red)), lambda i: f"dydt[{i}]")
    # common subexpressions per block of outputs, so that jac_values_lanes (one loop per
    # block, see _lanes_loops) does exactly the arithmetic of jac_values_extended
    jac_lane_blocks = []
    for lo in range(0, len(fast_jac), _MAX_LANE_STORES):
        part = fast_jac[lo : lo + _MAX_LANE_STORES]
        repl, red = sp.cse(part, symbols=sp.numbered_symbols("t"), optimizations="basic")
        outputs = [(lo + q, r) for q, r in enumerate(red)]
        jac_lane_blocks.append(_emit(repl, outputs, "v[{}]".format))
    jac_values_ext_body = "\n".join(jac_lane_blocks)
    extension_body = "\n".join(
        ["    for i in range(N_PARAMS):", "        q[i] = p[i]"]
        + [f"    q[{k}] = {sp.pycode(e)}" for k, e in extension]
    )
    source_hash = hashlib.sha256(
        (
            Path(__file__).with_name("il2_aa.py").read_text()
            + "".join(
                path.read_text()
                for path in sorted(Path(__file__).with_name("parameters").glob("*.py"))
            )
        ).encode()
    ).hexdigest()[:16]
    sparsity_rows = ",\n    ".join(
        "("
        + ", ".join(str(j) for j in range(n) if (i, j) in set(nonzero))
        + ("," if sum(1 for jj in range(n) if (i, jj) in set(nonzero)) == 1 else "")
        + ")"
        for i in range(n)
    )
    return f'''"""Generated by tregsim.model.codegen from tregsim.model.il2_aa. Do not edit.

Source hash: {source_hash}
"""
# ruff: noqa
import numpy as np
from numba import njit

AUTONOMOUS = True
N_STATES = {n}
N_PARAMS = {len(spec.parameter_names)}
STATE_NAMES = {tuple(spec.state_names)!r}
PARAMETER_NAMES = {tuple(spec.parameter_names)!r}
JAC_NONZERO_COLUMNS = (
    {sparsity_rows},
)
#: Default per-state absolute tolerance of tregsim.solve (see codegen._default_atol).
DEFAULT_ATOL = np.array({_default_atol(spec, nonzero)!r})
#: Default per-state relative tolerance of tregsim.solve (see codegen._default_rtol).
DEFAULT_RTOL = np.array({_default_rtol(spec)!r})
JAC_SPARSITY = np.zeros((N_STATES, N_STATES), dtype=np.bool_)
for _i, _cols in enumerate(JAC_NONZERO_COLUMNS):
    for _j in _cols:
        JAC_SPARSITY[_i, _j] = True


@njit(cache=True, fastmath=False)
def rhs(t, y, p, dydt):
    """Right-hand side dy/dt of the IL-2 / alopecia areata model (days)."""
{rhs_body}


@njit(cache=True, fastmath=False)
def jac(t, y, p, J):
    """Analytic Jacobian d(rhs)/dy; entries outside JAC_SPARSITY are set to zero."""
    J[:, :] = 0.0
{jac_body}


#: (row, column) of each Jacobian nonzero, in the order :func:`jac_values` writes them.
JAC_NONZERO = {tuple(nonzero)!r}
JAC_NNZ = {len(nonzero)}


@njit(cache=True, fastmath=False)
def jac_values(t, y, p, v):
    """The Jacobian's nonzeros only, into the 1-D ``v`` (order JAC_NONZERO); the solver's
    form of :func:`jac` (no dense matrix to clear or read back)."""
{jac_values_body}


#: Length of the extended parameter vector of :func:`extend_parameters`.
N_EXTENDED = {n_params + len(extension)}


@njit(cache=True, fastmath=False)
def extend_parameters(p, q):
    """``q`` = the parameters ``p`` followed by every parameter-only term of the rhs and the
    Jacobian, computed once per patient for :func:`rhs_extended` / :func:`jac_values_extended`.
    (The plain kernels read only ``q[:N_PARAMS]``, so they accept ``q`` as well.)"""
{extension_body}


@njit(cache=True, fastmath=False)
def rhs_extended(t, y, p, dydt):
    """:func:`rhs` with ``p`` extended by :func:`extend_parameters` (the solver's form)."""
{rhs_ext_body}


@njit(cache=True, fastmath=False)
def jac_values_extended(t, y, p, v):
    """:func:`jac_values` with ``p`` extended by :func:`extend_parameters`."""
{jac_values_ext_body}


#: Patients per group of the ``*_lanes`` kernels (see codegen.LANES).
LANES = {LANES}


@njit(cache=True, fastmath=False, error_model="numpy")
def rhs_lanes(y, p, dydt):
    """:func:`rhs_extended` for ``LANES`` patients at once, arrays lane-minor (entry ``i`` of
    patient ``k`` at ``[i * LANES + k]``); vectorized across patients, each patient's values
    bit-identical to :func:`rhs_extended`. The model is autonomous (no ``t``)."""
{_lanes_loops([rhs_ext_body], "dydt.shape[0] // N_STATES")}


@njit(cache=True, fastmath=False, error_model="numpy")
def jac_values_lanes(y, p, v):
    """:func:`jac_values_extended` for ``LANES`` patients (lane-minor, see :func:`rhs_lanes`)."""
{_lanes_loops(jac_lane_blocks, "v.shape[0] // JAC_NNZ")}
{_sparse_lu_source(nonzero, n)}'''


def generate_observables_source() -> str:
    """Return the text of ``_observables.py``: each observable as the plain Python function
    ``sympy.lambdify(states + parameters, expression, "numpy")`` writes for it (the same
    code, hence the same values), so that reading out a simulation needs no sympy."""
    import inspect

    from .spec import expand_derived

    spec = build_model()
    symbols = spec.state_symbols() + spec.parameter_symbols()
    functions = []
    for name in OBSERVABLE_NAMES:
        expr = expand_derived(spec.derived[name], spec.derived)
        source = inspect.getsource(sp.lambdify(symbols, expr, "numpy"))
        if re.search(r"[A-Za-z_]\w*\(", source.split("return", 1)[1]):  # a call needs numpy
            raise ValueError(f"observable {name!r} needs functions; extend the generator")
        functions.append(source.replace("def _lambdifygenerated(", f"def {name}(", 1))
    table = "".join(f"    {name!r}: {name},\n" for name in OBSERVABLE_NAMES)
    body = "\n\n".join(functions)
    return f'''"""Generated by tregsim.model.codegen from tregsim.model.il2_aa. Do not edit.

Observables of :func:`tregsim.model.observe`: arguments are the states then the parameters
(arrays or scalars), in model order.
"""
# ruff: noqa


{body}

FUNCTIONS = {{
{table}}}
'''


def main() -> None:
    """Rewrite ``_generated.py`` and ``_observables.py``."""
    GENERATED.write_text(generate_source())
    print(f"wrote {GENERATED}")
    OBSERVABLES_GENERATED.write_text(generate_observables_source())
    print(f"wrote {OBSERVABLES_GENERATED}")


if __name__ == "__main__":
    main()
