"""The posterior loader: weighted member draws, forced members, the typical values."""

import numpy as np

from tregsim.calibration import ensemble as calibration_ensemble
from tregsim.population import ensemble


def test_member_draw_is_deterministic_and_follows_the_weights(monkeypatch):
    doc = {"members": [{"activity_sd": 0.1}, {"activity_sd": 0.5}], "weights": [0.9, 0.1]}
    monkeypatch.setattr(ensemble, "load_ensemble", lambda: doc)
    draws = [ensemble.member_for_replicate(7, r)["activity_sd"] for r in range(400)]
    assert draws == [ensemble.member_for_replicate(7, r)["activity_sd"] for r in range(400)]
    assert 0.85 < np.mean(np.array(draws) == 0.1) < 0.95
    assert ensemble.effective_sample_size() == 1 / (0.81 + 0.01)


def test_observation_parameters_stay_out_of_the_population(monkeypatch):
    doc = {"members": [{"activity_sd": 0.2, "rater_optimism_ror": 0.6}], "weights": [1.0]}
    monkeypatch.setattr(ensemble, "load_ensemble", lambda: doc)
    assert ensemble.member_for_replicate(1, 0) == {"activity_sd": 0.2}
    assert ensemble.ensemble_centre() == {"activity_sd": 0.2}


def test_forced_member_overrides_the_draw_inside_the_block_only():
    before = ensemble.member_for_replicate(3, 0)
    with calibration_ensemble.forced_member({"activity_sd": 0.42, "rater_optimism_ror": 0.7}):
        assert ensemble.member_for_replicate(3, 0) == {"activity_sd": 0.42}
        assert ensemble.ensemble_centre() == {"activity_sd": 0.42}
    assert ensemble.member_for_replicate(3, 0) == before
