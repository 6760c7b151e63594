"""The shipped posterior; it is loaded by :mod:`tregsim.population.ensemble` (the population
draws a member per replicate trial, below the calibration layer) and re-exported here for the
calibration's own use (:func:`forced_member` runs the trial engine with a particle)."""

from tregsim.population.ensemble import (
    ENSEMBLE_FILE,
    OBSERVATION_PARAMETERS,
    POSTERIOR_FILE,
    effective_sample_size,
    ensemble_centre,
    forced_member,
    load_ensemble,
    member_for_replicate,
    members,
    population_part,
    weights,
)

__all__ = [
    "ENSEMBLE_FILE",
    "OBSERVATION_PARAMETERS",
    "POSTERIOR_FILE",
    "effective_sample_size",
    "ensemble_centre",
    "forced_member",
    "load_ensemble",
    "member_for_replicate",
    "members",
    "population_part",
    "weights",
]
