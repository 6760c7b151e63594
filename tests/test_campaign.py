"""Campaigns: the summary does not depend on chunking, workers or interruptions.

All runs use `synthetic_replicate` (no model), a handful of replicates and tiny cohorts.
"""

from __future__ import annotations

import functools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tregsim.campaign import (
    CampaignInterrupted,
    assemble_summary,
    plan_chunks,
    run_campaign,
    synthetic_replicate,
)
from tregsim.campaign.chunks import chunk_paths
from tregsim.errors import TregsimInputError
from tregsim.protocol import Scenario
from tregsim.store import RunStore

TOY = {
    "name": "toy",
    "population": {"n": 12},
    "arms": [
        {"name": "il2", "allocation": 1, "regimen": "il2"},
        {"name": "placebo", "allocation": 1, "regimen": "placebo"},
    ],
    "regimens": {
        "il2": {"drug": "il2", "courses": [{"start_day": 0, "days": 5, "dose": 1, "unit": "MIU"}]},
        "placebo": {"drug": "placebo"},
    },
    "visits_weeks": [0, 12, 52],
    "follow_up_weeks": 52,
    "endpoints": [
        {"name": "salt50_w52", "kind": "salt_reduction", "percent": 50, "week": 52},
        {"name": "dsalt_w52", "kind": "salt_change", "week": 52},
    ],
    "analysis": {"primary": "salt50_w52", "control_arm": "placebo", "alpha": 0.05},
}
SCENARIO = Scenario.from_dict(TOY)
REPLICATES = 10
SEED = 11
SRC = str(Path(__file__).resolve().parents[1] / "src")


