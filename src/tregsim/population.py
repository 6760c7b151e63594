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
(:mod:`tregsim.calibration.ensemble`), drawn per replicate trial, so trial
predictions carry model uncertainty as well as sampling uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import TregsimInputError
from .model import MODEL, initial_state, observe
from .rng import PatientStreams
from .solve import EventTable, solve_batch

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


@dataclass(frozen=True)
class Candidates:
    """Drawn candidates before screening: covariates, parameters and natural-history events."""

    ids: np.ndarray
    covariates: pd.DataFrame
    params: np.ndarray
    trigger_day: np.ndarray  # study days (negative: before screening)


def typical_parameters(spec: PopulationSpec | None = None) -> np.ndarray:
    """Model parameters of the typical patient (ensemble centre, no variability)."""
    spec = spec or PopulationSpec()
    values = MODEL.default_parameters.copy()
    for name, value in spec.parameter_overrides.items():
        values[MODEL.parameter_index[name]] = value
    return values


def _omega(cv: float) -> float:
    return float(np.sqrt(np.log1p(cv * cv)))


def draw_candidates(
    seed: int,
    replicate: int,
    ids: np.ndarray,
    spec: PopulationSpec,
    subtype_mix: dict[str, float] | None = None,
) -> Candidates:
    """Covariates and individual parameters of candidates ``ids`` (one Philox stream each)."""
    mix = subtype_mix or DEFAULT_SUBTYPE_MIX
    names = [s for s in SUBTYPES if mix.get(s, 0) > 0]
    probs = np.array([mix[s] for s in names], dtype=float)
    probs /= probs.sum()
    # what Generator.choice(len(names), p=probs) does: one uniform against the normalised
    # cumulative probabilities (checked draw for draw in tests/test_population.py)
    cdf = probs.cumsum()
    cdf /= cdf[-1]
    streams = PatientStreams(seed, replicate, "population")
    typical = typical_parameters(spec)
    cv = {p.name: p.iiv_cv for p in MODEL.parameters if p.iiv_cv}
    cv["cd8_skin_expansion"] = spec.expansion_cv
    iiv = [(MODEL.parameter_index[name], _omega(value)) for name, value in cv.items()]
    expansion_column = list(cv).index("cd8_skin_expansion")
    pi = MODEL.parameter_index
    rows, params, trigger = [], np.tile(typical, (len(ids), 1)), np.empty(len(ids))
    for row, cid in enumerate(np.asarray(ids, dtype=np.int64)):
        rng = streams.for_patient(int(cid))
        subtype = names[int(np.searchsorted(cdf, rng.random(), side="right"))]
        patchy = subtype == "patchy"
        age = float(rng.uniform(*AGE_RANGE_YEARS))
        sex = "F" if rng.random() < FEMALE_SHARE else "M"
        weight_median, height_mean = WEIGHT_MEDIAN_KG[sex], HEIGHT_MEAN_CM[sex]
        weight = float(np.exp(rng.normal(np.log(weight_median), WEIGHT_LOG_SD)))
        height = float(rng.normal(height_mean, HEIGHT_SD_CM))
        bsa = float(np.sqrt(height * weight / 3600.0))  # Mosteller, NEJM 1987;317:1098
        median_years = spec.episode_median_years[0 if patchy else 1]
        episode = float(np.exp(rng.normal(np.log(median_years), spec.episode_sd)))
        resistance_draw = rng.random()
        z = rng.standard_normal(len(iiv))
        share = spec.resistant_share[0 if patchy else 1]
        logit = np.log(share / (1.0 - share)) + spec.resistance_slope * z[expansion_column]
        resistant = bool(resistance_draw < 1.0 / (1.0 + np.exp(-logit)))
        for (j, omega), zj in zip(iiv, z, strict=True):
            params[row, j] *= np.exp(omega * zj)
        factor = 1.0
        if patchy:
            factor = spec.patchy_expansion_factor
            attack = spec.patchy_attack_factor * np.exp(
                spec.patchy_attack_sd * rng.standard_normal()
            )
            params[row, pi["follicle_attack"]] *= attack
        elif subtype == "universalis":
            factor = spec.universalis_expansion_factor
        params[row, pi["cd8_skin_expansion"]] *= factor
        trigger[row] = -episode * 365.25
        rows.append(
            {
                "candidate": int(cid),
                "age": age,
                "sex": sex,
                "weight_kg": weight,
                "bsa_m2": bsa,
                "subtype": subtype,
                "episode_years": episode,
                "resistant_to_systemic": resistant,
            }
        )
    return Candidates(np.asarray(ids, dtype=np.int64), pd.DataFrame(rows), params, trigger)


