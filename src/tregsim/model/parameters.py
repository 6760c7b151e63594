"""The parameter table of the IL-2 / alopecia areata model: every number, its unit and source.

Time is in days, IL-2 amounts in nmol, IL-2 concentrations in pM, baricitinib
amounts in mg, blood cell counts in cells per microlitre, skin immune variables
and follicle fractions are dimensionless (skin variables relative to a healthy
reference, follicle states as fractions of the ~100,000 scalp follicles).

Values marked ``calibrated`` were set by :mod:`tregsim.calibration` against the
target named in their source and are the centre of the calibrated ensemble.
"""

from __future__ import annotations

import math

from .spec import Parameter

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
    # ---------------------------------------------------------------- hair cycle
    P(
        "anagen_days",
        912.0,
        "day",
        "published",
        HAIR + ": anagen 2-6 years (2.5 y taken)",
        "anagen duration",
    ),
    P("catagen_days", 17.5, "day", "published", HAIR + ": catagen 2-3 weeks", "catagen duration"),
    P(
        "telogen_days",
        100.0,
        "day",
        "published",
        HAIR + ": telogen about 3 months",
        "telogen duration",
    ),
    P(
        "visible_days",
        28.6,
        "day",
        "derived",
        HAIR + ": 10 mm visible length (assumed) / 0.35 mm/day growth",
        "time for new hair to become visible",
    ),
    P(
        "dystrophic_days",
        90.0,
        "day",
        "assumed",
        "assumed (follicles stay months in dystrophic anagen in AA)",
        "dystrophic -> telogen transit time",
    ),
    # ---------------------------------------------------------------- baricitinib
    P(
        "bari_ka",
        96.0,
        "1/day",
        "derived",
        "Tmax 0.5-1 h (PubMed 32945153): ka = 4/h gives Tmax ~0.9 h",
        "baricitinib absorption rate",
    ),
    P(
        "bari_ke",
        LN2 / 6.5 * 24.0,
        "1/day",
        "derived",
        "terminal half-life 5.7-7.3 h (PubMed 32945153; 6.5 h taken)",
        "baricitinib elimination rate",
        0.3,
    ),
    P(
        "bari_v",
        76.0,
        "L",
        "assumed",
        "assumed (volume not in docs/sources.md)",
        "baricitinib volume of distribution",
    ),
    P(
        "bari_f",
        0.79,
        "1",
        "assumed",
        "assumed (oral bioavailability not verified here)",
        "baricitinib bioavailability",
    ),
    P(
        "bari_fu",
        0.5,
        "1",
        "assumed",
        "assumed (protein binding not verified, sources.md#baricitinib)",
        "baricitinib unbound fraction",
    ),
    P(
        "bari_mw",
        371.4,
        "g/mol",
        "published",
        "EU SmPC (sources.md#baricitinib)",
        "baricitinib molar mass",
    ),
    P(
        "bari_ic50_nm",
        6.5,
        "nM",
        "calibrated",
        "B8 BRAVE-AA1 week-36 SALT<=20 rates (38.8% / 22.8%)",
        "unbound baricitinib giving half inhibition of JAK1-dependent signalling in cells",
        0.3,
    ),
)

PARAMETER_INDEX = {p.name: i for i, p in enumerate(PARAMETERS)}
