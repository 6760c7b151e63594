"""Shared fixtures of the CLI tests."""

from __future__ import annotations

import pytest

from tregsim.store import RunStore


@pytest.fixture
def recorded(tmp_path, monkeypatch):
    """An interrupted `tregsim run` as the catalogue records it (no simulation needed)."""
    from tregsim import load_scenario

    home, out = tmp_path / "home", tmp_path / "out"
    monkeypatch.setenv("TREGSIM_HOME", str(home))
    store = RunStore(home / "runs.duckdb")
    record = {"source": "phrc-2016", "overrides": ["population.n=8"], "out_dir": str(out)}
    run_id = store.start_run(
        scenario=load_scenario("phrc-2016", ["population.n=8"]), seed=2016, replicates=12,
        chunk_size=3, n_chunks_total=4, run_dir=home / "runs" / "r", out_dir=out,
        resume={**record, "workers": None, "scheduler": None},
    )  # fmt: skip
    store.finish_run(run_id, status="interrupted", n_chunks_done=1)
    return store, run_id, out
