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
    #: calibrated (DOMAIN.md s9, SALT30 plateau): share of patients whose disease reverses
    #: slowly (``refractory``) at a 4-year episode; 0 = every patient equally reversible
    refractory_share: float = 0.0
    #: calibrated: log-odds of slowly reversible disease per log of episode duration
    refractory_episode_slope: float = 0.0
    #: calibrated: factor on ``dystrophic_days`` for refractory patients
    refractory_recovery_factor: float = 1.0
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


def _population_draws(
    seed: int, replicate: int, ids: np.ndarray, n_iiv: int, patchy_below: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every draw of each candidate's ``population`` stream, in stream order.

    A candidate's stream holds: 3 uniforms (subtype, age, sex), 3 normals (weight, height,
    episode), 1 uniform (resistance), ``n_iiv`` IIV normals and, for patchy candidates only,
    one more normal (attack factor). Drawing consecutive values of one kind in one call gives
    the same numbers as one call per value (one uint64 sequence; ``random`` takes one word per
    double, the ziggurat as many as it needs), and writing them straight into the batch arrays
    with ``out=`` leaves only the re-keying and 4 draw calls per candidate in Python. The
    subtype is known from the first uniform (patchy iff it is below ``patchy_below``), so the
    extra normal can join the IIV call.

    Returns uniforms (n, 4), normals (n, 3) and z (n, n_iiv + 1); z's last column is the
    attack normal of patchy candidates and 0 for the others.
    """
    n = len(ids)
    uniforms, normals = np.empty((n, 4)), np.empty((n, 3))
    z = np.zeros((n, n_iiv + 1))
    streams = PatientStreams(seed, replicate, "population")
    for row, cid in enumerate(ids.tolist()):
        rng = streams.for_patient(cid)
        u, z_row = uniforms[row], z[row]
        rng.random(out=u[:3])
        rng.standard_normal(out=normals[row])
        u[3] = rng.random()
        rng.standard_normal(out=z_row if u[0] < patchy_below else z_row[:n_iiv])
    return uniforms, normals, z


def _by_subtype(values: tuple, patchy: np.ndarray) -> np.ndarray:
    """``values[0]`` for patchy candidates, ``values[1]`` for AT/AU ones (element-wise)."""
    return np.where(patchy, values[0], values[1])


def draw_candidates(
    seed: int,
    replicate: int,
    ids: np.ndarray,
    spec: PopulationSpec,
    subtype_mix: dict[str, float] | None = None,
) -> Candidates:
    """Covariates and individual parameters of candidates ``ids`` (one Philox stream each).

    The draws are taken candidate by candidate (:func:`_population_draws`); everything
    computed from them is vectorised over candidates with the operations of the former
    one-candidate-at-a-time code, in the same order (numpy's ``uniform(a, b)`` is
    ``a + (b - a) * random()``, ``normal(m, s)`` is ``m + s * standard_normal()``, and
    ``np.exp`` of an array gives the doubles of ``np.exp`` per element), so every value is
    bit for bit the same (checked against the former code; pinned in tests/test_population.py).
    """
    ids = np.asarray(ids, dtype=np.int64)
    mix = subtype_mix or DEFAULT_SUBTYPE_MIX
    names = [s for s in SUBTYPES if mix.get(s, 0) > 0]
    probs = np.array([mix[s] for s in names], dtype=float)
    probs /= probs.sum()
    # what Generator.choice(len(names), p=probs) does: one uniform against the normalised
    # cumulative probabilities (checked draw for draw in tests/test_population.py)
    cdf = probs.cumsum()
    cdf /= cdf[-1]
    # "patchy" is SUBTYPES[0], so a candidate is patchy iff searchsorted(...) == 0
    patchy_below = float(cdf[0]) if names[0] == "patchy" else -np.inf
    cv = {p.name: p.iiv_cv for p in MODEL.parameters if p.iiv_cv}
    cv["cd8_skin_expansion"] = spec.expansion_cv
    iiv = [(MODEL.parameter_index[name], _omega(value)) for name, value in cv.items()]
    expansion_column = list(cv).index("cd8_skin_expansion")
    pi = MODEL.parameter_index

    u, g, z = _population_draws(seed, replicate, ids, len(iiv), patchy_below)
    subtype_index = np.searchsorted(cdf, u[:, 0], side="right")
    patchy = u[:, 0] < patchy_below
    subtype = np.array(names, dtype=object)[subtype_index]
    low, high = AGE_RANGE_YEARS
    age = low + (high - low) * u[:, 1]
    female = u[:, 2] < FEMALE_SHARE
    log_weight_median = np.where(
        female, np.log(WEIGHT_MEDIAN_KG["F"]), np.log(WEIGHT_MEDIAN_KG["M"])
    )
    weight = np.exp(log_weight_median + WEIGHT_LOG_SD * g[:, 0])
    height = np.where(female, HEIGHT_MEAN_CM["F"], HEIGHT_MEAN_CM["M"]) + HEIGHT_SD_CM * g[:, 1]
    bsa = np.sqrt(height * weight / 3600.0)  # Mosteller, NEJM 1987;317:1098
    log_episode_median = _by_subtype(tuple(np.log(m) for m in spec.episode_median_years), patchy)
    episode = np.exp(log_episode_median + spec.episode_sd * g[:, 2])
    log_odds = _by_subtype(tuple(np.log(s / (1.0 - s)) for s in spec.resistant_share), patchy)
    logit = log_odds + spec.resistance_slope * z[:, expansion_column]
    resistant = u[:, 3] < 1.0 / (1.0 + np.exp(-logit))

    params = np.tile(typical_parameters(spec), (len(ids), 1))
    for column, (j, omega) in enumerate(iiv):
        params[:, j] *= np.exp(omega * z[:, column])
    attack = spec.patchy_attack_factor * np.exp(spec.patchy_attack_sd * z[patchy, len(iiv)])
    params[patchy, pi["follicle_attack"]] *= attack
    factor = np.where(subtype == "universalis", spec.universalis_expansion_factor, 1.0)
    params[:, pi["cd8_skin_expansion"]] *= np.where(patchy, spec.patchy_expansion_factor, factor)
    refractory = _refractory(seed, replicate, ids, episode, spec)
    params[refractory, pi["dystrophic_days"]] *= spec.refractory_recovery_factor
    covariates = pd.DataFrame(
        {
            "candidate": ids,
            "age": age,
            "sex": np.where(female, "F", "M").astype(object),
            "weight_kg": weight,
            "bsa_m2": bsa,
            "subtype": subtype,
            "episode_years": episode,
            "resistant_to_systemic": resistant,
            "refractory": refractory,
        }
    )
    return Candidates(ids, covariates, params, -episode * 365.25)


def _refractory(
    seed: int, replicate: int, ids: np.ndarray, episode_years: np.ndarray, spec: PopulationSpec
) -> np.ndarray:
    """Heterogeneous responsiveness (DOMAIN.md s9): whether a candidate's disease reverses
    slowly. Probability ``logistic(logit(refractory_share) + slope * ln(episode / 4 years))``,
    one uniform from the candidate's own ``responsiveness`` stream (no other draw moves).
    """
    if spec.refractory_share <= 0.0:
        return np.zeros(len(ids), dtype=bool)
    share = min(spec.refractory_share, 1.0 - 1e-9)
    logit = np.log(share / (1.0 - share)) + spec.refractory_episode_slope * np.log(
        np.maximum(episode_years, 1e-3) / 4.0
    )
    streams = PatientStreams(seed, replicate, "responsiveness")
    u = np.array([streams.for_patient(int(c)).random() for c in ids.tolist()])
    return u < 1.0 / (1.0 + np.exp(-logit))


def _activity_normals(
    seed: int, replicate: int, ids: np.ndarray, n_changes: np.ndarray
) -> np.ndarray:
    """The first ``n_changes[i]`` normals of candidate ``ids[i]``'s ``fluctuation`` stream,
    concatenated in candidate order (written in place, one draw call per candidate)."""
    offsets = np.concatenate([[0], np.cumsum(n_changes)]).tolist()
    z = np.empty(offsets[-1])
    streams = PatientStreams(seed, replicate, "fluctuation")
    for cid, start, stop in zip(ids.tolist(), offsets[:-1], offsets[1:], strict=True):
        streams.for_patient(cid).standard_normal(out=z[start:stop])
    return z


def _natural_history_arrays(
    seed: int,
    replicate: int,
    ids: np.ndarray,
    trigger_day: np.ndarray,
    end_day: float,
    spec: PopulationSpec,
    rows: np.ndarray | None,
) -> tuple[np.ndarray, ...]:
    """(time, patient, state, kind, value) of :func:`natural_history_events`, built at once.

    Candidate ``i`` contributes, in this order: the privilege collapse and the effector burst
    at its trigger, then ``n_i`` activity changes every ``activity_interval_days`` from the
    trigger; the arrays are laid out with ``np.repeat`` instead of being concatenated per
    candidate (same values, same order).
    """
    ids = np.asarray(ids, dtype=np.int64)
    trigger_day = np.asarray(trigger_day, dtype=np.float64)
    rows = np.arange(len(ids)) if rows is None else np.asarray(rows)
    if not len(rows) == len(ids) == len(trigger_day):
        raise ValueError(
            f"ids, trigger_day and rows differ in length: {len(ids)}, {len(trigger_day)}, "
            f"{len(rows)}"
        )
    span = np.floor((end_day - trigger_day) / spec.activity_interval_days)
    if not np.all(np.isfinite(span)) or np.any(span < -1):
        raise ValueError(
            "trigger_day must be finite and at most one activity interval after end_day"
        )
    n_changes = span.astype(np.int64) + 1
    activity = np.exp(spec.activity_sd * _activity_normals(seed, replicate, ids, n_changes))
    si = MODEL.state_index
    lengths = n_changes + 2
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])  # each candidate's trigger event
    position = np.arange(lengths.sum()) - np.repeat(first, lengths)
    change = position >= 2
    time = np.repeat(trigger_day, lengths)
    time[change] += spec.activity_interval_days * (position[change] - 2)
    state = np.full(len(time), si["disease_activity"])
    state[first], state[first + 1] = si["privilege"], si["cd8_skin"]
    value = np.empty(len(time))
    value[first], value[first + 1] = spec.trigger_privilege, spec.trigger_cd8
    value[change] = activity
    kind = np.ones(len(time), dtype=np.int8)
    return time, np.repeat(rows, lengths), state, kind, value


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
    if len(ids) == 0:
        return EventTable.empty()
    arrays = _natural_history_arrays(seed, replicate, ids, trigger_day, end_day, spec, rows)
    return EventTable(*arrays)


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
    """The natural-history events that fall after study day 0 (row i = candidate ids[i]).

    The activity changes before day 0 are still drawn: they come first in each stream.
    """
    if len(ids) == 0:
        return EventTable.empty()
    arrays = _natural_history_arrays(seed, replicate, ids, trigger_day, end_day, spec, None)
    keep = arrays[0] > 0.0
    return EventTable(*(a[keep] for a in arrays))


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
