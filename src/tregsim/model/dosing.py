"""From a scenario regimen to model dose events (unit conversion, route, SC lag).

Units: IL-2 doses in MIU, MIU/m2 or IU/kg become nmol (1 MIU = 61.1 ug = 3.99 nmol:
Proleukin label, 18 MIU = 1.1 mg, MW 15.3 kDa); baricitinib doses stay in mg.
Subcutaneous IL-2 enters the depot after a 27-minute lag (Piscitelli, sources.md#il2-pharmacology),
IV IL-2 enters the central compartment, oral baricitinib the gut.
"""

from __future__ import annotations

import numpy as np

from tregsim.solve.events import ADD, EventTable

from . import MODEL

#: nmol of aldesleukin per MIU: 1.1 mg / 18 MIU / 15.3 kDa (Proleukin label;
#: docs/sources.md#il2-pharmacology).
NMOL_PER_MIU = 1.1e-3 / 18.0 / 15300.0 * 1e9
#: SC absorption lag, 27 min (Piscitelli; sources.md#il2-pharmacology), in days.
SC_LAG_DAYS = 27.0 / 1440.0

_COMPARTMENT = {
    ("il2", "sc"): "il2_depot",
    ("il2", "iv"): "il2_central",
    ("baricitinib", "oral"): "bari_gut",
}


def dose_amount(dose: float, unit: str, weight_kg: float, bsa_m2: float) -> float:
    """Convert one dose to model units (nmol of IL-2 or mg of baricitinib)."""
    if unit == "MIU":
        return dose * NMOL_PER_MIU
    if unit == "MIU/m2":
        return dose * bsa_m2 * NMOL_PER_MIU
    if unit == "IU/kg":
        return dose * weight_kg / 1e6 * NMOL_PER_MIU
    if unit == "mg":
        return dose
    raise ValueError(f"unknown dose unit {unit!r}; use MIU, MIU/m2, IU/kg or mg")


def administrations(regimen) -> list[tuple[float, float, str]]:
    """(day, dose, unit) for every administration of a regimen, sorted by day."""
    if getattr(regimen, "drug", "placebo") == "placebo":
        return []
    return sorted(regimen.administrations())


def regimen_events(
    regimen, weight_kg: float, bsa_m2: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(times in days, state index, amount) of the dose events of one patient."""
    admins = administrations(regimen)
    if not admins:
        return np.empty(0), np.empty(0, dtype=np.int64), np.empty(0)
    drug, route = regimen.drug, regimen.route
    state = MODEL.state_index[_COMPARTMENT[(drug, route)]]
    lag = SC_LAG_DAYS if route == "sc" else 0.0
    times = np.array([day + lag for day, _, _ in admins])
    amounts = np.array([dose_amount(dose, unit, weight_kg, bsa_m2) for _, dose, unit in admins])
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
    state = MODEL.state_index[_COMPARTMENT[(regimen.drug, regimen.route)]]
    lag = SC_LAG_DAYS if regimen.route == "sc" else 0.0
    times = np.array([day + lag for day, _, _ in admins])
    weights = np.asarray(weights_kg, dtype=float)
    bsas = np.asarray(bsas_m2, dtype=float)
    amounts = np.stack(
        [
            np.array([dose_amount(dose, unit, w, b) for w, b in zip(weights, bsas, strict=True)])
            if unit in ("MIU/m2", "IU/kg")
            else np.full(len(patients), dose_amount(dose, unit, 0.0, 0.0))
            for _, dose, unit in admins
        ],
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
