"""The shipped calibrated ensemble: loaded, and a missing file is an error, not a fallback."""

from __future__ import annotations

import pytest

from tregsim.population import ensemble


def test_missing_ensemble_is_an_error(monkeypatch):
    monkeypatch.setattr(ensemble, "ENSEMBLE_FILE", "no_such_ensemble.json")
    ensemble.load_ensemble.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="make calibrate"):
            ensemble.load_ensemble()
    finally:
        monkeypatch.undo()
        ensemble.load_ensemble.cache_clear()
    assert ensemble.load_ensemble()["members"]


def test_members_are_drawn_per_replicate():
    assert ensemble.member_for_replicate(1, 0) == ensemble.member_for_replicate(1, 0)
    assert set(ensemble.ensemble_centre()) == set(ensemble.population_part(ensemble.members()[0]))
