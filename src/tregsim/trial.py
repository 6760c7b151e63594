"""One virtual trial, and many: screen, randomize, dose, simulate, observe, analyse.

``simulate_replicate(scenario, seed, replicate)`` runs replicate trial ``replicate``:

1. enrol a cohort (``tregsim.population.enroll``: screening on measured values);
2. permuted-block randomization (:mod:`tregsim.randomization`), stratified on the
   cohort's ``stratum`` when ``randomization.stratify_by`` is not empty;
3. visit days: nominal ``7 * week`` (plus endpoint weeks missing from ``visits_weeks``),
   jittered by a whole number of days in ``+-visit_window_days`` (stream ``visit_window``;
   baseline exact, visits kept in order);
4. simulate every patient (regimen dose events + disease fluctuations, batched solver,
   model observables) in :func:`_simulate_cohort`;
5. measurement (:mod:`tregsim.observation`) and dropout (:mod:`tregsim.dropout`);
6. endpoints and comparisons (:mod:`tregsim.analysis`).

Every random draw is keyed by ``(seed, replicate, patient, stream)``, so replicate ``r``
depends only on ``(seed, r)``: the same seed gives the same summary whatever the number of
workers or the order in which replicates finish.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tregsim.analysis import (
    AnalysisOptions,
    EndpointSpec,
    StatResult,
    arm_values,
    compare_arms,
    subject_values,
)
from tregsim.analysis.comparisons import arm_values_arrays, compare_arrays
from tregsim.analysis.endpoints import KINDS, endpoint_arrays
from tregsim.dropout import simulate_dropout
from tregsim.observation import measure_treg_pct, rate_salt
from tregsim.randomization import randomize
from tregsim.rng import PatientStreams

__all__ = ["ReplicateResult", "TrialResult", "simulate_replicate", "run_trial"]

#: Outputs the simulation layer must return, each (n_patients, n_visits).
OBSERVABLES = (
    "salt",
    "treg_pct_cd4",
    "treg_naive_pct_cd4",
    "treg_activated_pct_cd4",
    "nk_per_ul",
    "cd8_per_ul",
)

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


# ---------------------------------------------------------------- scenario access
def _get(obj, name: str, default=None):
    """Field of a pydantic model, dataclass, namespace or dict (None -> default)."""
    if obj is None:
        return default
    value = obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)
    return default if value is None else value


def _arms(scenario) -> list[tuple[str, float, str | None]]:
    arms = [
        (str(_get(a, "name")), float(_get(a, "allocation", 1)), _get(a, "regimen"))
        for a in _get(scenario, "arms", [])
    ]
    if len(arms) < 1:
        raise ValueError("scenario.arms is empty; define at least one arm.")
    return arms


def _is_placebo(scenario, regimen_name) -> bool:
    if regimen_name is None:
        return True
    regimen = _get(_get(scenario, "regimens", {}), str(regimen_name))
    return regimen is None or str(_get(regimen, "drug", "placebo")) == "placebo"


def _control_arm(scenario, options: AnalysisOptions) -> str:
    names = [a[0] for a in _arms(scenario)]
    if options.control_arm is not None:
        if options.control_arm not in names:
            raise ValueError(
                f"analysis.control_arm={options.control_arm!r} is not an arm; use one of "
                f"{', '.join(names)}."
            )
        return options.control_arm
    placebo = [a[0] for a in _arms(scenario) if _is_placebo(scenario, a[2])]
    return placebo[0] if placebo else names[-1]


def _endpoints(scenario) -> list[EndpointSpec]:
    return [EndpointSpec.from_any(e) for e in _get(scenario, "endpoints", [])]


def visit_weeks(scenario) -> np.ndarray:
    """Sorted visit weeks: ``visits_weeks`` plus any endpoint week, always with week 0."""
    weeks = {0.0, *(float(w) for w in _get(scenario, "visits_weeks", [0]))}
    weeks |= {float(e.week) for e in _endpoints(scenario) if e.week is not None}
    return np.array(sorted(weeks))


def visit_days(scenario, seed: int, replicate: int, patients: np.ndarray) -> np.ndarray:
    """``(n, m)`` whole study days of each patient's visits (baseline day 0)."""
    nominal = np.round(7.0 * visit_weeks(scenario))
    window = int(_get(scenario, "visit_window_days", 0))
    days = np.tile(nominal, (len(patients), 1))
    if window > 0:
        streams = PatientStreams(seed, replicate, "visit_window")
        for row, patient in enumerate(patients):
            rng = streams.for_patient(int(patient))
            days[row] += rng.integers(-window, window + 1, size=nominal.size)
        days[:, nominal == 0] = 0.0
        days = np.maximum(days, 0.0)
        for col in range(1, days.shape[1]):
            days[:, col] = np.maximum(days[:, col], days[:, col - 1] + 1.0)
    return days


