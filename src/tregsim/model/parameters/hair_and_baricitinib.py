"""Model parameters: hair cycle and baricitinib.

Each has a value, unit, kind and source; the table is :mod:`tregsim.model.parameters`.
"""

from __future__ import annotations

from ..spec import Parameter
from ._common import HAIR, LN2, P

PARAMETERS: tuple[Parameter, ...] = (
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
