"""From a scenario regimen to model dose events, read from the drug registry.

Everything drug-specific (units and their conversion, per-kg / per-m2 scaling, the state
each route doses, the absorption lag) is declared once in :mod:`tregsim.drugs`; this
module only applies it. Units: IL-2 doses in MIU, MIU/m2 or IU/kg become nmol (1 MIU =
61.1 ug = 3.99 nmol: Proleukin label), rezpegaldesleukin ug/kg become nmol of IL-2
protein (15.3 kDa, assumed), baricitinib doses stay in mg. Subcutaneous IL-2 enters the
depot after a 27-minute lag (Piscitelli, docs/sources.md#il2-pharmacology).
"""

from __future__ import annotations

import numpy as np

from tregsim.solve.events import ADD, EventTable

from ..drugs import DRUGS, IL2_SC_LAG_DAYS, NMOL_PER_MIU
from ..drugs import dose_amount as _registry_amount
from . import MODEL

#: SC absorption lag of aldesleukin (days); kept for callers of the previous API.
SC_LAG_DAYS = IL2_SC_LAG_DAYS

__all__ = [
    "NMOL_PER_MIU",
    "SC_LAG_DAYS",
    "administrations",
    "cohort_dose_events",
    "dose_amount",
    "dose_events",
    "regimen_events",
]

_IL2_UNITS = DRUGS["il2"].unit_names


def dose_amount(
    dose: float, unit: str, weight_kg: float, bsa_m2: float, drug: str | None = None
) -> float:
    """Convert one dose to model units (nmol of IL-2 / PEG-IL-2, or mg of baricitinib).

    ``drug`` selects the registry entry; when omitted it is inferred from the unit (IL-2
    units, ``ug/kg`` for rezpegaldesleukin, ``mg`` for baricitinib).
    """
    if drug is None:
        drug = next((d.name for d in DRUGS.values() if unit in d.unit_names), None)
        if drug is None:
            known = sorted({u for d in DRUGS.values() for u in d.unit_names})
            raise ValueError(f"unknown dose unit {unit!r}; use {', '.join(known)}")
    return _registry_amount(drug, dose, unit, weight_kg, bsa_m2)


def administrations(regimen) -> list[tuple[float, float, str]]:
    """(day, dose, unit) for every administration of a regimen, sorted by day."""
    if DRUGS[regimen.drug].is_placebo:
        return []
    return sorted(regimen.administrations())


def _target(regimen) -> tuple[int, float]:
    drug = DRUGS[regimen.drug]
    return MODEL.state_index[drug.compartment(regimen.route)], drug.lag_days(regimen.route)


def regimen_events(
    regimen, weight_kg: float, bsa_m2: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(times in days, state index, amount) of the dose events of one patient."""
    admins = administrations(regimen)
    if not admins:
        return np.empty(0), np.empty(0, dtype=np.int64), np.empty(0)
    state, lag = _target(regimen)
    times = np.array([day + lag for day, _, _ in admins])
    amounts = np.array(
        [dose_amount(dose, unit, weight_kg, bsa_m2, regimen.drug) for _, dose, unit in admins]
    )
    return times, np.full(len(times), state, dtype=np.int64), amounts


def dose_events(regimen, patient_index: int, body_weight_kg: float, bsa_m2: float, params_row=None):
    """The regimen of one patient as an :class:`~tregsim.solve.events.EventTable` (kind 0: add)."""
    times, states, amounts = regimen_events(regimen, body_weight_kg, bsa_m2)
    n = len(times)
    return EventTable(
        time=times,
        patient=np.full(n, patient_index, dtype=np.int64),
        state=states,
        kind=np.full(n, ADD, dtype=np.int8),
        value=amounts,
    )


def cohort_dose_events(regimen, patients, weights_kg, bsas_m2):
    """Dose events of many patients on the same regimen (vectorised :func:`dose_events`).

    ``patients`` are the batch row indices; weights and body surface areas are per patient.
    """
    patients = np.asarray(patients, dtype=np.int64)
    admins = administrations(regimen)
    if not admins or not len(patients):
        return EventTable.empty()
    drug = DRUGS[regimen.drug]
    state, lag = _target(regimen)
    times = np.array([day + lag for day, _, _ in admins])
    scale = {
        "kg": np.asarray(weights_kg, dtype=float),
        "m2": np.asarray(bsas_m2, dtype=float),
        "": np.ones(len(patients)),
    }
    amounts = np.stack(
        [dose * drug.unit(unit).factor * scale[drug.unit(unit).per] for _, dose, unit in admins],
        axis=1,
    )
    n, k = amounts.shape
    return EventTable(
        time=np.tile(times, n),
        patient=np.repeat(patients, k),
        state=np.full(n * k, state, dtype=np.int64),
        kind=np.full(n * k, ADD, dtype=np.int8),
        value=amounts.ravel(),
    )
