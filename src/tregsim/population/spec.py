"""Population-level (hyper)parameters of the virtual patients and candidate covariates."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tregsim.model import MODEL

SUBTYPES = ("patchy", "totalis", "universalis")


@dataclass(frozen=True)
class PopulationSpec:
    """Population-level (hyper)parameters; ``kind`` and source documented per field.

    Values of calibrated fields are replaced by an ensemble member at run time.
    """

    #: calibrated (B7 natural history): log-SD of the disease-activity multiplier
    activity_sd: float = 0.35
    #: assumed: days between disease-activity changes (natural flares / quiet spells)
    activity_interval_days: float = 60.0
    #: calibrated (B7/B9): between-patient CV of susceptibility (skin effector expansion)
    expansion_cv: float = 1.0
    #: calibrated (B7): susceptibility (effector expansion) of patchy vs AT/AU patients
    patchy_expansion_factor: float = 0.33
    #: assumed: AU slightly more persistent than AT (natural history, DOMAIN.md s6)
    universalis_expansion_factor: float = 1.1
    #: calibrated (B7/B9 severity): follicle attack of patchy patients relative to AT/AU
    patchy_attack_factor: float = 0.15
    #: assumed: log-SD of the patchy attack factor (spread of SALT in patchy AA)
    patchy_attack_sd: float = 0.8
    #: assumed: intact immune privilege right after a trigger
    trigger_privilege: float = 0.2
    #: assumed: perifollicular effector burst at a trigger (skin reference units)
    trigger_cd8: float = 3.0
    #: assumed: days simulated in health before the trigger (settling)
    settle_days: float = 200.0
    #: assumed: median current-episode duration, years, patchy / AT-AU
    episode_median_years: tuple[float, float] = (0.6, 2.0)
    #: assumed: log-SD of episode duration
    episode_sd: float = 0.9
    #: assumed: share resistant to >= 1 systemic treatment, patchy / AT-AU
    #: (at median susceptibility)
    resistant_share: tuple[float, float] = (0.5, 0.7)
    #: assumed: log-odds of resistance per SD of susceptibility (resistant disease is more severe)
    resistance_slope: float = 1.5
    #: model parameters overridden by the ensemble member (name -> typical value)
    parameter_overrides: dict[str, float] = field(default_factory=dict)

    def with_member(self, member: dict[str, float]) -> PopulationSpec:
        """Copy with an ensemble member's values (model parameters go to overrides)."""
        fields = {k: v for k, v in member.items() if k in self.__dataclass_fields__}
        overrides = dict(self.parameter_overrides)
        overrides.update({k: v for k, v in member.items() if k in MODEL.parameter_index})
        unknown = set(member) - set(fields) - set(overrides)
        if unknown:
            raise ValueError(f"unknown ensemble fields: {sorted(unknown)}")
        return PopulationSpec(**{**self.__dict__, **fields, "parameter_overrides": overrides})


# Candidate covariates, all assumed (typical adult European values; no source in DOMAIN.md):
#: assumed: age of candidates with AA, uniform, years
AGE_RANGE_YEARS = (16.0, 70.0)
#: assumed: share of women among adults with AA
FEMALE_SHARE = 0.55
#: assumed: median body weight by sex, kg, and its log-SD
WEIGHT_MEDIAN_KG = {"M": 75.0, "F": 65.0}
WEIGHT_LOG_SD = 0.17
#: assumed: mean height by sex, cm, and its SD
HEIGHT_MEAN_CM = {"M": 176.0, "F": 163.0}
HEIGHT_SD_CM = 7.0

DEFAULT_SUBTYPE_MIX = {"patchy": 0.5, "totalis": 0.15, "universalis": 0.35}


def typical_parameters(spec: PopulationSpec | None = None) -> np.ndarray:
    """Model parameters of the typical patient (ensemble centre, no variability)."""
    spec = spec or PopulationSpec()
    values = MODEL.default_parameters.copy()
    for name, value in spec.parameter_overrides.items():
        values[MODEL.parameter_index[name]] = value
    return values


def _omega(cv: float) -> float:
    return float(np.sqrt(np.log1p(cv * cv)))
