"""Group-sequential and adaptive designs, compared on the same virtual patients.

A design (the scenario's ``design`` section, :mod:`tregsim.protocol.design`) is an
analysis of the trial engine's patient rows masked by calendar time: interim looks see only
the visits done by then, so designs and scenario variants run on common random numbers.
Entry points: :func:`run_design` (``tregsim run`` with a design, ``--null``),
:func:`spending_boundaries`, and ``tregsim compare``.
"""

from tregsim.design.boundaries import (
    constant_shape_boundaries,
    crossing_probabilities,
    spending_boundaries,
)
from tregsim.design.evaluate import (
    check_design,
    design_plan,
    evaluate_design,
    null_scenario,
    run_design,
)

__all__ = [
    "check_design",
    "constant_shape_boundaries",
    "crossing_probabilities",
    "design_plan",
    "evaluate_design",
    "null_scenario",
    "run_design",
    "spending_boundaries",
]
