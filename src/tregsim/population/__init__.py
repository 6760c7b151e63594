"""Virtual patients: covariates, inter-individual variability, natural history, screening.

A candidate is a person with alopecia areata whose current episode started
``episode_years`` before screening. Each candidate is simulated from health
through the episode's trigger (an immune-privilege collapse with an effector
burst) and through the natural disease-activity fluctuations up to screening;
SALT is then scored by a rater with noise and the inclusion criteria are
applied to the *measured* values, so regression to the mean, spontaneous
remission and relapse appear by themselves.

Every random number is keyed by (seed, replicate, candidate, stream)
(:mod:`tregsim.rng`), so a candidate is the same whatever the batch size.
Population-level parameters come from one member of the calibrated ensemble
(:mod:`tregsim.population.ensemble`), drawn per replicate trial, so trial
predictions carry model uncertainty as well as sampling uncertainty.

Modules: :mod:`~tregsim.population.spec` (population parameters),
:mod:`~tregsim.population.candidates`, :mod:`~tregsim.population.natural_history`,
:mod:`~tregsim.population.screening` (:func:`enroll`), :mod:`~tregsim.population.typical`
(the typical patient of an arm), :mod:`~tregsim.population.exports` (its trajectory and its
SBML export; not imported here: it needs sympy) and
:mod:`~tregsim.population.ensemble` (the shipped calibrated ensemble).
"""

from tregsim.population.candidates import Candidates, draw_candidates
from tregsim.population.natural_history import (
    natural_history_events,
    simulate_to_screening,
    study_events,
)
from tregsim.population.screening import (
    Cohort,
    covariate_eligible,
    enroll,
    rate_screening_salt,
    salt_eligible,
)
from tregsim.population.spec import SUBTYPES, PopulationSpec, typical_parameters
from tregsim.population.typical import TypicalPatient, typical_patient

__all__ = [
    "SUBTYPES",
    "Candidates",
    "Cohort",
    "PopulationSpec",
    "TypicalPatient",
    "covariate_eligible",
    "draw_candidates",
    "enroll",
    "natural_history_events",
    "rate_screening_salt",
    "salt_eligible",
    "simulate_to_screening",
    "study_events",
    "typical_parameters",
    "typical_patient",
]
