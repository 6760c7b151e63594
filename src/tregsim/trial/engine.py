"""One replicate trial, stage by stage: screen, randomize, dose, simulate, observe, analyse.

``simulate_replicate(scenario, seed, replicate)`` runs replicate trial ``replicate``:

1. enrol a cohort (:func:`tregsim.population.enroll`: screening on measured values);
2. permuted-block randomization (:mod:`tregsim.trial.randomization`), stratified on the
   cohort's ``stratum`` when ``randomization.stratify_by`` is not empty;
3. visit days: nominal ``7 * week`` (plus endpoint weeks missing from ``visits_weeks``),
   jittered by a whole number of days in ``+-visit_window_days`` (stream ``visit_window``;
   baseline exact, visits kept in order);
4. simulate every patient (regimen dose events + disease fluctuations, batched solver,
   model observables) in :func:`tregsim.trial.simulation.simulate_cohort`;
5. measurement (:mod:`tregsim.trial.observation`) and dropout (:mod:`tregsim.trial.dropout`);
6. adverse events from each patient's simulated exposure, reported at attended visits
   (:mod:`tregsim.trial.adverse_events`, :mod:`tregsim.safety`);
7. endpoints and comparisons (:mod:`tregsim.analysis`), and the replicate's safety digest
   (:func:`tregsim.analysis.safety.replicate_safety`).

Every random draw is keyed by ``(seed, replicate, patient, stream)``, so replicate ``r``
depends only on ``(seed, r)``: the same seed gives the same summary whatever the number of
workers or the order in which replicates finish.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tregsim.analysis import (
    AnalysisOptions,
    StatResult,
    arm_values,
    compare_arms,
    subject_values,
)
from tregsim.analysis.comparisons import arm_values_arrays, compare_arrays
from tregsim.analysis.endpoints import KINDS, endpoint_arrays
from tregsim.analysis.safety import replicate_safety
from tregsim.population import enroll as enroll_cohort
from tregsim.protocol import AE_ENDPOINT_KINDS, Scenario
from tregsim.safety.events import LOG_COLUMN
from tregsim.trial.adverse_events import simulate_cohort_adverse_events
from tregsim.trial.dropout import simulate_dropout
from tregsim.trial.observation import assay_factor, measure_treg_pct, rate_salt
from tregsim.trial.randomization import cohort_strata, randomize
from tregsim.trial.simulation import OBSERVABLES, simulate_cohort
from tregsim.trial.visits import visit_days, visit_weeks

__all__ = ["ReplicateResult", "comparison_key", "simulate_replicate"]

#: Enrolment covariates copied into the patients table (when the cohort has them).
COVARIATES = (
    "age",
    "sex",
    "bsa_m2",
    "weight_kg",
    "subtype",
    "episode_years",
    "salt_screening",
)


# ---------------------------------------------------------------- one replicate
@dataclass(frozen=True)
class ReplicateResult:
    """One replicate trial: its patients-by-visit rows and per-replicate results.

    ``endpoints[arm][endpoint]`` is the arm's value (see ``ARM_STATISTIC``: proportion,
    mean, geometric mean or Kaplan-Meier median in days);
    ``comparisons[key]`` is a :class:`~tregsim.analysis.StatResult`; the key is the endpoint
    name in a two-arm trial, ``"<endpoint>:<arm>_vs_<control>"`` with several treated
    arms (see :func:`comparison_key`). ``n_failed`` counts patients whose simulation
    failed (solver status != 0; their model values are NaN).
    """

    replicate: int
    patients: pd.DataFrame
    endpoints: dict[str, dict[str, float]]
    comparisons: dict[str, StatResult]
    n_screened: int
    n_failed: int
    n_enrolled: int = 0
    notes: tuple[str, ...] = ()
    n_per_arm: dict[str, int] = field(default_factory=dict)
    safety: dict | None = None  # tregsim.analysis.safety.replicate_safety digest


def comparison_key(endpoint: str, arm: str, control: str, n_treated_arms: int = 1) -> str:
    """Key of a comparison in results and summary.json: the endpoint name when there is
    one treated arm, ``"<endpoint>:<arm>_vs_<control>"`` otherwise."""
    return endpoint if n_treated_arms == 1 else f"{endpoint}:{arm}_vs_{control}"


def simulate_replicate(
    scenario: Scenario,
    seed: int,
    replicate: int,
    *,
    enroll: Callable[..., Any] = enroll_cohort,
    simulate: Callable[..., dict] = simulate_cohort,
    adverse_events: Callable[..., Any] | None = simulate_cohort_adverse_events,
) -> ReplicateResult:
    """Run replicate trial ``replicate`` of ``scenario`` with master ``seed``.

    The two expensive stages are seams, passed as arguments: ``enroll(scenario, seed,
    replicate, n)`` returns the enrolled cohort (default :func:`tregsim.population.enroll`)
    and ``simulate(cohort, arms, scenario, visit_days)`` its model observables (default
    :func:`tregsim.trial.simulation.simulate_cohort`); ``adverse_events(scenario, cohort,
    arm_names, days, dropped, status, seed, replicate)`` the replicate's
    :class:`~tregsim.safety.events.SafetyResult` or None (default
    :func:`tregsim.trial.adverse_events.simulate_cohort_adverse_events`; None as the
    argument skips the stage: the AE endpoints are then missing). Bind them with
    :func:`functools.partial` to hand a variant to the campaign.
    """
    seed, replicate = int(seed), int(replicate)
    arms = [(a.name, float(a.allocation), a.regimen) for a in scenario.arms]
    options = AnalysisOptions.from_any(scenario.analysis)
    control = scenario.control_arm
    endpoints = list(scenario.endpoints)
    n = int(scenario.population.n)
    if n < 2:
        raise ValueError(f"population.n={n} must be at least 2.")

    cohort = enroll(scenario, seed, replicate, n)
    covariates = cohort.covariates.reset_index(drop=True)
    n = len(covariates)
    index = np.arange(n)
    strata = cohort_strata(covariates)
    randomization = scenario.randomization
    stratify = list(randomization.stratify_by)
    allocation = randomize(
        n,
        [a[1] for a in arms],
        seed,
        replicate,
        block_size=randomization.block_size,
        strata=strata if stratify else None,
    )
    arm_names = np.array([a[0] for a in arms], dtype=object)[allocation]
    days = visit_days(scenario, seed, replicate, index)
    weeks = visit_weeks(scenario)

    sim = simulate(cohort, arm_names, scenario, days)
    status = np.asarray(sim["status"], dtype=np.int64)

    blinding, rater = scenario.blinding, scenario.rater
    arm_active = np.array([scenario.arm_is_active(a[0]) for a in arms])
    active = arm_active[allocation]
    on_treatment = (active[:, None] & (days > 0)) if blinding.open_label else None
    salt_obs = rate_salt(
        sim["salt"],
        seed,
        replicate,
        index,
        sd_salt=float(rater.sd_salt),
        raters=int(blinding.raters),
        unblinded_optimism=float(rater.unblinded_optimism),
        on_treatment=on_treatment,
    )
    treg_cv = float(scenario.assay.treg_cv)
    # the naive / activated split is read from the same sample (same assay error draw)
    factor = assay_factor(seed, replicate, index, days.shape[1], treg_cv)
    treg_obs = measure_treg_pct(sim["treg_pct_cd4"], seed, replicate, index, treg_cv, factor)
    subset_obs = {
        name: measure_treg_pct(sim[name], seed, replicate, index, treg_cv, factor)
        for name in ("treg_naive_pct_cd4", "treg_activated_pct_cd4")
    }
    dropout = scenario.dropout
    dropped = simulate_dropout(
        salt_obs,
        seed,
        replicate,
        index,
        per_visit=float(dropout.per_visit),
        non_responder_extra=float(dropout.non_responder_extra),
    )
    salt_obs = np.where(dropped, np.nan, salt_obs)
    treg_obs = np.where(dropped, np.nan, treg_obs)
    subset_obs = {name: np.where(dropped, np.nan, v) for name, v in subset_obs.items()}
    safety = (
        None
        if adverse_events is None
        else adverse_events(scenario, cohort, arm_names, days, dropped, status, seed, replicate)
    )
    model = {name: np.asarray(sim[name], dtype=float) for name in OBSERVABLES}

    m = weeks.size
    columns = {
        "replicate": np.full(n * m, replicate, dtype=np.int64),
        "subject": np.repeat(covariates["subject"].to_numpy(), m),
        "arm": np.repeat(arm_names.astype(str), m),
        "stratum": np.repeat(strata.astype(str), m),
        "visit_week": np.tile(weeks, n),
        "day": days.ravel(),
        "salt_true": model["salt"].ravel(),
        "salt_observed": salt_obs.ravel(),
        "treg_pct_cd4": model["treg_pct_cd4"].ravel(),
        "treg_pct_cd4_observed": treg_obs.ravel(),
        "treg_naive_pct_cd4": model["treg_naive_pct_cd4"].ravel(),
        "treg_naive_pct_cd4_observed": subset_obs["treg_naive_pct_cd4"].ravel(),
        "treg_activated_pct_cd4": model["treg_activated_pct_cd4"].ravel(),
        "treg_activated_pct_cd4_observed": subset_obs["treg_activated_pct_cd4"].ravel(),
        "nk_per_ul": model["nk_per_ul"].ravel(),
        "cd8_per_ul": model["cd8_per_ul"].ravel(),
        "dropped_out": dropped.ravel(),
        "status": np.repeat(status, m),
    }
    for column in COVARIATES:
        if column in covariates:
            columns[column] = np.repeat(covariates[column].to_numpy(), m)
    if safety is not None:
        columns.update({name: grid.ravel() for name, grid in safety.counts.items()})
        columns[LOG_COLUMN] = safety.log.ravel()
    patients = pd.DataFrame(columns)

    # Endpoints straight from the (n, m) arrays when the table is the subject-major grid
    # that subject_values would reshape it into (subjects increasing), else from the table.
    subjects = covariates["subject"].to_numpy()
    grid = None
    if np.issubdtype(subjects.dtype, np.number) and np.all(subjects[1:] > subjects[:-1]):
        grid = {
            "salt_observed": salt_obs,
            "treg_pct_cd4_observed": treg_obs,
            "treg_naive_pct_cd4_observed": subset_obs["treg_naive_pct_cd4"],
            "treg_activated_pct_cd4_observed": subset_obs["treg_activated_pct_cd4"],
            "nk_per_ul": np.where(dropped, np.nan, model["nk_per_ul"]),
            "cd8_per_ul": np.where(dropped, np.nan, model["cd8_per_ul"]),
            **(
                safety.counts
                if safety is not None
                else {k: np.full(days.shape, np.nan) for k in AE_ENDPOINT_KINDS}
            ),
        }
    endpoint_values: dict[str, dict[str, float]] = {a[0]: {} for a in arms}
    n_treated = len(arms) - 1
    comparisons: dict[str, StatResult] = {}
    notes: list[str] = []
    for spec in endpoints:
        mixed = options.missing_continuous == "random_intercept" and spec.type in (
            "continuous",
            "fold",
        )
        if grid is not None:
            values = endpoint_arrays(
                spec,
                weeks,
                grid[KINDS[spec.kind].column],
                days,
                options.missing_responder,
                options.missing_continuous,
            )
            per_arm = arm_values_arrays(arm_names, values, spec)
        else:
            frame = subject_values(
                patients, spec, options.missing_responder, options.missing_continuous
            )
            per_arm = arm_values(frame, spec)
        for name, _, _ in arms:
            endpoint_values[name][spec.name] = per_arm.get(name, math.nan)
        for name, _, _ in arms:
            if name == control:
                continue
            if grid is not None and not mixed:
                result = compare_arrays(spec, arm_names, values, name, control, options, strata)
            else:
                result = compare_arms(
                    patients, spec, name, control, options, values=None if mixed else frame
                )
            comparisons[comparison_key(spec.name, name, control, n_treated)] = result
            if result.note:
                notes.append(f"replicate {replicate}, {spec.name}: {result.note}")
    return ReplicateResult(
        replicate=replicate,
        patients=patients,
        endpoints=endpoint_values,
        comparisons=comparisons,
        n_screened=int(getattr(cohort, "n_screened", n)),
        n_failed=int(np.sum(status != 0)),
        n_enrolled=n,
        notes=tuple(notes),
        n_per_arm={name: int(np.sum(arm_names == name)) for name, _, _ in arms},
        safety=None
        if safety is None
        else replicate_safety(safety.counts, safety.events, arm_names, weeks, endpoints),
    )