def _run(tmp_path, name, **kwargs):
    kwargs.setdefault("replicate_fn", synthetic_replicate)
    kwargs.setdefault("progress", False)
    return run_campaign(
        SCENARIO,
        REPLICATES,
        SEED,
        run_dir=tmp_path / name,
        catalogue=RunStore(tmp_path / "runs.duckdb"),
        **kwargs,
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted in-process run, one replicate per chunk."""
    return _run(tmp_path_factory.mktemp("reference"), "ref", chunk_size=1)


class CountingReplicate:
    """synthetic_replicate that records the replicates it computed, and can raise
    KeyboardInterrupt (a simulated Ctrl-C) on its `interrupt_at`-th call."""

    def __init__(self, interrupt_at: int | None = None):
        self.calls: list[int] = []
        self.interrupt_at = interrupt_at

    def __call__(self, scenario, seed, replicate):
        if self.interrupt_at is not None and len(self.calls) == self.interrupt_at:
            raise KeyboardInterrupt
        self.calls.append(replicate)
        return synthetic_replicate(scenario, seed, replicate)


@pytest.mark.parametrize("chunk_size", [3, 10])
def test_chunk_size_does_not_change_the_summary(tmp_path, reference, chunk_size):
    result = _run(tmp_path, "run", chunk_size=chunk_size)
    assert result.summary_json() == reference.summary_json()
    assert len(result.chunk_files) == len(plan_chunks(REPLICATES, chunk_size))


def test_local_cluster_gives_the_same_summary(tmp_path, reference):
    result = _run(tmp_path, "run", workers=2, chunk_size=3)
    assert result.summary_json() == reference.summary_json()
    assert result.patients.equals(reference.patients)


def _wait_for(path: Path, timeout_s: float, procs) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear in {timeout_s} s")
        time.sleep(0.1)


def test_external_scheduler_gives_the_same_summary(tmp_path, reference):
    from dask.distributed import Client

    scheduler_file = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
    common = ["--scheduler-file", str(scheduler_file)]
    procs = []
    try:
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1"]
                + ["--port", "0", "--no-dashboard", *common],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        _wait_for(scheduler_file, 30, procs)
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "distributed.cli.dask_worker", "--nworkers", "1"]
                    + ["--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard", *common],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        address = json.loads(scheduler_file.read_text())["address"]
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=30)
        result = _run(tmp_path, "run", scheduler=address, chunk_size=4)
        assert result.summary_json() == reference.summary_json()
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_interrupted_run_resumes_to_the_same_summary(tmp_path, reference):
    store = RunStore(tmp_path / "runs.duckdb")
    first = CountingReplicate(interrupt_at=7)  # Ctrl-C inside chunk 2 (replicates 6..8)
    with pytest.raises(CampaignInterrupted) as info:
        _run(tmp_path, "run", chunk_size=3, replicate_fn=first, command="tregsim run toy --out x")
    run_id = info.value.run_id
    assert f"tregsim run toy --out x --resume {run_id}" in str(info.value)
    assert info.value.chunks_done == 2
    row = store.get_run(run_id)
    assert (row["status"], row["n_chunks_done"]) == ("interrupted", 2)
    assert chunk_paths(tmp_path / "run", 1)[1].exists()
    assert not chunk_paths(tmp_path / "run", 2)[1].exists()  # the half-done chunk is dropped

    second = CountingReplicate()
    result = run_campaign(
        SCENARIO,
        REPLICATES,
        SEED,
        resume_run_id=run_id,
        catalogue=store,
        replicate_fn=second,
        progress=False,
    )
    assert second.calls == list(range(6, REPLICATES))  # chunks 0 and 1 were not recomputed
    assert (result.chunks_loaded, result.chunks_computed) == (2, 2)
    assert result.summary_json() == reference.summary_json()
    assert store.get_run(run_id)["status"] == "done"
    assert json.loads((tmp_path / "run" / "summary.json").read_text()) == reference.summary
    leftovers = [p for p in (tmp_path / "run" / "chunks").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_ctrl_c_on_a_local_cluster_keeps_finished_chunks(tmp_path, reference, ctrl_c_raises):
    """A real SIGINT while the driver waits on Dask futures."""
    # 10 chunks of 1 s on 2 workers: at least 4 s of work remain when the first finishes,
    # whichever chunk that is (completion order is up to Dask).
    slow = functools.partial(synthetic_replicate, cost_s=1.0)
    run_dir = tmp_path / "run"

    def interrupt_after_first_chunk():
        deadline = time.monotonic() + 120
        chunks = run_dir / "chunks"
        while time.monotonic() < deadline and not (
            chunks.is_dir() and any(chunks.glob("chunk-*.json"))
        ):
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    killer = threading.Thread(target=interrupt_after_first_chunk, daemon=True)
    killer.start()
    with pytest.raises(CampaignInterrupted) as info:
        _run(tmp_path, "run", workers=2, chunk_size=1, replicate_fn=slow)
    killer.join()
    # chunks_done counts results the driver had collected; under load the SIGINT can come
    # before it collected chunk 0, whose files are on disk all the same (resume loads them).
    assert 0 <= info.value.chunks_done < REPLICATES
    counting = CountingReplicate()
    result = _run(tmp_path, "run", resume_run_id=info.value.run_id, replicate_fn=counting)
    assert result.chunks_loaded >= max(1, info.value.chunks_done)
    assert len(counting.calls) == REPLICATES - result.chunks_loaded
    assert result.summary_json() == reference.summary_json()


def test_resume_refuses_another_scenario_or_seed(tmp_path):
    first = CountingReplicate(interrupt_at=2)
    with pytest.raises(CampaignInterrupted) as info:
        _run(tmp_path, "run", chunk_size=2, replicate_fn=first)
    run_id = info.value.run_id
    other = SCENARIO.with_overrides(["population.n=13"])
    catalogue = RunStore(tmp_path / "runs.duckdb")
    same = {"catalogue": catalogue, "replicate_fn": synthetic_replicate, "resume_run_id": run_id}
    with pytest.raises(TregsimInputError, match="scenario differs"):
        run_campaign(other, REPLICATES, SEED, **same)
    with pytest.raises(TregsimInputError, match="seed 12 differs"):
        run_campaign(SCENARIO, REPLICATES, 12, **same)
    with pytest.raises(TregsimInputError, match="replicates 11 differs"):
        run_campaign(SCENARIO, 11, SEED, **same)
    assert catalogue.get_run(run_id)["status"] == "interrupted"
    with pytest.raises(KeyError, match="no run 'nope'"):
        run_campaign(
            SCENARIO,
            REPLICATES,
            SEED,
            resume_run_id="nope",
            catalogue=RunStore(tmp_path / "c"),
            replicate_fn=synthetic_replicate,
        )


def test_failure_marks_the_run_failed(tmp_path):
    def broken(scenario, seed, replicate):
        if replicate == 4:
            raise RuntimeError("boom")
        return synthetic_replicate(scenario, seed, replicate)

    with pytest.raises(RuntimeError, match="boom"):
        _run(tmp_path, "run", chunk_size=2, replicate_fn=broken)
    runs = RunStore(tmp_path / "runs.duckdb").list_runs()
    assert list(runs["status"]) == ["failed"]
    assert list(runs["n_chunks_done"]) == [2]


def test_new_run_refuses_a_used_run_dir(tmp_path):
    _run(tmp_path, "run", chunk_size=5)
    with pytest.raises(ValueError, match="already holds run"):
        _run(tmp_path, "run", chunk_size=5)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"workers": 0}, "workers"),
        ({"workers": 2, "scheduler": "tcp://127.0.0.1:1"}, "either workers"),
        ({"scheduler": "localhost"}, "scheduler"),
        ({"chunk_size": 0}, "chunk_size"),
    ],
)
def test_bad_arguments_fail_before_any_work(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        _run(tmp_path, "run", **kwargs)
    assert not (tmp_path / "run").exists()
    assert not (tmp_path / "runs.duckdb").exists()


def test_outputs_written_to_out_dir(tmp_path, reference):
    from tregsim.api import write_outputs

    result = _run(
        tmp_path, "run", chunk_size=4, out_dir=tmp_path / "out", write_outputs=write_outputs
    )
    text = (tmp_path / "out" / "summary.json").read_text()
    assert text == reference.summary_json() + "\n"
    import pandas as pd

    patients = pd.read_parquet(tmp_path / "out" / "patients.parquet")
    assert patients.equals(result.patients)
    assert sorted(patients["replicate"].unique()) == list(range(REPLICATES))


def test_assemble_summary_is_order_independent_and_complete(reference):
    records = list(reference.records)
    random.Random(0).shuffle(records)
    summary = assemble_summary(SCENARIO, SEED, REPLICATES, records)
    assert json.dumps(summary, indent=2, allow_nan=False) == reference.summary_json()
    arm = summary["arms"]["il2"]["endpoints"]["salt50_w52"]
    assert len(arm["replicates"]) == REPLICATES
    assert arm["lo"] <= arm["median"] <= arm["hi"]
    comparison = summary["comparisons"]["salt50_w52"]
    assert comparison["power"] == sum(p < 0.05 for p in comparison["p_values"]) / REPLICATES
    assert list(summary["arms"]) == ["il2", "placebo"]
    with pytest.raises(ValueError, match="1 missing"):
        assemble_summary(SCENARIO, SEED, REPLICATES, records[1:])


def test_assemble_summary_keeps_json_strict_with_nan():
    records = [
        {
            "replicate": r,
            "endpoints": {"a": {"t": float("nan") if r == 0 else float(r)}},
            "comparisons": {"t": {"test": "logrank", "estimate": 1.0, "p_value": float("nan")}},
            "n_per_arm": {"a": 1},
            "n_screened": 1,
            "n_failed": 0,
        }
        for r in range(3)
    ]
    one_arm = {
        **TOY,
        "name": "x",
        "arms": [{"name": "a", "allocation": 1, "regimen": "il2"}],
        "endpoints": [{"name": "t", "kind": "salt_change", "week": 52}],
        "analysis": {"primary": "t"},
    }
    summary = assemble_summary(Scenario.from_dict(one_arm), 1, 3, records)
    endpoint = summary["arms"]["a"]["endpoints"]["t"]
    assert endpoint["replicates"] == [None, 1.0, 2.0]
    assert (endpoint["mean"], endpoint["n_missing"]) == (1.5, 1)
    assert summary["comparisons"]["t"]["power"] == 0.0
    json.dumps(summary, allow_nan=False)


def test_records_accept_the_trial_layout():
    """tregsim.trial gives endpoints[endpoint][arm] and StatResult-like comparisons keyed
    '<endpoint>:<arm>_vs_<control>'."""
    from types import SimpleNamespace

    from tregsim.analysis import StatResult
    from tregsim.campaign.summary import replicate_record

    def result(r):
        stat = StatResult("fisher", 0.1 * (r + 1), -1, 1, 0.01)
        return SimpleNamespace(
            n_per_arm={},
            endpoints={"salt50_w52": {"il2": 0.5, "placebo": 0.1 * r}},
            comparisons={"salt50_w52:il2_vs_placebo": stat},
            n_screened=30,
            n_failed=1,
            n_enrolled=20,
            notes=(f"note {r}",),
        )

    records = [replicate_record(r, result(r), ["il2", "placebo"]) for r in range(3)]
    assert records[2]["endpoints"] == {"il2": {"salt50_w52": 0.5}, "placebo": {"salt50_w52": 0.2}}
    summary = assemble_summary(SCENARIO, 1, 3, records)
    assert summary["arms"]["placebo"]["endpoints"]["salt50_w52"]["replicates"] == [0.0, 0.1, 0.2]
    comparison = summary["comparisons"]["salt50_w52:il2_vs_placebo"]
    assert (comparison["endpoint"], comparison["arm"], comparison["control"]) == (
        "salt50_w52",
        "il2",
        "placebo",
    )
    assert comparison["primary"] and comparison["power"] == 1.0
    assert summary["n_enrolled"] == [20, 20, 20]
    assert summary["notes"] == ["note 0", "note 1", "note 2"]


def test_real_model_same_summary_for_one_and_two_workers_and_cli(tmp_path, monkeypatch):
    """phrc-2016 with 12 patients, 3 replicates: tregsim.run_trial with 1 and 2 workers and
    `tregsim run` write the same summary.json (bit-identical text)."""
    from tregsim import load_scenario, run_trial

    monkeypatch.setenv("TREGSIM_HOME", str(tmp_path / "home"))
    scenario = load_scenario("phrc-2016", ["population.n=12"])
    one = run_trial(scenario, replicates=3, seed=5, workers=1, progress=False)
    two = run_trial(scenario, replicates=3, seed=5, workers=2, progress=False)
    assert json.dumps(one.summary) == json.dumps(two.summary)
    assert one.patients.equals(two.patients)
    summary = one.summary
    assert summary["model_version"] and set(summary["calibration"]) >= {
        "status", "ensemble_size", "version", "seed"
    }  # fmt: skip
    assert summary["scenario_config"]["population"]["n"] == 12
    primary = summary["comparisons"]["salt50_w52"]
    assert primary["power"] <= primary["rejection_rate"] and len(primary["ci"]) == 3

    out = tmp_path / "cli"
    env = {**os.environ, "TREGSIM_HOME": str(tmp_path / "home"), "PYTHONPATH": SRC}
    subprocess.run(
        [sys.executable, "-m", "tregsim.cli", "run", "phrc-2016", "--out", str(out),
         "--replicates", "3", "--seed", "5", "--set", "population.n=12", "--quiet"],
        check=True, env=env, timeout=300,
    )  # fmt: skip
    assert (out / "summary.json").read_text() == json.dumps(one.summary, indent=2) + "\n"
    assert {p.name for p in out.iterdir()} == {
        "summary.json", "patients.parquet", "adsl.csv", "adeff.csv", "adae.csv", "report.html",
    }  # fmt: skip
