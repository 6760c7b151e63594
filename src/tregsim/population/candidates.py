"""Candidates before screening: covariates and individual model parameters, one stream each."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tregsim.model import MODEL
from tregsim.population.spec import (
    AGE_RANGE_YEARS,
    DEFAULT_SUBTYPE_MIX,
    FEMALE_SHARE,
    HEIGHT_MEAN_CM,
    HEIGHT_SD_CM,
    SUBTYPES,
    WEIGHT_LOG_SD,
    WEIGHT_MEDIAN_KG,
    PopulationSpec,
    _omega,
    typical_parameters,
)
from tregsim.rng import PatientStreams


@dataclass(frozen=True)
class Candidates:
    """Drawn candidates before screening: covariates, parameters and natural-history events."""

    ids: np.ndarray
    covariates: pd.DataFrame
    params: np.ndarray
    trigger_day: np.ndarray  # study days (negative: before screening)


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
    """Heterogeneous responsiveness (docs/sources.md, SALT30 plateau): whether a candidate's
    disease reverses slowly. Probability
    ``logistic(logit(refractory_share) + slope * ln(episode / 4 years))``, one uniform from the
    candidate's own ``responsiveness`` stream (no other draw moves).
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