def natural_history_events(
    seed: int,
    replicate: int,
    ids: np.ndarray,
    trigger_day: np.ndarray,
    end_day: float,
    spec: PopulationSpec,
    rows: np.ndarray | None = None,
) -> EventTable:
    """Trigger (privilege collapse + effector burst) and disease-activity changes per candidate.

    Activity is log-normal with median 1 and log-SD ``spec.activity_sd``, redrawn every
    ``spec.activity_interval_days`` from the trigger to ``end_day``. ``rows`` gives the
    patient index each candidate has in the batch (default: its position).
    """
    si = MODEL.state_index
    rows = np.arange(len(ids)) if rows is None else np.asarray(rows)
    parts = []
    streams = PatientStreams(seed, replicate, "fluctuation")
    for row, cid, t_trig in zip(rows, np.asarray(ids, dtype=np.int64), trigger_day, strict=True):
        rng = streams.for_patient(int(cid))
        n_changes = int(np.floor((end_day - t_trig) / spec.activity_interval_days)) + 1
        times = t_trig + spec.activity_interval_days * np.arange(n_changes)
        activity = np.exp(spec.activity_sd * rng.standard_normal(n_changes))
        t = np.concatenate([[t_trig, t_trig], times])
        state = np.concatenate(
            [[si["privilege"], si["cd8_skin"]], np.full(n_changes, si["disease_activity"])]
        )
        value = np.concatenate([[spec.trigger_privilege, spec.trigger_cd8], activity])
        parts.append((t, np.full(len(t), row), state, np.ones(len(t), dtype=np.int8), value))
    if not parts:
        return EventTable.empty()
    t, p, s, k, v = (np.concatenate(x) for x in zip(*parts, strict=True))
    return EventTable(time=t, patient=p, state=s, kind=k, value=v)


@dataclass(frozen=True)
class Cohort:
    """Enrolled patients: parameters, state at study day 0, covariates, future fluctuations."""

    params: np.ndarray
    y0: np.ndarray
    covariates: pd.DataFrame
    fluctuation_events: EventTable
    n_screened: int
    spec: PopulationSpec


def simulate_to_screening(
    seed: int, replicate: int, cand: Candidates, spec: PopulationSpec, save_days=(0.0,)
) -> np.ndarray:
    """States of candidates at ``save_days`` (study days <= 0), from health through the trigger."""
    t0 = cand.trigger_day - spec.settle_days  # per candidate: independent of the batch
    events = natural_history_events(
        seed, replicate, cand.ids, cand.trigger_day, max(save_days), spec
    )
    sol = solve_batch(
        cand.params, initial_state(cand.params), events, np.asarray(save_days, float), t0=t0
    )
    return sol.values


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
    """Candidates to draw next: the expected need at the yield seen so far, plus 20% and 16.

    Enrolment takes the first qualifying candidates in id order, so the batch size changes
    how much is drawn and simulated, never who is enrolled.
    """
    if missing <= 0:
        return 0
    if enrolled == 0:
        return max(64, 2 * screened)
    return int(np.ceil(1.2 * missing * screened / enrolled)) + 16


def enroll(
    scenario, seed: int, replicate: int, n: int, spec: PopulationSpec | None = None
) -> Cohort:
    """Screen candidates in id order until ``n`` meet the inclusion criteria (measured values).

    The ensemble member used is drawn from the replicate's own stream, so each replicate
    trial carries one plausible parameter set (model uncertainty).
    """
    from .calibration.ensemble import member_for_replicate

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
        salt = observe(states, cand.params)["salt"]
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


def study_events(
    seed: int, replicate: int, ids, trigger_day, end_day: float, spec: PopulationSpec
) -> EventTable:
    """The natural-history events that fall after study day 0 (row i = candidate ids[i])."""
    events = natural_history_events(seed, replicate, ids, trigger_day, end_day, spec)
    keep = events.time > 0.0
    return EventTable(
        time=events.time[keep],
        patient=events.patient[keep],
        state=events.state[keep],
        kind=events.kind[keep],
        value=events.value[keep],
    )


@dataclass(frozen=True)
class TypicalPatient:
    """The typical patient of an arm: parameters, state at day 0 and every event."""

    params: np.ndarray
    y0: np.ndarray
    events: EventTable
    weight_kg: float
    bsa_m2: float
    episode_years: float


def typical_patient(scenario, arm: str, spec: PopulationSpec | None = None) -> TypicalPatient:
    """Ensemble-centre parameters, AT/AU-like severity, 1-year episode, median activity.

    The state at day 0 comes from simulating health -> trigger one year before day 0 ->
    established disease; disease activity stays at its median (1), so the only events
    after day 0 are the arm's doses.
    """
    from .calibration.ensemble import ensemble_centre
    from .model.dosing import dose_events

    spec = (spec or PopulationSpec()).with_member(ensemble_centre())
    params = typical_parameters(spec)
    si = MODEL.state_index
    trigger = -365.0
    pre = EventTable(
        time=np.array([trigger, trigger]),
        patient=np.zeros(2, dtype=np.int64),
        state=np.array([si["privilege"], si["cd8_skin"]]),
        kind=np.ones(2, dtype=np.int8),
        value=np.array([spec.trigger_privilege, spec.trigger_cd8]),
    )
    y_start = initial_state(params[None, :])
    sol = solve_batch(
        params[None, :],
        y_start,
        pre,
        np.array([0.0]),
        t0=trigger - spec.settle_days,
        rtol=1e-9,
        atol=1e-12,
    )
    y0 = sol.values[0, 0].copy()
    weight, bsa = 70.0, 1.8  # DOMAIN.md s5: 1.8 m2 for a typical adult
    regimen = (
        scenario.regimen_of(arm) if hasattr(scenario, "regimen_of") else scenario.regimens[arm]
    )
    events = (
        dose_events(regimen, 0, weight, bsa, params)
        if regimen.drug != "placebo"
        else EventTable.empty()
    )
    return TypicalPatient(params, y0, events, weight, bsa, 1.0)
