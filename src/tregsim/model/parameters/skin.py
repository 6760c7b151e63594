"""Model parameters: the skin immune loop.

Each has a value, unit, kind and source; the table is :mod:`tregsim.model.parameters`.
"""

from __future__ import annotations

from ..spec import Parameter
from ._common import P

PARAMETERS: tuple[Parameter, ...] = (
    # ---------------------------------------------------------------- skin loop
    P(
        "cd8_skin_influx",
        0.005,
        "1/day",
        "assumed",
        "assumed: healthy skin autoreactive CD8 density 0.05 (skin reference units)",
        "homing of autoreactive CD8 to the follicle at baseline",
    ),
    P(
        "cd8_skin_recruitment",
        4.0,
        "1",
        "assumed",
        "assumed (IFN-gamma-induced CXCL9/10 recruitment)",
        "fold increase in homing at maximal IFN-gamma",
    ),
    P(
        "cd8_skin_loss",
        0.1,
        "1/day",
        "assumed",
        "assumed (skin CD8 residence ~10 days)",
        "death/exit of skin CD8 effectors",
    ),
    P(
        "cd8_skin_expansion",
        1.82,
        "1/day",
        "calibrated",
        "B7 natural history / B9 pilot (susceptibility: spread between patients)",
        "IL-15- and antigen-driven expansion of skin CD8 effectors",
        0.25,
    ),
    P(
        "effector_il2_coupling",
        0.5,
        "1",
        "assumed",
        "assumed: IL-2 and IL-15 signal through the same CD122 / gamma-c dimer (Xing et al., "
        "Nat Med 2014: IL-2 blockade prevented AA in mice); full CD122 occupancy counts as "
        "half the healthy follicle IL-15 drive; prior uniform 0-2 (data/priors.yaml)",
        "effector expansion drive per unit of effector IL-2 / PEG-IL-2 CD122 signal",
    ),
    P(
        "cd8_skin_capacity",
        10.0,
        "1",
        "assumed",
        "assumed (skin reference units)",
        "carrying capacity of the perifollicular infiltrate",
    ),
    P(
        "treg_suppression_k",
        0.3,
        "1",
        "assumed",
        "assumed: half-maximal suppression at healthy skin Treg density",
        "skin Treg density giving half-maximal suppression",
        0.3,
    ),
    P(
        "ifng_production",
        30.0,
        "1/day",
        "assumed",
        "assumed (relative units)",
        "IFN-gamma production per skin CD8",
    ),
    P(
        "ifng_decay",
        10.0,
        "1/day",
        "assumed",
        "assumed (cytokine half-life of hours)",
        "IFN-gamma decay",
    ),
    P("il15_rate", 1.0, "1/day", "assumed", "assumed", "IL-15 presentation turnover"),
    P(
        "il15_max_induction",
        2.0,
        "1",
        "assumed",
        "assumed; IFN-gamma induces follicle IL-15 (Xing et al., Nat Med 2014)",
        "fold IL-15 increase at maximal IFN-gamma signalling",
    ),
    P(
        "ifng_half_effect",
        1.0,
        "1",
        "assumed",
        "assumed (relative units)",
        "IFN-gamma giving half-maximal effect on IL-15, homing and privilege",
    ),
    P(
        "privilege_recovery",
        0.05,
        "1/day",
        "assumed",
        "assumed (immune privilege restored over weeks)",
        "recovery rate of follicle immune privilege",
    ),
    P(
        "privilege_collapse",
        0.2,
        "1/day",
        "assumed",
        "assumed; IFN-gamma collapses immune privilege (Xing et al., Nat Med 2014)",
        "maximal IFN-gamma-driven collapse rate",
    ),
    P(
        "antigen_basal",
        0.1,
        "1",
        "assumed",
        "assumed: autoantigen seen by effectors with intact privilege (relative to full collapse)",
        "basal autoantigen exposure",
    ),
    P("antigen_rate", 0.5, "1/day", "assumed", "assumed", "autoantigen exposure turnover"),
    P(
        "follicle_attack",
        0.03,
        "1/day",
        "calibrated",
        "B9 pilot baseline SALT / B7 severity",
        "dystrophy rate of anagen follicles per unit of skin CD8 x collapsed privilege",
        0.3,
    ),
)