def _strata(covariates: pd.DataFrame) -> np.ndarray:
    if "stratum" in covariates:
        return covariates["stratum"].astype(str).to_numpy()
    salt = covariates["salt_screening"].to_numpy(dtype=float)
    # Olsen 2004 severity classes: S3 50-74, S4 75-99, S5 100 (S1/S2 below inclusion).
    return np.select([salt >= 100, salt >= 75, salt >= 50], ["S5", "S4", "S3"], "S1-S2")


# ---------------------------------------------------------------- simulation layer
def _concat_events(tables: list):
    from tregsim.solve.events import EventTable

    tables = [t for t in tables if t is not None and len(t)]
    return EventTable.concat(tables) if tables else EventTable.empty()


def _simulate_cohort(cohort, arms: np.ndarray, scenario, visit_days: np.ndarray) -> dict:
    """Simulate every enrolled patient; return ``OBSERVABLES`` arrays ``(n, m)`` and
    ``status (n,)`` (0 ok, solver code otherwise).

    Uses ``tregsim.model.dosing.cohort_dose_events`` per arm (placebo arms get no doses),
    the cohort's ``fluctuation_events`` and ``y0`` at study day 0,
    ``tregsim.solve.solve_batch`` saved at every distinct visit day, and
    ``tregsim.model.observe``.
    """
    from tregsim.model import observe
    from tregsim.model.dosing import cohort_dose_events
    from tregsim.solve import solve_batch

    params = np.asarray(cohort.params, dtype=float)
    covariates = cohort.covariates
    regimen_of = {name: regimen for name, _, regimen in _arms(scenario)}
    regimens = _get(scenario, "regimens", {})
    tables = [getattr(cohort, "fluctuation_events", None)]
    weight = covariates["weight_kg"].to_numpy(dtype=float)
    bsa = covariates["bsa_m2"].to_numpy(dtype=float)
    arms = np.asarray([str(a) for a in arms])
    for arm in np.unique(arms):
        name = regimen_of[str(arm)]
        if _is_placebo(scenario, name):
            continue
        rows = np.flatnonzero(arms == arm)
        tables.append(cohort_dose_events(_get(regimens, str(name)), rows, weight[rows], bsa[rows]))
    save_times = np.unique(visit_days)
    solution = solve_batch(
        params, np.asarray(cohort.y0, dtype=float), _concat_events(tables), save_times
    )
    n, m = visit_days.shape
    index = np.searchsorted(save_times, visit_days)
    states = np.asarray(solution.values)[np.arange(n)[:, None], index]
    observed = observe(states, np.broadcast_to(params[:, None, :], (n, m, params.shape[1])))
    out = {name: np.asarray(observed[name], dtype=float) for name in OBSERVABLES}
    out["status"] = np.asarray(solution.status, dtype=np.int64)
    return out


def _enroll(scenario, seed: int, replicate: int, n: int):
    from tregsim.population import enroll

    return enroll(scenario, seed, replicate, n)


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


def comparison_key(endpoint: str, arm: str, control: str, n_treated_arms: int = 1) -> str:
    """Key of a comparison in results and summary.json: the endpoint name when there is
    one treated arm, ``"<endpoint>:<arm>_vs_<control>"`` otherwise."""
    return endpoint if n_treated_arms == 1 else f"{endpoint}:{arm}_vs_{control}"


