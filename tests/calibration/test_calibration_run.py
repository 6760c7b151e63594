"""A reduced calibration end to end: candidates, staged evaluation, ensemble document."""

import json

from tregsim.calibration.run import CalibrationSettings, candidate_members, run_calibration


def test_candidates_are_deterministic_and_inside_the_box():
    settings = CalibrationSettings(n_candidates=8, seed=5)
    first, again = candidate_members(settings), candidate_members(settings)
    assert first == again
    for member in first:
        for name, (lo, hi) in settings.prior_box.items():
            assert lo <= member[name] <= hi


def test_reduced_calibration_writes_a_complete_document(tmp_path):
    settings = CalibrationSettings(
        n_candidates=2, ensemble_size=2, seed=7, natural_history_n=16, pilot_n=8, trial_n=16
    )
    result = run_calibration(tmp_path, settings=settings)
    doc = json.loads((tmp_path / "calibrated_ensemble.json").read_text())
    assert doc["seed"] == 7 and doc["n_evaluated"] == 2
    assert len(doc["members"]) + sum(doc["failed_stages"].values()) == 2
    assert doc["status"] in ("calibrated", "failed")
    assert {row["target"] for row in doc["targets"]} == {r["target"] for r in result.table()}
    assert len(doc["member_values"]) == len(doc["members"])
