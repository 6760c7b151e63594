"""Model parameters: IL-2 receptors and signalling.

Each has a value, unit, kind and source; the table is :mod:`tregsim.model.parameters`.
"""

from __future__ import annotations

from ..spec import Parameter
from ._common import FALLON, FANTON, MEYER, MIN_PER_DAY, PEG_KD_TRIMER_PM, P

PARAMETERS: tuple[Parameter, ...] = (
    # ---------------------------------------------------------------- receptors
    P(
        "kd_trimer_pm",
        10.0,
        "pM",
        "published",
        "PubMed 2201821; Reactome R-HSA-8983307",
        "IL-2 affinity of the alpha-beta-gamma receptor",
    ),
    P(
        "kd_dimer_pm",
        1000.0,
        "pM",
        "published",
        "PubMed 2201821",
        "IL-2 affinity of the beta-gamma receptor",
    ),
    P(
        "peg_kd_trimer_pm",
        PEG_KD_TRIMER_PM,
        "pM",
        "assumed",
        "assumed: the PEG chains weaken (and slowly release) IL-2's receptor binding; "
        "effective trimer affinity set so that phase 1 exposures reach but do not saturate "
        "Treg signalling (" + FANTON + "); prior in data/priors.yaml",
        "effective rezpegaldesleukin affinity of the alpha-beta-gamma receptor",
    ),
    P(
        "peg_cd25_k",
        2000.0,
        "receptors/cell",
        "assumed",
        "assumed: PEG-IL-2 signals only where CD25 is dense (Treg 2,700-4,900 per cell vs "
        "T helper 230-510, " + MEYER + "); Hill coefficient 2 for the CD25 capture avidity",
        "CD25 number at which half of CD122 is reachable by rezpegaldesleukin",
    ),
    P(
        "peg_kd_dimer_pm",
        PEG_KD_TRIMER_PM * 1000.0,
        "pM",
        "assumed",
        "assumed: without CD25 capture PEG-IL-2 binds CD122 1000x more weakly than on the "
        "trimer (100x for IL-2); no CD8 or T helper change in phase 1 (" + FANTON + ")",
        "effective rezpegaldesleukin affinity of the beta-gamma receptor",
    ),
    P(
        "receptor_pairing_k",
        1000.0,
        "receptors/cell",
        "assumed",
        "assumed: CD25 number at which half of CD122 is in high-affinity trimers",
        "CD25 / CD122 pairing constant",
    ),
    P(
        "cd25_treg",
        3800.0,
        "receptors/cell",
        "published",
        MEYER + ": 2,700-4,900",
        "CD25 per resting Treg",
        0.2,
    ),
    P(
        "cd122_treg",
        660.0,
        "receptors/cell",
        "published",
        MEYER + ": 540-780",
        "CD122 per Treg",
        0.15,
    ),
    P("cd25_tconv", 370.0, "receptors/cell", "published", MEYER + ": 230-510", "CD25 per T helper"),
    P(
        "cd122_tconv",
        195.0,
        "receptors/cell",
        "published",
        MEYER + ": 100-290",
        "CD122 per T helper",
    ),
    P("cd25_cd8", 24.0, "receptors/cell", "published", MEYER + ": 13-35", "CD25 per CD8+ T cell"),
    P(
        "cd122_cd8",
        510.0,
        "receptors/cell",
        "published",
        MEYER + ": 370-650",
        "CD122 per CD8+ T cell",
    ),
    P("cd25_nk", 26.0, "receptors/cell", "published", MEYER + ": 18-34", "CD25 per NK cell"),
    P(
        "cd122_nk",
        7800.0,
        "receptors/cell",
        "published",
        MEYER + ": 5,400-10,200",
        "CD122 per NK cell",
    ),
    P(
        "cd25_effector",
        24.0,
        "receptors/cell",
        "assumed",
        "assumed: skin CD8+NKG2D+ effectors are CD25-low like blood CD8 (" + MEYER + ": 13-35)",
        "CD25 per skin CD8+NKG2D+ effector",
    ),
    P(
        "k_endocytosis",
        0.04 * MIN_PER_DAY,
        "1/day",
        "published",
        FALLON + ": complex endocytosis 0.04/min",
        "internalisation (consumption) rate of IL-2-receptor complexes",
    ),
    P(
        "body_per_blood_ul",
        2.5e8,
        "uL",
        "assumed",
        "assumed: 5 L blood and ~2% of lymphocytes circulating (blood -> whole-body count factor)",
        "whole-body cells per (cells/uL of blood)",
    ),
    P(
        "cd25_induction_gain",
        1.0,
        "1",
        "assumed",
        "assumed; IL-2 induces CD25 (Busse et al., PNAS 2010)",
        "fold CD25 increase at full IL-2 signalling",
    ),
    P(
        "cd25_turnover",
        1.0,
        "1/day",
        "assumed",
        "assumed (CD25 induction within about a day)",
        "CD25 induction/decay rate on Tregs",
    ),
)
