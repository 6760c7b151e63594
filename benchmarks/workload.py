"""Real tregsim solver workload: the pilot-2014 regimen on N patients.

Patients: ``n_distinct`` candidates drawn by :func:`tregsim.population.draw_candidates`
(seed 2014, replicate 0, ensemble member of replicate 0), their state at study day 0 from
:func:`tregsim.population.simulate_to_screening` (health -> trigger -> established disease,
no screening filter), then repeated to ``n`` patients. From day 0 to week 104: the
pilot-2014 IL-2 doses (20 SC doses in 10 weeks, via ``tregsim.model.dosing.dose_events``)
and the disease-activity ``set`` events every 60 days; values saved at the visit days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Workload:
    params: np.ndarray
    y0: np.ndarray
    events: object  # EventTable
    save_times: np.ndarray
    years: float


def _tile_events(ev, n_distinct, n):
    from tregsim.solve import EventTable

    reps = -(-n // n_distinct)
    k = len(ev)
    patient = (ev.patient[None, :] + n_distinct * np.arange(reps)[:, None]).ravel()
    keep = patient < n
    return (
        EventTable(
            np.tile(ev.time, reps)[keep],
            patient[keep],
            np.tile(ev.state, reps)[keep],
            np.tile(ev.kind, reps)[keep],
            np.tile(ev.value, reps)[keep],
        )
        if k
        else ev
    )


def pilot_workload(n: int, n_distinct: int = 200, seed: int = 2014) -> Workload:
    from tregsim.model.dosing import dose_events
    from tregsim.population import (
        PopulationSpec,
        draw_candidates,
        natural_history_events,
        simulate_to_screening,
    )
    from tregsim.population.ensemble import member_for_replicate
    from tregsim.scenarios import load_scenario
    from tregsim.solve import EventTable

    scenario = load_scenario("pilot-2014")
    spec = PopulationSpec().with_member(member_for_replicate(seed, 0))
    n_distinct = min(n, n_distinct)
    cand = draw_candidates(seed, 0, np.arange(n_distinct), spec)
    y0 = simulate_to_screening(seed, 0, cand, spec)[:, 0, :]
    follow_up = float(scenario.follow_up_weeks) * 7.0
    nat = natural_history_events(seed, 0, cand.ids, cand.trigger_day, follow_up, spec)
    keep = nat.time > 0.0
    tables = [
        EventTable(
            nat.time[keep], nat.patient[keep], nat.state[keep], nat.kind[keep], nat.value[keep]
        )
    ]
    regimen = scenario.regimens["il2_pilot"]
    cov = cand.covariates
    for i in range(n_distinct):
        tables.append(dose_events(regimen, i, float(cov["weight_kg"][i]), float(cov["bsa_m2"][i])))
    events = _tile_events(EventTable.concat(tables), n_distinct, n)
    reps = -(-n // n_distinct)
    save = np.unique(np.asarray(scenario.visits_weeks, dtype=float) * 7.0)
    return Workload(
        np.tile(cand.params, (reps, 1))[:n],
        np.tile(y0, (reps, 1))[:n],
        events,
        save,
        follow_up / 365.25,
    )
