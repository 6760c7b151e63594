"""The parameter table of the IL-2 / alopecia areata model: every number, its unit and source.

Time is in days, IL-2 amounts in nmol, IL-2 concentrations in pM, baricitinib
amounts in mg, blood cell counts in cells per microlitre, skin immune variables
and follicle fractions are dimensionless (skin variables relative to a healthy
reference, follicle states as fractions of the ~100,000 scalp follicles).

Values marked ``calibrated`` were set by :mod:`tregsim.calibration` against the
target named in their source and are the centre of the calibrated ensemble.

The table is split by subsystem (one module each); the order of :data:`PARAMETERS` is the
order of the parameter vector and is fixed here.
"""

from __future__ import annotations

from ..spec import Parameter
from . import blood, hair_and_baricitinib, pk, receptors, skin

PARAMETERS: tuple[Parameter, ...] = (
    pk.PARAMETERS
    + receptors.PARAMETERS
    + blood.PARAMETERS
    + skin.PARAMETERS
    + hair_and_baricitinib.PARAMETERS
)

PARAMETER_INDEX = {p.name: i for i, p in enumerate(PARAMETERS)}

__all__ = ["PARAMETERS", "PARAMETER_INDEX"]
