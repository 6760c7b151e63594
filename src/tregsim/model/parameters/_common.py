"""Shared constants and source strings of the parameter table (:mod:`tregsim.model.parameters`).

Time is in days, IL-2 amounts in nmol, IL-2 concentrations in pM, baricitinib
amounts in mg, blood cell counts in cells per microlitre, skin immune variables
and follicle fractions are dimensionless (skin variables relative to a healthy
reference, follicle states as fractions of the ~100,000 scalp follicles).

Values marked ``calibrated`` were set by :mod:`tregsim.calibration` against the
target named in their source and are the centre of the calibrated ensemble.
"""

from __future__ import annotations

import math

from ..spec import Parameter

LN2 = math.log(2.0)
MIN_PER_DAY = 1440.0

# Konrad et al., Cancer Res 1990;50:2009: IV bolus half-lives 12.9 and 85 min, CL ~120 mL/min.
_ALPHA = LN2 / 12.9 * MIN_PER_DAY
_BETA = LN2 / 85.0 * MIN_PER_DAY
_CL = 0.120 * MIN_PER_DAY  # L/day
_V1 = 6.0  # L, assumed
_K10 = _CL / _V1
_K21 = _ALPHA * _BETA / _K10
_K12 = _ALPHA + _BETA - _K10 - _K21

KONRAD = "Konrad et al., Cancer Res 1990;50:2009"
MEYER = "meyer-lab/gc-cytokines final_receptor_levels.csv (sources.md#il2-pharmacology)"
FALLON = "Fallon & Lauffenburger 2000, BioModels BIOMD0000000665"
HAIR = "sources.md#alopecia-areata (scalp follicle cycle durations)"
FANTON = "Fanton et al., J Transl Autoimmun 2022;5:100152 (PMID 35517914)"
#: Effective PEG-IL-2 trimer Kd (assumed; see the parameter's source).
PEG_KD_TRIMER_PM = 2000.0

P = Parameter


__all__ = [
    "FALLON",
    "FANTON",
    "HAIR",
    "KONRAD",
    "LN2",
    "MEYER",
    "MIN_PER_DAY",
    "P",
    "PEG_KD_TRIMER_PM",
]
