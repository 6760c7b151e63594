"""The shipped calibrated ensemble; it is loaded by :mod:`tregsim.population.ensemble`
(the population draws a member per replicate trial, below the calibration layer) and
re-exported here for the calibration's own use."""

from tregsim.population.ensemble import (
    ENSEMBLE_FILE,
    ensemble_centre,
    load_ensemble,
    member_for_replicate,
    members,
)

__all__ = ["ENSEMBLE_FILE", "ensemble_centre", "load_ensemble", "member_for_replicate", "members"]
