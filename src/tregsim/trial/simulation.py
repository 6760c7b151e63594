"""The simulation stage: every enrolled patient's model trajectory at its visit days."""

from __future__ import annotations

import numpy as np

from tregsim.model import MODEL, observable_states, observe
from tregsim.model.dosing import cohort_dose_events
from tregsim.protocol import Scenario
from tregsim.solve import EventTable, solve_batch

#: Outputs the simulation layer must return, each (n_patients, n_visits).
OBSERVABLES = (
    "salt",
    "treg_pct_cd4",
    "treg_naive_pct_cd4",
    "treg_activated_pct_cd4",
    "nk_per_ul",
    "cd8_per_ul",
)


def _concat_events(tables: list) -> EventTable:
    tables = [t for t in tables if t is not None and len(t)]
    return EventTable.concat(tables) if tables else EventTable.empty()


def simulate_cohort(cohort, arms: np.ndarray, scenario: Scenario, visit_days: np.ndarray) -> dict:
    """Simulate every enrolled patient; return ``OBSERVABLES`` arrays ``(n, m)`` and
    ``status (n,)`` (0 ok, solver code otherwise).

    Uses ``tregsim.model.dosing.cohort_dose_events`` per arm (placebo arms get no doses),
    the cohort's ``fluctuation_events`` and ``y0`` at study day 0,
    ``tregsim.solve.solve_batch`` saved at every distinct visit day (only the states that
    ``tregsim.model.observable_states`` lists for ``OBSERVABLES``), and
    ``tregsim.model.observe``.
    """
    params = np.asarray(cohort.params, dtype=float)
    covariates = cohort.covariates
    tables = [getattr(cohort, "fluctuation_events", None)]
    weight = covariates["weight_kg"].to_numpy(dtype=float)
    bsa = covariates["bsa_m2"].to_numpy(dtype=float)
    arms = np.asarray([str(a) for a in arms])
    for arm in np.unique(arms):
        regimen = scenario.regimen_of(str(arm))
        if regimen.is_placebo:
            continue
        rows = np.flatnonzero(arms == arm)
        tables.append(cohort_dose_events(regimen, rows, weight[rows], bsa[rows]))
    save_times = np.unique(visit_days)
    # only the states the observables read are kept: every patient is saved at every distinct
    # visit day of the cohort (about 140 with jittered visits), 29 states would be 650 MB at
    # n = 20,000; the trajectories do not depend on which states are saved
    saved = np.asarray(observable_states(OBSERVABLES), dtype=np.int64)
    solution = solve_batch(
        params,
        np.asarray(cohort.y0, dtype=float),
        _concat_events(tables),
        save_times,
        save_states=saved,
    )
    n, m = visit_days.shape
    index = np.searchsorted(save_times, visit_days)
    states = np.zeros((n, m, MODEL.n_states))
    states[..., saved] = np.asarray(solution.values)[np.arange(n)[:, None], index]
    observed = observe(
        states, np.broadcast_to(params[:, None, :], (n, m, params.shape[1])), OBSERVABLES
    )
    out = {name: np.asarray(observed[name], dtype=float) for name in OBSERVABLES}
    out["status"] = np.asarray(solution.status, dtype=np.int64)
    return out
