"""Declarative pieces of a model: parameters and species as data.

Every number in the model is a :class:`Parameter` with a value, a unit and a
source (a DOI/PMID or publication), or the label ``assumed`` / ``calibrated``
with what it was calibrated to. The symbolic equations live in
:mod:`tregsim.model.il2_aa`; everything else (compiled kernels, SBML, docs) is
generated from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sympy is imported where the equations are built, not at run time
    import sympy as sp

SOURCE_LABELS = ("published", "derived", "assumed", "calibrated")


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    ``kind`` is one of ``published`` (value read from ``source``), ``derived``
    (computed from published numbers, the arithmetic in ``source``), ``assumed``
    (no number found; a labelled assumption) or ``calibrated`` (fitted; ``source``
    names the target). ``iiv_cv`` is the coefficient of variation of its
    log-normal inter-individual variability (``None``: the same for everyone).
    """

    name: str
    value: float
    unit: str
    kind: str
    source: str
    description: str
    iiv_cv: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_LABELS:
            raise ValueError(f"parameter {self.name}: kind must be one of {SOURCE_LABELS}")
        if not self.source.strip():
            raise ValueError(f"parameter {self.name}: a source or justification is required")


@dataclass(frozen=True)
class Species:
    """One state variable (an SBML species id)."""

    name: str
    unit: str
    description: str
    healthy_guess: float


@dataclass(frozen=True)
class ModelSpec:
    """The symbolic model: species, parameters, rates and derived quantities."""

    species: tuple[Species, ...]
    parameters: tuple[Parameter, ...]
    rates: dict[str, sp.Expr]
    derived: dict[str, sp.Expr] = field(default_factory=dict)
    equation_notes: dict[str, str] = field(default_factory=dict)

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.species)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def state_symbols(self) -> list[sp.Symbol]:
        import sympy as sp

        return [sp.Symbol(n) for n in self.state_names]

    def parameter_symbols(self) -> list[sp.Symbol]:
        import sympy as sp

        return [sp.Symbol(n) for n in self.parameter_names]

    def rate_vector(self) -> sp.Matrix:
        """The right-hand side with derived quantities substituted, in state order."""
        import sympy as sp

        exprs = [self.rates[n] for n in self.state_names]
        return sp.Matrix([expand_derived(e, self.derived) for e in exprs])


def expand_derived(expr: sp.Expr, derived: dict[str, sp.Expr]) -> sp.Expr:
    """Substitute derived quantities (which may refer to each other) until none remain."""
    import sympy as sp

    symbols = {sp.Symbol(k): v for k, v in derived.items()}
    for _ in range(len(symbols) + 1):
        new = expr.xreplace(symbols)
        if new == expr:
            return expr
        expr = new
    raise ValueError("derived quantities refer to each other in a cycle")