def simulate_replicate(scenario, seed: int, replicate: int) -> ReplicateResult:
    """Run replicate trial ``replicate`` of ``scenario`` with master ``seed``."""
    seed, replicate = int(seed), int(replicate)
    arms = _arms(scenario)
    options = AnalysisOptions.from_any(_get(scenario, "analysis"))
    control = _control_arm(scenario, options)
    endpoints = _endpoints(scenario)
    n = int(_get(_get(scenario, "population"), "n", 0))
    if n < 2:
        raise ValueError(f"population.n={n} must be at least 2.")

    cohort = _enroll(scenario, seed, replicate, n)
    covariates = cohort.covariates.reset_index(drop=True)
    n = len(covariates)
    index = np.arange(n)
    strata = _strata(covariates)
    randomization = _get(scenario, "randomization")
    stratify = list(_get(randomization, "stratify_by", []))
    allocation = randomize(
        n,
        [a[1] for a in arms],
        seed,
        replicate,
        block_size=_get(randomization, "block_size"),
        strata=strata if stratify else None,
    )
    arm_names = np.array([a[0] for a in arms], dtype=object)[allocation]
    days = visit_days(scenario, seed, replicate, index)
    weeks = visit_weeks(scenario)

    sim = _simulate_cohort(cohort, arm_names, scenario, days)
    status = np.asarray(sim["status"], dtype=np.int64)

    blinding, rater = _get(scenario, "blinding"), _get(scenario, "rater")
    arm_active = np.array([not _is_placebo(scenario, a[2]) for a in arms])
    active = arm_active[allocation]
    on_treatment = (active[:, None] & (days > 0)) if _get(blinding, "open_label", False) else None
    salt_obs = rate_salt(
        sim["salt"],
        seed,
        replicate,
        index,
        sd_salt=float(_get(rater, "sd_salt", 4.0)),
        raters=int(_get(blinding, "raters", 1)),
        unblinded_optimism=float(_get(rater, "unblinded_optimism", 0.0)),
        on_treatment=on_treatment,
    )
    treg_cv = float(_get(_get(scenario, "assay"), "treg_cv", 0.1))
    treg_obs = measure_treg_pct(sim["treg_pct_cd4"], seed, replicate, index, cv=treg_cv)
    # the naive / activated split is read from the same sample (same assay error draw)
    subset_obs = {
        name: measure_treg_pct(sim[name], seed, replicate, index, cv=treg_cv)
        for name in ("treg_naive_pct_cd4", "treg_activated_pct_cd4")
    }
    dropout = _get(scenario, "dropout")
    dropped = simulate_dropout(
        salt_obs,
        seed,
        replicate,
        index,
        per_visit=float(_get(dropout, "per_visit", 0.0)),
        non_responder_extra=float(_get(dropout, "non_responder_extra", 0.0)),
    )
    salt_obs = np.where(dropped, np.nan, salt_obs)
    treg_obs = np.where(dropped, np.nan, treg_obs)
    subset_obs = {name: np.where(dropped, np.nan, v) for name, v in subset_obs.items()}
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
        }
    endpoint_values: dict[str, dict[str, float]] = {a[0]: {} for a in arms}
    n_treated = len(arms) - 1
    comparisons: dict[str, StatResult] = {}
    notes: list[str] = []
    for spec in endpoints:
        mmrm = options.missing_continuous == "mmrm" and spec.type in ("continuous", "fold")
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
            if grid is not None and not mmrm:
                result = compare_arrays(spec, arm_names, values, name, control, options, strata)
            else:
                result = compare_arms(
                    patients, spec, name, control, options, values=None if mmrm else frame
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
    )


# ---------------------------------------------------------------- many replicates
@dataclass(frozen=True)
class TrialResult:
    """All replicates of a trial: ``summary`` (the summary.json content, built by
    :func:`tregsim.campaign.assemble_summary`), ``patients`` (every patient row, loaded
    from the run's chunk files), the per-replicate ``records``, and the campaign's
    ``run_id`` / ``run_dir`` (``tregsim runs`` lists it; ``resume=run_id`` finishes it)."""

    summary: dict
    patients: pd.DataFrame
    records: tuple[dict, ...] = field(default=(), repr=False)
    run_id: str | None = None
    run_dir: Path | None = None
    scenario: object = field(default=None, repr=False)

    def write(self, out_dir: str | os.PathLike) -> Path:
        """Write summary.json, patients.parquet, adsl.csv, adeff.csv and report.html into
        ``out_dir``, all or nothing (see :func:`tregsim.store.write_outputs`)."""
        from tregsim.store import write_outputs

        return write_outputs(out_dir, self.summary, self.patients, self.scenario)


def run_trial(
    scenario,
    replicates: int = 1,
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress=True,
    resume: str | None = None,
    *,
    chunk_size: int | None = None,
    run_dir: str | os.PathLike | None = None,
    catalogue=None,
    command: str | None = None,
) -> TrialResult:
    """Run ``replicates`` independent trials of ``scenario`` (the engine of ``tregsim run``).

    ``seed`` defaults to ``scenario.seed``. The replicates run in chunks through
    :func:`tregsim.campaign.run_campaign`: in this process when ``workers`` is None or 1,
    on a local Dask cluster of ``workers`` processes, or on the Dask cluster at
    ``scheduler`` ("tcp://host:port"); the summary is identical either way. The run is
    recorded in the run catalogue (``tregsim runs``; default ``$TREGSIM_HOME/runs.duckdb``)
    and ``resume=run_id`` finishes an interrupted run. ``progress``: True shows a progress
    bar on stderr, a callable gets ``progress(done_replicates, total)``, False is silent.
    """
    from tregsim.campaign import run_campaign

    result = run_campaign(
        scenario,
        int(replicates) if isinstance(replicates, (int, np.integer)) else replicates,
        seed,
        workers=workers,
        scheduler=scheduler,
        chunk_size=chunk_size,
        run_dir=run_dir,
        resume_run_id=resume,
        progress=progress,
        catalogue=catalogue,
        command=command,
    )
    return TrialResult(
        summary=result.summary,
        patients=result.patients,
        records=result.records,
        run_id=result.run_id,
        run_dir=result.run_dir,
        scenario=scenario,
    )
