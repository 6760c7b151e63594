"""The shipped calibrated ensemble meets every target; a re-simulation reproduces it."""

import pytest

from tregsim.calibration import targets as T
from tregsim.calibration.run import CalibrationSettings, evaluate_member
from tregsim.population import PopulationSpec
from tregsim.population.ensemble import load_ensemble

ENSEMBLE = load_ensemble()  # a missing ensemble is an error (FileNotFoundError), not a skip


def test_ensemble_is_calibrated_with_at_least_100_members():
    assert ENSEMBLE["status"] == "calibrated"
    assert len(ENSEMBLE["members"]) >= 100
    assert ENSEMBLE["seed"] is not None and ENSEMBLE["version"]


def test_every_member_meets_every_target_from_stored_values():
    names = list(T.load_targets())
    assert len(ENSEMBLE["member_values"]) == len(ENSEMBLE["members"])
    for values in ENSEMBLE["member_values"]:
        for name in names:
            assert T.within(name, values[name]), (name, values[name])


def test_table_records_every_target_as_passing():
    rows = {row["target"]: row for row in ENSEMBLE["targets"]}
    assert set(rows) == set(T.load_targets())
    assert all(row["pass"] for row in rows.values())


@pytest.mark.parametrize("index", [0, -1])
def test_resimulating_cheap_targets_reproduces_stored_values(index):
    settings = CalibrationSettings(
        **{k: v for k, v in ENSEMBLE["settings"].items() if k in ("natural_history_n", "seed")}
    )
    member = ENSEMBLE["members"][index]
    stored = ENSEMBLE["member_values"][index]
    spec = PopulationSpec().with_member(member)
    fresh = T.treg_targets(spec)
    fresh.update(T.natural_history(spec, settings.natural_history_n, settings.seed))
    for name, value in fresh.items():
        assert value == pytest.approx(stored[name], rel=1e-6, abs=1e-9), name


def test_evaluate_member_is_deterministic_for_a_reduced_setting():
    settings = CalibrationSettings(natural_history_n=20, pilot_n=10, trial_n=20, seed=3)
    member = ENSEMBLE["members"][0]
    assert evaluate_member(member, settings) == evaluate_member(member, settings)
