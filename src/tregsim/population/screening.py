"""Screening and enrolment: inclusion criteria applied to measured values, in id order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tregsim.errors import TregsimInputError
from tregsim.model import observe
from tregsim.population.candidates import Candidates, draw_candidates
from tregsim.population.ensemble import member_for_replicate
from tregsim.population.natural_history import simulate_to_screening, study_events
from tregsim.population.spec import PopulationSpec
from tregsim.rng import PatientStreams
from tregsim.solve import EventTable


@dataclass(frozen=True)
class Cohort:
    """Enrolled patients: parameters, state at study day 0, covariates, future fluctuations."""

    params: np.ndarray
    y0: np.ndarray
    covariates: pd.DataFrame
    fluctuation_events: EventTable
    n_screened: int
    spec: PopulationSpec


def _criterion(inclusion, name: str, default):
    value = getattr(inclusion, name, None) if inclusion is not None else None
    return default if value is None else value


def covariate_eligible(cand: Candidates, inclusion) -> np.ndarray:
    """Inclusion criteria known without examination (age, episode duration, prior resistance)."""
    cov = cand.covariates
    age = cov["age"].to_numpy()
    episode = cov["episode_years"].to_numpy()
    ok = (age >= _criterion(inclusion, "age_min", 0.0)) & (
        age <= _criterion(inclusion, "age_max", 200.0)
    )
    ok &= episode <= _criterion(inclusion, "episode_max_years", np.inf)
    ok &= episode >= _criterion(inclusion, "episode_min_years", 0.0)
    if _criterion(inclusion, "resistant_to_systemic", False):
        ok &= cov["resistant_to_systemic"].to_numpy()
    return ok


def rate_screening_salt(
    salt_true: np.ndarray, ids: np.ndarray, seed: int, replicate: int, sd_salt: float
) -> np.ndarray:
    """Screening SALT as a rater scores it (stream ``screening``, keyed by candidate)."""
    streams = PatientStreams(seed, replicate, "screening")
    noise = np.array([streams.for_patient(int(c)).standard_normal() for c in ids])
    return np.clip(np.round(salt_true + sd_salt * noise), 0.0, 100.0)


def salt_eligible(measured: np.ndarray, inclusion) -> np.ndarray:
    """SALT inclusion criteria applied to the measured screening score."""
    return (
        np.isfinite(measured)
        & (measured >= _criterion(inclusion, "salt_min", 0.0))
        & (measured <= _criterion(inclusion, "salt_max", 100.0))
    )


def _subset(cand: Candidates, rows: np.ndarray) -> Candidates:
    return Candidates(
        cand.ids[rows],
        cand.covariates.iloc[rows].reset_index(drop=True),
        cand.params[rows],
        cand.trigger_day[rows],
    )


def _next_batch(missing: int, enrolled: int, screened: int) -> int:
    """Candidates to draw next: the expected need at the yield seen so far, plus 16 and a
    margin: 20% or three standard deviations, whichever is smaller.

    With yield ``p = enrolled / screened``, the ids needed for ``missing`` more enrolments
    are negative-binomial (mean ``missing / p``, variance ``missing (1 - p) / p**2``) and
    ``p`` itself is uncertain (relative variance ``(1 - p) / (p screened)``). In large
    cohorts three standard deviations of both are far below 20%, so a further batch is still
    rarely needed while few candidates are simulated in vain (the flat 20% margin simulated
    about 6% more candidates than enrolment needed at n = 20,000). Enrolment takes the first
    qualifying candidates in id order, so the batch size changes how much is drawn and
    simulated, never who is enrolled.
    """
    if missing <= 0:
        return 0
    if enrolled == 0:
        return max(64, 2 * screened)
    p = enrolled / screened
    expected = missing / p
    variance = missing * (1.0 - p) / p**2 + expected**2 * (1.0 - p) / (p * screened)
    margin = min(0.2 * expected, 3.0 * np.sqrt(variance))
    return int(np.ceil(expected + margin)) + 16


def enroll(
    scenario, seed: int, replicate: int, n: int, spec: PopulationSpec | None = None
) -> Cohort:
    """Screen candidates in id order until ``n`` meet the inclusion criteria (measured values).

    The ensemble member used is drawn from the replicate's own stream, so each replicate
    trial carries one plausible parameter set (model uncertainty).
    """
    spec = (spec or PopulationSpec()).with_member(member_for_replicate(seed, replicate))
    population = getattr(scenario, "population", None)
    inclusion = getattr(population, "inclusion", None)
    mix = getattr(population, "subtype_mix", None) or None
    if mix is not None and not isinstance(mix, dict):
        mix = dict(mix)
    max_ratio = getattr(population, "max_screened_per_enrolled", 50) or 50
    sd_salt = getattr(getattr(scenario, "rater", None), "sd_salt", 4.0)
    follow_up = float(getattr(scenario, "follow_up_weeks", 52)) * 7.0
    batch = max(64, 2 * n)
    enrolled: list[int] = []
    chosen_rows: list[tuple[Candidates, np.ndarray, np.ndarray, np.ndarray]] = []
    next_id = 0
    while len(enrolled) < n:
        if next_id >= max_ratio * n:
            raise TregsimInputError(
                f"population.inclusion: only {len(enrolled)} of {n} candidates qualified after "
                f"screening {next_id}; widen the inclusion criteria or raise "
                "population.max_screened_per_enrolled",
                field="population.inclusion",
            )
        ids = np.arange(next_id, next_id + max(1, min(batch, max_ratio * n - next_id)))
        cand = draw_candidates(seed, replicate, ids, spec, mix)
        cand = _subset(cand, np.flatnonzero(covariate_eligible(cand, inclusion)))
        next_id = int(ids[-1]) + 1
        if len(cand.ids) == 0:
            continue
        states = simulate_to_screening(seed, replicate, cand, spec)[:, 0, :]
        salt = observe(states, cand.params, ("salt",))["salt"]
        measured = rate_screening_salt(salt, cand.ids, seed, replicate, sd_salt)
        take = np.flatnonzero(salt_eligible(measured, inclusion))[: n - len(enrolled)]
        enrolled.extend(int(i) for i in cand.ids[take])
        chosen_rows.append((cand, take, states[take], measured[take]))
        batch = _next_batch(n - len(enrolled), len(enrolled), next_id)
    n_screened = int(enrolled[-1]) + 1
    covariates = pd.concat(
        [c.covariates.iloc[t].assign(salt_screening=m) for c, t, _, m in chosen_rows],
        ignore_index=True,
    )
    params = np.concatenate([c.params[t] for c, t, _, _ in chosen_rows])
    y0 = np.concatenate([s for _, _, s, _ in chosen_rows])
    trigger = np.concatenate([c.trigger_day[t] for c, t, _, _ in chosen_rows])
    covariates.insert(0, "subject", np.arange(n))
    ids = covariates["candidate"].to_numpy()
    future = study_events(seed, replicate, ids, trigger, follow_up, spec)
    return Cohort(params, y0, covariates, future, n_screened, spec)
