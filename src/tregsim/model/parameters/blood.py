"""Model parameters: blood cells (Tregs, T helpers, CD8, NK).

Each has a value, unit, kind and source; the table is :mod:`tregsim.model.parameters`.
"""

from __future__ import annotations

from ..spec import Parameter
from ._common import P

PARAMETERS: tuple[Parameter, ...] = (
    # ---------------------------------------------------------------- blood cells
    P(
        "treg_resting_ref",
        35.0,
        "cells/uL",
        "assumed",
        "assumed: Tregs ~5-6% of ~800 CD4/uL, of which ~3/4 resting",
        "resting Treg homeostatic level",
        0.3,
    ),
    P(
        "treg_active_ref",
        10.0,
        "cells/uL",
        "assumed",
        "assumed: about a quarter of blood Tregs activated (CD45RA-)",
        "activated Treg reference level (skin homing is normalised to it)",
    ),
    P(
        "treg_resting_turnover",
        0.02,
        "1/day",
        "assumed",
        "assumed (resting Treg half-life ~35 days)",
        "resting Treg homeostatic rate",
    ),
    P(
        "treg_resting_proliferation",
        0.05,
        "1/day",
        "assumed",
        "assumed: IL-2 also expands resting (naive) Tregs; prior in data/priors.yaml",
        "IL-2-driven proliferation of resting Tregs at full programme",
    ),
    P(
        "treg_resting_capacity",
        140.0,
        "cells/uL",
        "assumed",
        "assumed: resting Treg expansion saturates near 4x its reference",
        "capacity of the resting Treg pool",
    ),
    P(
        "treg_homing_share",
        0.25,
        "1",
        "assumed",
        "assumed: about a quarter of activated blood Tregs carry skin-homing receptors "
        "(CLA, CCR4); only the ratio below changes the dynamics",
        "skin-homing share of the activated blood Tregs at rest",
    ),
    P(
        "treg_il2_homing_ratio",
        1.0,
        "1",
        "assumed",
        "assumed: skin-homing share of IL-2-activated Tregs relative to the resting share "
        "(1: the same; below 1: IL-2 expands mostly non-homing Tregs); prior in "
        "data/priors.yaml",
        "relative skin-homing share of Tregs activated by IL-2",
    ),
    P(
        "treg_program_on",
        2.0,
        "1/day",
        "calibrated",
        "B2 DILT1D ED10 0.101 MIU/m2 and DILfrequency +30% (calibration/targets.yaml)",
        "rate of programme induction at full IL-2 signal",
    ),
    P(
        "treg_program_off",
        1.82,
        "1/day",
        "calibrated",
        "B2 DILT1D ED10 0.101 MIU/m2 and DILfrequency +30% (calibration/targets.yaml)",
        "decay of the Treg proliferation programme",
    ),
    P(
        "treg_activation",
        10.5,
        "1/day",
        "calibrated",
        "B2 DILT1D ED10 0.101 MIU/m2 and DILfrequency +30% (calibration/targets.yaml)",
        "IL-2-driven division of resting Tregs into the activated pool at full programme",
        0.3,
    ),
    P(
        "treg_proliferation",
        0.0131,
        "1/day",
        "calibrated",
        "B2 DILT1D ED10 0.101 MIU/m2 and DILfrequency +30% (calibration/targets.yaml)",
        "IL-2-driven proliferation of activated Tregs at full signalling",
        0.3,
    ),
    P(
        "treg_active_capacity",
        200.0,
        "cells/uL",
        "assumed",
        "assumed: activated Treg expansion saturates (competition for IL-2 and niche) near "
        "20x; sustained Treg-selective signalling expanded CD25bright Tregs 12-17-fold "
        "(Fanton et al., J Transl Autoimmun 2022, PMID 35517914), so the room must exceed that",
        "capacity of the activated Treg pool",
    ),
    P(
        "treg_active_loss",
        1.44,
        "1/day",
        "calibrated",
        "B2 DILT1D ED10 0.101 MIU/m2 and DILfrequency +30% (calibration/targets.yaml)",
        "return of the activated Treg pool to its reference (death)",
    ),
    P(
        "treg_return_to_rest",
        0.05,
        "1/day",
        "assumed",
        "assumed",
        "activated -> resting Treg reversion",
    ),
    P(
        "treg_skin_homing",
        0.1,
        "1/day",
        "assumed",
        "assumed (skin Treg residence ~10 days)",
        "skin Treg turnover (homing = loss at the healthy reference)",
    ),
    P(
        "treg_inflammation_homing",
        1.0,
        "1",
        "assumed",
        "assumed (CXCR3-driven homing to inflamed skin)",
        "extra Treg homing at maximal IFN-gamma",
    ),
    P(
        "tconv_ref",
        750.0,
        "cells/uL",
        "assumed",
        "assumed (~800 CD4/uL in adults)",
        "T helper level",
    ),
    P("tconv_turnover", 0.01, "1/day", "assumed", "assumed", "T helper homeostatic rate"),
    P(
        "tconv_proliferation",
        0.1,
        "1/day",
        "assumed",
        "assumed",
        "IL-2-driven T helper proliferation",
    ),
    P("cd8_ref", 400.0, "cells/uL", "assumed", "assumed (~400 CD8/uL)", "CD8+ T cell level"),
    P("cd8_turnover", 0.02, "1/day", "assumed", "assumed", "CD8 homeostatic rate"),
    P("cd8_proliferation", 0.6, "1/day", "assumed", "assumed", "IL-2-driven CD8 proliferation"),
    P("nk_ref", 200.0, "cells/uL", "assumed", "assumed (~200 NK/uL)", "NK cell level"),
    P(
        "nk_turnover",
        0.07,
        "1/day",
        "assumed",
        "assumed (NK half-life ~10 days)",
        "NK homeostatic rate",
    ),
    P("nk_proliferation", 0.8, "1/day", "assumed", "assumed", "IL-2-driven NK proliferation"),
)
