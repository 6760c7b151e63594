"""Model parameters: IL-2 and PEG-IL-2 pharmacokinetics.

Each has a value, unit, kind and source; the table is :mod:`tregsim.model.parameters`.
"""

from __future__ import annotations

from ..spec import Parameter
from ._common import _CL, _K12, _K21, _V1, FANTON, KONRAD, LN2, P

PARAMETERS: tuple[Parameter, ...] = (
    # ---------------------------------------------------------------- IL-2 PK
    P(
        "il2_cl",
        _CL,
        "L/day",
        "published",
        KONRAD + ": clearance 120 mL/min",
        "linear IL-2 clearance from the central compartment",
        0.3,
    ),
    P("il2_v1", _V1, "L", "assumed", "assumed ~ plasma volume (not found)", "IL-2 central volume"),
    P(
        "il2_k12",
        _K12,
        "1/day",
        "derived",
        KONRAD + ": k12 from half-lives 12.9/85 min, CL 120 mL/min and V1",
        "central -> peripheral IL-2 transfer rate",
    ),
    P(
        "il2_k21",
        _K21,
        "1/day",
        "derived",
        KONRAD + ": k21 = alpha*beta/k10",
        "peripheral -> central IL-2 transfer rate",
    ),
    P(
        "il2_ka_sc",
        LN2 / 3.3 * 24.0,
        "1/day",
        "derived",
        "Piscitelli (sources.md#il2-pharmacology): apparent SC half-life 3.3 h, "
        "absorption-limited (flip-flop)",
        "subcutaneous absorption rate constant",
        0.3,
    ),
    P(
        "il2_f_sc",
        0.27,
        "1",
        "derived",
        KONRAD + ": SC peak ~2% of the IV bolus peak; F solved for that ratio at 3 MIU/m2 "
        "(tests/model/test_pk.py checks it)",
        "subcutaneous bioavailability",
        0.3,
    ),
    # ---------------------------------------------------------------- PEG-IL-2 PK
    P(
        "peg_il2_ka_sc",
        0.7,
        "1/day",
        "assumed",
        "assumed: SC absorption half-life ~1 day, slower than IL-2 as for other PEGylated "
        "proteins (Tmax not in the sources seen); prior in data/priors.yaml",
        "rezpegaldesleukin SC absorption rate constant",
    ),
    P(
        "peg_il2_ke",
        LN2 / 10.0,
        "1/day",
        "derived",
        FANTON + ": mean half-life 7.4-12.9 days (10 days taken), dose-proportional "
        "(linear) exposure",
        "rezpegaldesleukin elimination rate",
    ),
    P(
        "peg_il2_v",
        6.0,
        "L",
        "assumed",
        "assumed ~ plasma volume, as for IL-2 (PEGylated proteins stay mostly in plasma)",
        "rezpegaldesleukin volume of distribution",
    ),
    P(
        "peg_il2_f_sc",
        0.5,
        "1",
        "assumed",
        "assumed (SC bioavailability not found); prior in data/priors.yaml",
        "rezpegaldesleukin subcutaneous bioavailability",
    ),
)
