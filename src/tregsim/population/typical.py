"""The typical patient of an arm: ensemble-centre parameters, median activity, the arm's doses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tregsim.model import MODEL, initial_state
from tregsim.model.dosing import dose_events
from tregsim.population.ensemble import ensemble_centre
from tregsim.population.spec import PopulationSpec, typical_parameters
from tregsim.solve import EventTable, solve_batch
from tregsim.solve.events import SET


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
    spec = (spec or PopulationSpec()).with_member(ensemble_centre())
    params = typical_parameters(spec)
    si = MODEL.state_index
    trigger = -365.0
    pre = EventTable(
        time=np.array([trigger, trigger]),
        patient=np.zeros(2, dtype=np.int64),
        state=np.array([si["privilege"], si["cd8_skin"]]),
        kind=np.full(2, SET, dtype=np.int8),
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
    weight, bsa = 70.0, 1.8  # sources.md#treg-pharmacodynamics: 1.8 m2 for a typical adult
    regimen = (
        scenario.regimen_of(arm) if hasattr(scenario, "regimen_of") else scenario.regimens[arm]
    )
    events = (
        dose_events(regimen, 0, weight, bsa, params)
        if regimen.drug != "placebo"
        else EventTable.empty()
    )
    return TypicalPatient(params, y0, events, weight, bsa, 1.0)
