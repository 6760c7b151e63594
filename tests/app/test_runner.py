"""Background runs: cancel stops between chunks; designs share the virtual patients; the
exported command reproduces the app's numbers."""

from __future__ import annotations

import json
import shlex

import pandas as pd
import pytest

from tregsim.app.exports import run_command
from tregsim.app.runner import TrialJob, chunk_size_for
from tregsim.scenarios import load_scenario

TINY = ["population.n=2"]


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TREGSIM_HOME", str(tmp_path / "home"))


class _CancelAfterFirstChunk(TrialJob):
    def _set(self, done=None, phase=None):
        super()._set(done, phase)
        if done == 1:
            self.cancel()


def test_cancel_stops_the_run_after_the_chunk_in_progress():
    scenario = load_scenario("pilot-2014", TINY)
    job = _CancelAfterFirstChunk([("pilot", scenario)], replicates=4, seed=1, figures=())
    assert chunk_size_for(4) == 1
    outcome = job.execute()
    assert outcome.status == "cancelled"
    assert outcome.results == ()
    done, total, _, _ = job.snapshot()
    assert (done, total) == (1, 4)
    assert "Cancelled after 1 of 4" in outcome.message


def test_designs_of_a_comparison_see_the_same_virtual_patients():
    low = load_scenario("pilot-2014", TINY)
    high = low.with_overrides(["regimens.il2_pilot.courses.0.dose=4.5"])
    outcome = TrialJob([("low", low), ("high", high)], replicates=2, seed=5, figures=()).execute()
    assert outcome.status == "done", outcome.message
    first, second = (r.patients for r in outcome.results)
    keys = ["replicate", "subject", "arm", "day"]
    who = ["age", "sex", "weight_kg", "salt_screening"]
    at_baseline = [
        frame[frame["day"] == 0]
        .sort_values(keys)[keys + who + ["salt_true"]]
        .reset_index(drop=True)
        for frame in (first, second)
    ]
    pd.testing.assert_frame_equal(*at_baseline)  # same patients, same randomization
    assert not first["treg_pct_cd4"].equals(second["treg_pct_cd4"])  # the dose differs


def test_the_exported_command_reproduces_the_app_run(tregsim_cli, tmp_path):
    overrides = [*TINY, "regimens.il2_pilot.courses.0.dose=2"]
    scenario = load_scenario("pilot-2014", overrides)
    outcome = TrialJob([("pilot", scenario)], replicates=2, seed=3, figures=("salt",)).execute()
    assert outcome.status == "done", outcome.message
    assert outcome.results[0].figures["salt"].startswith(b"\x89PNG")
    command = run_command("pilot-2014", overrides, 2, 3, out=str(tmp_path / "cli"))
    cli = tregsim_cli(*shlex.split(command)[1:], "--quiet", timeout=300)
    assert cli.returncode == 0, cli.stderr
    summary = json.loads((tmp_path / "cli" / "summary.json").read_text())
    assert summary["arms"] == outcome.results[0].summary["arms"]
