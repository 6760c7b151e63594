"""Population-level (hyper)parameters of the virtual patients and candidate covariates,
each declared with its value, unit, kind and source (docs/sources.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tregsim.model import MODEL
from tregsim.model.spec import Parameter

SUBTYPES = ("patchy", "totalis", "universalis")


_AA = "docs/sources.md#alopecia-areata"
_CAL = "calibrated (data/targets.yaml, docs/calibration.md): "

#: Every population-level number: value, unit, kind and source, as the model's parameters are
#: declared (:class:`tregsim.model.spec.Parameter`; the same validation applies: a kind among
#: published / derived / assumed / calibrated, and a source or reasoning). Calibrated values
#: are replaced by an ensemble member at run time; assumed ones carry their reasoning.
POPULATION_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("activity_sd", 0.35, "1 (log-SD)", "calibrated", _CAL + "B7 natural history",
              "log-SD of the disease-activity multiplier"),
    Parameter("activity_interval_days", 60.0, "day", "assumed",
              "natural flares and quiet spells last weeks to months; prior 30-120 days",
              "days between disease-activity changes"),
    Parameter("expansion_cv", 1.0, "1 (CV)", "calibrated", _CAL + "B7 and B9",
              "between-patient CV of susceptibility (skin effector expansion)"),
    Parameter("patchy_expansion_factor", 0.33, "1", "calibrated", _CAL + "B7",
              "susceptibility (effector expansion) of patchy vs AT/AU patients"),
    Parameter("universalis_expansion_factor", 1.1, "1", "assumed",
              "AU slightly more persistent than AT (natural history, " + _AA + ")",
              "susceptibility of AU relative to AT"),
    Parameter("patchy_attack_factor", 0.15, "1", "calibrated", _CAL + "B7 and B9 severity",
              "follicle attack of patchy patients relative to AT/AU"),
    Parameter("patchy_attack_sd", 0.8, "1 (log-SD)", "assumed",
              "spreads SALT of patchy AA over 50-100 at screening; prior 0.4-1.2",
              "log-SD of the patchy attack factor"),
    Parameter("trigger_privilege", 0.2, "1 (fraction)", "assumed",
              "an immune-privilege collapse starts an episode (background); prior 0.1-0.4",
              "immune privilege left right after a trigger"),
    Parameter("trigger_cd8", 3.0, "skin reference units", "assumed",
              "an effector burst large enough to leave the healthy state; prior 2-5",
              "perifollicular effector burst at a trigger"),
    Parameter("settle_days", 200.0, "day", "assumed",
              "long enough for the healthy state to settle before the trigger (numerics)",
              "days simulated in health before the trigger"),
    Parameter("episode_median_years_patchy", 0.6, "year", "assumed",
              "current-episode length of patchy AA at screening; prior 0.3-1.5",
              "median current-episode duration, patchy"),
    Parameter("episode_median_years_atau", 2.0, "year", "assumed",
              "AT/AU episodes last longer (" + _AA + "); prior 1-5",
              "median current-episode duration, AT/AU"),
    Parameter("episode_sd", 0.9, "1 (log-SD)", "assumed", "a wide spread of episode lengths",
              "log-SD of episode duration"),
    Parameter("resistant_share_patchy", 0.5, "1 (fraction)", "assumed",
              "share of trial candidates resistant to a systemic treatment; prior 0.3-0.7",
              "share resistant to >= 1 systemic treatment, patchy (median susceptibility)"),
    Parameter("resistant_share_atau", 0.7, "1 (fraction)", "assumed",
              "AT/AU more often resistant; prior 0.5-0.9",
              "share resistant to >= 1 systemic treatment, AT/AU (median susceptibility)"),
    Parameter("resistance_slope", 1.5, "1 (log-odds per SD)", "assumed",
              "resistant disease is more severe; prior 0.5-2.5",
              "log-odds of resistance per SD of susceptibility"),
    # calib (#14): heterogeneous responsiveness (docs/sources.md, SALT30 plateau); the values
    # here are the uncalibrated defaults, the shipped posterior (data/posterior.json) sets them
    Parameter("refractory_share", 0.0, "1 (fraction)", "assumed",
              "no direct data; prior uniform 0-0.7 (data/priors.yaml), inferred from the "
              "SALT30 plateau targets", "share of slowly reversible disease, 4-year episode"),
    Parameter("refractory_episode_slope", 0.0, "1 (log-odds per log year)", "assumed",
              "longer episodes respond less (docs/sources.md#more-data); prior uniform 0-2",
              "log-odds of slowly reversible disease per log of episode duration"),
    Parameter("refractory_recovery_factor", 1.0, "1", "assumed",
              "unknown; prior lognormal median 6 x/÷3 (data/priors.yaml)",
              "factor on dystrophic_days for refractory patients"),
    Parameter("age_min_years", 16.0, "year", "assumed", "adults and older teenagers with AA",
              "youngest candidate (uniform age)"),
    Parameter("age_max_years", 70.0, "year", "assumed", "adults with AA", "oldest candidate"),
    Parameter("female_share", 0.55, "1 (fraction)", "assumed",
              "about 60% women in the BRAVE-AA populations (docs/sources.md#more-data)",
              "share of women among candidates"),
    Parameter("weight_median_kg_m", 75.0, "kg", "assumed", "typical adult European men",
              "median body weight, men"),
    Parameter("weight_median_kg_f", 65.0, "kg", "assumed", "typical adult European women",
              "median body weight, women"),
    Parameter("weight_log_sd", 0.17, "1 (log-SD)", "assumed", "typical adult spread",
              "log-SD of body weight"),
    Parameter("height_mean_cm_m", 176.0, "cm", "assumed", "typical adult European men",
              "mean height, men"),
    Parameter("height_mean_cm_f", 163.0, "cm", "assumed", "typical adult European women",
              "mean height, women"),
    Parameter("height_sd_cm", 7.0, "cm", "assumed", "typical adult spread", "SD of height"),
    Parameter("mix_patchy", 0.5, "1 (fraction)", "assumed",
              "candidate pool of trials with SALT >= 50; overridden by population.subtype_mix",
              "share of patchy AA among candidates"),
    Parameter("mix_totalis", 0.15, "1 (fraction)", "assumed", "as mix_patchy",
              "share of alopecia totalis among candidates"),
    Parameter("mix_universalis", 0.35, "1 (fraction)", "assumed", "as mix_patchy",
              "share of alopecia universalis among candidates"),
)  # fmt: skip
_DECLARED = {p.name: p for p in POPULATION_PARAMETERS}


def _value(name: str) -> float:
    return _DECLARED[name].value


@dataclass(frozen=True)
class PopulationSpec:
    """Population-level (hyper)parameters, declared in :data:`POPULATION_PARAMETERS`.

    Values of calibrated fields are replaced by an ensemble member at run time.
    """

    activity_sd: float = _value("activity_sd")
    activity_interval_days: float = _value("activity_interval_days")
    expansion_cv: float = _value("expansion_cv")
    patchy_expansion_factor: float = _value("patchy_expansion_factor")
    universalis_expansion_factor: float = _value("universalis_expansion_factor")
    patchy_attack_factor: float = _value("patchy_attack_factor")
    patchy_attack_sd: float = _value("patchy_attack_sd")
    trigger_privilege: float = _value("trigger_privilege")
    trigger_cd8: float = _value("trigger_cd8")
    settle_days: float = _value("settle_days")
    #: patchy / AT-AU
    episode_median_years: tuple[float, float] = (
        _value("episode_median_years_patchy"),
        _value("episode_median_years_atau"),
    )
    episode_sd: float = _value("episode_sd")
    #: patchy / AT-AU
    resistant_share: tuple[float, float] = (
        _value("resistant_share_patchy"),
        _value("resistant_share_atau"),
    )
    resistance_slope: float = _value("resistance_slope")
    #: calib (#14): share of slowly reversible disease (``refractory``) at a 4-year episode
    refractory_share: float = _value("refractory_share")
    #: log-odds of slowly reversible disease per log of episode duration
    refractory_episode_slope: float = _value("refractory_episode_slope")
    #: factor on ``dystrophic_days`` for refractory patients
    refractory_recovery_factor: float = _value("refractory_recovery_factor")
    #: model parameters overridden by the ensemble member (name -> typical value)
    parameter_overrides: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            if name == "parameter_overrides":
                continue
            values = getattr(self, name)
            for value in values if isinstance(values, tuple) else (values,):
                if not np.isfinite(value) or value < 0:
                    raise ValueError(
                        f"population parameter {name} must be a finite number >= 0 (got {value})"
                    )

    def with_member(self, member: dict[str, float]) -> PopulationSpec:
        """Copy with an ensemble member's values (model parameters go to overrides)."""
        fields = {k: v for k, v in member.items() if k in self.__dataclass_fields__}
        overrides = dict(self.parameter_overrides)
        overrides.update({k: v for k, v in member.items() if k in MODEL.parameter_index})
        unknown = set(member) - set(fields) - set(overrides)
        if unknown:
            raise ValueError(f"unknown ensemble fields: {sorted(unknown)}")
        return PopulationSpec(**{**self.__dict__, **fields, "parameter_overrides": overrides})


# Candidate covariates (declared above, all assumed).
AGE_RANGE_YEARS = (_value("age_min_years"), _value("age_max_years"))
FEMALE_SHARE = _value("female_share")
WEIGHT_MEDIAN_KG = {"M": _value("weight_median_kg_m"), "F": _value("weight_median_kg_f")}
WEIGHT_LOG_SD = _value("weight_log_sd")
HEIGHT_MEAN_CM = {"M": _value("height_mean_cm_m"), "F": _value("height_mean_cm_f")}
HEIGHT_SD_CM = _value("height_sd_cm")

DEFAULT_SUBTYPE_MIX = {s: _value(f"mix_{s}") for s in SUBTYPES}


def typical_parameters(spec: PopulationSpec | None = None) -> np.ndarray:
    """Model parameters of the typical patient (ensemble centre, no variability)."""
    spec = spec or PopulationSpec()
    values = MODEL.default_parameters.copy()
    for name, value in spec.parameter_overrides.items():
        values[MODEL.parameter_index[name]] = value
    return values


def _omega(cv: float) -> float:
    return float(np.sqrt(np.log1p(cv * cv)))
