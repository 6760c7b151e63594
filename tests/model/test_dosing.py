"""Dose conversion and the vectorised cohort dose table."""

import numpy as np
import pytest

from tregsim.model import MODEL
from tregsim.model.dosing import (
    NMOL_PER_MIU,
    SC_LAG_DAYS,
    cohort_dose_events,
    dose_amount,
    dose_events,
)
from tregsim.scenarios import load_scenario
from tregsim.solve import EventTable


def test_units_convert_to_model_amounts():
    assert NMOL_PER_MIU == pytest.approx(1.1e-3 / 18 / 15300 * 1e9)  # Proleukin label, 15.3 kDa
    assert dose_amount(2.0, "MIU", 70, 1.8) == pytest.approx(2 * NMOL_PER_MIU)
    assert dose_amount(1.0, "MIU/m2", 70, 1.8) == pytest.approx(1.8 * NMOL_PER_MIU)
    assert dose_amount(600_000, "IU/kg", 70, 1.8) == pytest.approx(42 * NMOL_PER_MIU)
    assert dose_amount(4.0, "mg", 70, 1.8) == 4.0
    with pytest.raises(ValueError, match="unit"):
        dose_amount(1.0, "ug", 70, 1.8)


@pytest.mark.parametrize(("scenario", "arm"), [("pilot-2014", "il2"), ("dilt1d", None)])
def test_cohort_table_equals_per_patient_tables(scenario, arm):
    loaded = load_scenario(scenario)
    arm = arm or next(a.name for a in loaded.arms if loaded.regimen_of(a.name).drug != "placebo")
    regimen = loaded.regimen_of(arm)
    rows = np.array([0, 3, 4])
    weights, bsas = np.array([60.0, 75.0, 90.0]), np.array([1.6, 1.9, 2.1])
    cohort = cohort_dose_events(regimen, rows, weights, bsas)
    single = EventTable.concat(
        [dose_events(regimen, r, w, b) for r, w, b in zip(rows, weights, bsas, strict=True)]
    )
    for field in ("time", "patient", "state", "kind", "value"):
        np.testing.assert_array_equal(getattr(cohort, field), getattr(single, field))
    if regimen.route == "sc":
        assert cohort.time.min() == pytest.approx(SC_LAG_DAYS)
        assert set(cohort.state) == {MODEL.state_index["il2_depot"]}
