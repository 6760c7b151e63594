"""The typical patient of an arm, solved (:func:`typical_trajectory`, ``tregsim trajectory``)
and exported as SBML (:func:`export_sbml`, ``tregsim export-sbml``).

Kept out of ``tregsim.population``'s namespace: the SBML writer needs sympy and libsbml,
which a trial run does not import.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tregsim.drugs import DRUGS
from tregsim.model import MODEL
from tregsim.model.sbml import export_sbml_string, validate
from tregsim.model.trajectory import ATOL, RTOL, derived_quantities
from tregsim.population.typical import typical_patient
from tregsim.scenarios import load_scenario
from tregsim.solve import STATUS_MESSAGES, solve_batch

__all__ = ["export_sbml", "typical_patient_sbml", "typical_trajectory"]


def _scenario(scenario: Any) -> Any:
    if isinstance(scenario, str):
        return load_scenario(scenario, [])
    return scenario


def typical_trajectory(scenario: Any, arm: str, times: Sequence[float]) -> pd.DataFrame:
    """Solve the typical patient of ``arm`` from day 0 and tabulate it at ``times`` (days).

    Args:
        scenario: a loaded :class:`tregsim.protocol.Scenario` (or a built-in name / path).
        arm: arm name; its typical patient is :func:`tregsim.population.typical_patient`.
        times: nondecreasing output times in days, all ``>= 0``.

    Returns:
        DataFrame with ``time``, every state (SBML species ids) and the derived read-outs
        (see the module docstring); one row per output time, default index.

    Raises:
        ValueError: bad ``times``; RuntimeError: the solver failed (message from
        ``tregsim.solve.STATUS_MESSAGES``).
    """
    save = np.asarray(times, dtype=float).reshape(-1)
    if save.size == 0:
        raise ValueError("times is empty; give at least one output time in days, e.g. [0, 1, 2]")
    if not np.all(np.isfinite(save)) or save[0] < 0.0 or np.any(np.diff(save) < 0.0):
        raise ValueError(
            "times must be finite, nondecreasing and >= 0 (days since the first dose); "
            f"got {save[:5]}..."
        )
    patient = typical_patient(_scenario(scenario), arm)
    params = np.asarray(patient.params, dtype=float).reshape(1, -1)
    y0 = np.asarray(patient.y0, dtype=float).reshape(1, -1)
    solution = solve_batch(params, y0, patient.events, save, rtol=RTOL, atol=ATOL, t0=0.0)
    status = int(solution.status[0])
    if status != 0:
        raise RuntimeError(
            f"the typical patient of arm {arm!r} could not be solved: "
            f"{STATUS_MESSAGES.get(status, status)}"
        )
    states = np.asarray(solution.values[0], dtype=float)
    columns: dict[str, np.ndarray] = {"time": save}
    columns.update({name: states[:, i] for i, name in enumerate(MODEL.state_names)})
    for name, values in derived_quantities(states, params[0]).items():
        columns.setdefault(name, values)
    return pd.DataFrame(columns)


def typical_patient_sbml(scenario: Any, arm: str) -> str:
    """The SBML string of the typical patient of ``arm`` (as ``tregsim trajectory`` solves it)."""
    scenario = _scenario(scenario)
    patient = typical_patient(scenario, arm)
    drug = DRUGS[scenario.regimen_of(arm).drug]
    drug_note = f"Arm {arm}: {drug.label}" + (
        f", {scenario.regimen_of(arm).route} into species "
        f"{drug.compartment(scenario.regimen_of(arm).route)} (amounts in {drug.amount_unit}; "
        f"exposure read-out {drug.exposure}; receptor binding: "
        f"{drug.receptor_binding or 'none'}; sources: {'; '.join(drug.sources)})."
        if not drug.is_placebo
        else " (no doses)."
    )
    model_id = "tregsim_" + "".join(
        ch if ch.isalnum() else "_" for ch in f"{getattr(scenario, 'name', 'scenario')}_{arm}"
    )
    return export_sbml_string(
        None,
        patient.params,
        patient.y0,
        patient.events,
        model_id=model_id,
        name=f"tregsim typical patient: {getattr(scenario, 'name', '')} arm {arm}",
        notes=(drug_note,),
    )


def export_sbml(scenario: Any, arm: str, path: str | Path) -> Path:
    """Write the typical patient of ``arm`` as SBML L3V2 to ``path``; returns the path.

    Raises RuntimeError if libsbml reports consistency errors (nothing is written then).
    """
    text = typical_patient_sbml(scenario, arm)
    errors = validate(text)
    if errors:
        raise RuntimeError("the exported SBML is not valid:\n" + "\n".join(errors[:20]))
    path = Path(path)
    path.write_text(text)
    return path
