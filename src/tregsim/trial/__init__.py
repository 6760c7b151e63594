"""One virtual trial, as a package of its stages.

:mod:`~tregsim.trial.randomization` (permuted blocks, strata), :mod:`~tregsim.trial.visits`
(the visit schedule), :mod:`~tregsim.trial.simulation` (model trajectories of the cohort),
:mod:`~tregsim.trial.observation` (SALT as a rater scores it, Treg % as the assay reads it),
:mod:`~tregsim.trial.dropout` (loss to follow-up) and :mod:`~tregsim.trial.engine`
(:func:`simulate_replicate`: one replicate trial, stage by stage).
"""

from tregsim.trial.engine import COVARIATES, ReplicateResult, comparison_key, simulate_replicate
from tregsim.trial.simulation import OBSERVABLES, simulate_cohort
from tregsim.trial.visits import visit_days, visit_weeks

__all__ = [
    "COVARIATES",
    "OBSERVABLES",
    "ReplicateResult",
    "comparison_key",
    "simulate_cohort",
    "simulate_replicate",
    "visit_days",
    "visit_weeks",
]
