"""Adverse events of one replicate trial, drawn from each patient's simulated exposure.

For every kind in play (a kind is in play when one of its driver drugs is given in some
arm; see :mod:`tregsim.safety.catalogue`) and every patient, each study day ``d`` has one
uniform draw ``u_d`` (stream ``adverse_events``, keyed by seed, replicate, patient and the
kind's position, so the draws never depend on chunking or workers):

- ``u_d < b_d``: a background event on day ``d`` (``b_d`` the background probability on
  that day: per injection day, or per study day);
- ``b_d <= u_d < b_d + (1 - b_d) p_d``: a drug event on day ``d + onset``, where ``p_d``
  is the driver's Hill link of the day's exposure (simulated plasma AUC, or the injected
  dose). A placebo patient has ``p_d = 0``: background events only.

A second uniform per day draws the grade. Events are reported at the first post-baseline
visit on or after their start day; an event whose visit is missed (dropout) or that starts
after the last visit is never reported. A double-blind placebo arm is injected on the days
of the active arms (union of their dosing days), so injection-day backgrounds apply to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tregsim.rng import PatientStreams
from tregsim.safety.catalogue import AEKind, catalogue

__all__ = ["SafetyResult", "simulate_adverse_events", "LOG_COLUMN"]

#: patients.parquet column with the events reported at each visit ("kind@day:grade:cause;...").
LOG_COLUMN = "ae_log"
#: Stream id base of the adverse-event draws (tregsim.rng; kind k uses BASE + k).
STREAM_BASE = 1800


@dataclass(frozen=True)
class SafetyResult:
    """The adverse events of one replicate.

    ``events``: one row per reported event (``row`` = patient row, ``kind``, ``day``,
    ``grade``, ``cause`` = background | drug (simulated truth), ``visit`` = index of the
    reporting visit); ``counts[name]``: ``(n, m)`` events reported at each visit for
    ``ae_any`` and every declared kind (NaN at missed visits and for failed simulations);
    ``log``: ``(n, m)`` text of the events reported at each visit.
    """

    events: pd.DataFrame
    counts: dict[str, np.ndarray]
    log: np.ndarray
    in_play: tuple[str, ...]


def _regimen(scenario, arm: str):
    for item in scenario.arms:
        if item.name == arm:
            return scenario.regimens[item.regimen]
    raise KeyError(arm)


def _convert_dose(dose: float, unit: str, target: str, weight_kg: float) -> float:
    if unit == target:
        return dose
    per_kg = {"mg": 1000.0, "ug": 1.0}
    if target == "ug/kg" and unit in per_kg:
        return dose * per_kg[unit] / weight_kg
    raise ValueError(f"cannot convert a {unit} dose to {target} for an adverse-event driver")


def _exposures(scenario, cohort, arms: np.ndarray, kinds: dict[str, AEKind]):
    """``{(drug, state, volume): {row: (days, auc)}}`` for every daily-AUC driver in play."""
    from tregsim.model.dosing import cohort_dose_events
    from tregsim.safety.exposure import daily_exposure
    from tregsim.solve.events import EventTable

    covariates = cohort.covariates
    weight = covariates["weight_kg"].to_numpy(dtype=float)
    bsa = covariates["bsa_m2"].to_numpy(dtype=float)
    keys = {
        (drug, d.state, d.volume_parameter)
        for kind in kinds.values()
        for drug, d in kind.drivers.items()
        if d.exposure == "daily_auc"
    }
    out = {}
    for drug, state, volume in keys:
        rows = [i for i, arm in enumerate(arms) if _regimen(scenario, arm).drug == drug]
        if not rows:
            continue
        rows = np.asarray(rows)
        tables = []
        for arm in np.unique(arms[rows]):
            local = np.flatnonzero(arms[rows] == arm)
            members = rows[local]
            tables.append(
                cohort_dose_events(_regimen(scenario, arm), local, weight[members], bsa[members])
            )
        events = EventTable.concat([t for t in tables if len(t)])
        params = np.asarray(cohort.params, dtype=float)[rows]
        y0 = np.asarray(cohort.y0, dtype=float)[rows]
        days, aucs = daily_exposure(params, y0, events, state, volume)
        out[(drug, state, volume)] = {int(r): (days[k], aucs[k]) for k, r in enumerate(rows)}
    return out


def _injection_days(scenario, arm: str, active_days: np.ndarray) -> np.ndarray:
    regimen = _regimen(scenario, arm)
    if regimen.drug == "placebo":
        return active_days
    return np.unique(np.floor([a.day for a in regimen.administrations()]))


def simulate_adverse_events(
    scenario,
    cohort,
    arms: np.ndarray,
    visit_days: np.ndarray,
    missed: np.ndarray,
    status: np.ndarray,
    seed: int,
    replicate: int,
    patients: np.ndarray,
) -> SafetyResult:
    """Draw and report the adverse events of one replicate (see the module docstring).

    ``arms`` ``(n,)`` arm names, ``visit_days`` ``(n, m)`` study days of the visits (first
    = baseline), ``missed`` ``(n, m)`` visits not attended (dropout), ``status`` ``(n,)``
    solver status (non-zero: no safety data), ``patients`` ``(n,)`` the ids keying the
    random streams.
    """
    declared = catalogue()
    arms = np.asarray([str(a) for a in arms])
    drugs = {_regimen(scenario, a.name).drug for a in scenario.arms}
    in_play = {k: v for k, v in declared.items() if drugs & set(v.drivers)}
    n, m = visit_days.shape
    horizon = int(np.ceil(float(scenario.follow_up_weeks) * 7.0)) + 1
    active_days = np.unique(
        np.concatenate(
            [np.empty(0)]
            + [
                np.floor([x.day for x in _regimen(scenario, a.name).administrations()])
                for a in scenario.arms
                if _regimen(scenario, a.name).drug != "placebo"
            ]
        )
    )
    exposures = _exposures(scenario, cohort, arms, in_play) if in_play else {}
    weight = cohort.covariates["weight_kg"].to_numpy(dtype=float)
    rows_out, kinds_out, days_out, grades_out, causes_out = [], [], [], [], []
    failed = np.asarray(status) != 0
    for position, (name, kind) in enumerate(declared.items()):
        if name not in in_play:
            continue
        streams = PatientStreams(seed, replicate, STREAM_BASE + position)
        grade_cdf = np.cumsum(kind.grade_probabilities)
        for row in range(n):
            if failed[row]:
                continue
            regimen = _regimen(scenario, arms[row])
            background = np.zeros(horizon)
            if kind.background_per == "day":
                background[:] = kind.background.value
            else:
                days = _injection_days(scenario, arms[row], active_days).astype(int)
                background[days[days < horizon]] = kind.background.value
            drug_p = np.zeros(horizon)
            driver = kind.drivers.get(regimen.drug)
            if driver is not None and driver.exposure == "daily_auc":
                key = (regimen.drug, driver.state, driver.volume_parameter)
                days, auc = exposures[key][row]
                keep = days < horizon
                drug_p[days[keep].astype(int)] = driver.probability(auc[keep])
            elif driver is not None:
                doses: dict[int, float] = {}
                for a in regimen.administrations():
                    x = _convert_dose(a.dose, a.unit, driver.dose_unit, weight[row])
                    doses[int(np.floor(a.day))] = doses.get(int(np.floor(a.day)), 0.0) + x
                for day, x in doses.items():
                    if day < horizon:
                        drug_p[day] = driver.probability(np.array([x]))[0]
            rng = streams.for_patient(int(patients[row]))
            u = rng.random(horizon)
            u_grade = rng.random(horizon)
            is_background = u < background
            is_drug = ~is_background & (u < background + (1.0 - background) * drug_p)
            onset = 0 if driver is None else int(round(driver.onset_days))
            for day in np.flatnonzero(is_background | is_drug):
                grade = kind.grades[int(np.searchsorted(grade_cdf, u_grade[day], side="right"))]
                start = int(day) + (onset if is_drug[day] else 0)
                rows_out.append(row)
                kinds_out.append(name)
                days_out.append(start)
                grades_out.append(grade)
                causes_out.append("drug" if is_drug[day] else "background")
    drawn = pd.DataFrame(
        {
            "row": np.asarray(rows_out, dtype=np.int64),
            "kind": np.asarray(kinds_out, dtype=object),
            "day": np.asarray(days_out, dtype=np.int64),
            "grade": np.asarray(grades_out, dtype=np.int64),
            "cause": np.asarray(causes_out, dtype=object),
        }
    )
    return _report(drawn, declared, tuple(in_play), visit_days, missed, failed)


def _report(drawn, declared, in_play, visit_days, missed, failed) -> SafetyResult:
    """Attach each event to its reporting visit; drop the unreported; per-visit counts."""
    n, m = visit_days.shape
    visit = np.full(len(drawn), -1, dtype=np.int64)
    for k, (row, day) in enumerate(zip(drawn["row"], drawn["day"], strict=True)):
        later = np.flatnonzero(visit_days[row, 1:] >= day)
        if later.size and not missed[row, later[0] + 1]:
            visit[k] = later[0] + 1
    events = drawn.assign(visit=visit)
    events = events[events["visit"] >= 0].sort_values(["row", "day", "kind"], kind="stable")
    events = events.reset_index(drop=True)
    counts = {}
    blank = np.where(missed | failed[:, None], np.nan, 0.0)
    for name in ("any", *declared):
        grid = blank.copy()
        chosen = events if name == "any" else events[events["kind"] == name]
        np.add.at(grid, (chosen["row"].to_numpy(), chosen["visit"].to_numpy()), 1.0)
        counts[f"ae_{name}"] = grid
    log = np.full((n, m), "", dtype=object)
    for row, day, kind, grade, cause, v in events[
        ["row", "day", "kind", "grade", "cause", "visit"]
    ].itertuples(index=False):
        entry = f"{kind}@{day}:{grade}:{cause}"
        log[row, v] = entry if not log[row, v] else f"{log[row, v]};{entry}"
    return SafetyResult(events=events, counts=counts, log=log, in_play=in_play)
