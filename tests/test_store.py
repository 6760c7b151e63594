"""The DuckDB run catalogue."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tregsim import store
from tregsim.errors import TregsimInputError
from tregsim.store import RunStore, default_catalogue_path, scenario_hash

SCENARIO = {"name": "toy", "seed": 3, "arms": [{"name": "a"}, {"name": "b"}]}


def _start(s: RunStore, tmp_path, **kwargs) -> str:
    fields = dict(scenario=SCENARIO, seed=3, replicates=10, chunk_size=4, run_dir=tmp_path / "r")
    fields.update(kwargs)
    return s.start_run(**fields)


def test_run_lifecycle(tmp_path):
    s = RunStore(tmp_path / "cat" / "runs.duckdb")
    assert s.list_runs().empty
    run_id = _start(s, tmp_path, command="tregsim run toy --out x")
    row = s.get_run(run_id)
    assert row["status"] == "running"
    assert (row["scenario"], row["seed"], row["replicates"], row["chunk_size"]) == ("toy", 3, 10, 4)
    assert row["scenario_hash"] == scenario_hash(SCENARIO)
    assert row["run_dir"] == str(tmp_path / "r")
    assert row["command"] == "tregsim run toy --out x"
    s.mark_chunk_done(run_id, 2)
    s.mark_chunk_done(run_id, 2)  # absolute count: repeating never double counts
    assert s.get_run(run_id)["n_chunks_done"] == 2
    s.finish_run(run_id, status="done", seconds=1.5, n_chunks_done=3, out_dir=tmp_path / "o")
    row = s.get_run(run_id)
    assert (row["status"], row["seconds"], row["n_chunks_done"]) == ("done", 1.5, 3)
    assert row["finished"] >= row["created"]
    assert row["out_dir"] == str(tmp_path / "o")


def test_list_runs_newest_first_and_module_functions(tmp_path):
    path = tmp_path / "runs.duckdb"
    first = store.start_run(
        path, scenario=SCENARIO, seed=1, replicates=1, chunk_size=1, run_dir="a"
    )
    second = store.start_run(
        path, scenario=SCENARIO, seed=2, replicates=1, chunk_size=1, run_dir="b"
    )
    store.mark_chunk_done(second, 1, path)
    store.finish_run(first, path, status="interrupted")
    runs = store.list_runs(path)
    assert list(runs["run_id"]) == [second, first]
    assert list(runs["status"]) == ["running", "interrupted"]
    assert store.get_run(second, path)["n_chunks_done"] == 1


def test_unknown_run_and_bad_status(tmp_path):
    s = RunStore(tmp_path / "runs.duckdb")
    with pytest.raises(KeyError, match="no run 'missing'"):
        s.get_run("missing")
    run_id = _start(s, tmp_path)
    with pytest.raises(ValueError, match="status"):
        s.set_status(run_id, "paused")
    with pytest.raises(ValueError, match="finish status"):
        s.finish_run(run_id, status="running")


def test_catalogue_location(tmp_path, monkeypatch):
    monkeypatch.setenv("TREGSIM_HOME", str(tmp_path / "home"))
    assert default_catalogue_path() == tmp_path / "home" / "runs.duckdb"
    assert RunStore().path == tmp_path / "home" / "runs.duckdb"
    assert default_catalogue_path(tmp_path / "x") == tmp_path / "x" / "runs.duckdb"
    monkeypatch.delenv("TREGSIM_HOME")
    assert default_catalogue_path().parts[-4:] == (".local", "share", "tregsim", "runs.duckdb")


def test_scenario_hash_is_canonical():
    reordered = {"arms": [{"name": "a"}, {"name": "b"}], "seed": 3, "name": "toy"}
    assert scenario_hash(reordered) == scenario_hash(SCENARIO)
    assert scenario_hash({**SCENARIO, "seed": 4}) != scenario_hash(SCENARIO)
    assert len(scenario_hash(SCENARIO)) == 64


def test_waits_for_another_process_holding_the_lock(tmp_path):
    path = tmp_path / "runs.duckdb"
    s = RunStore(path)
    run_id = _start(s, tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                con = duckdb.connect({str(path)!r})
                print("locked", flush=True)
                time.sleep(1.0)
                con.close()
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        s.mark_chunk_done(run_id, 5)
    finally:
        holder.wait(timeout=30)
    assert s.get_run(run_id)["n_chunks_done"] == 5


def test_ctrl_c_during_a_catalogue_operation_takes_effect_after_it(tmp_path, ctrl_c_raises):
    """duckdb would turn a SIGINT mid-query into its own error or drop it; the store holds
    it until the operation is done, then raises KeyboardInterrupt."""
    import os
    import signal
    import time

    runs = RunStore(tmp_path / "runs.duckdb")
    finished = []
    with pytest.raises(KeyboardInterrupt):
        with store._interrupts_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # the handler runs here, in the main thread
            runs.mark_chunk_done("no-such-run", 1)  # nested catalogue operations still work
            finished.append(len(runs.list_runs()))
    assert finished == [0]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_long_job_of_any_kind_records_progress_liveness_and_its_resume_record(tmp_path):
    """The API `tregsim calibrate` uses as well as campaigns (docs/runs.md)."""
    s = RunStore(tmp_path / "runs.duckdb")
    run_id = s.start_run(
        kind="calibration", name="phrc", seed=4, run_dir=tmp_path / "r", n_chunks_total=5,
        resume={"targets": "phrc-2016", "generations": 5},
    )  # fmt: skip
    row = s.get_run(run_id)
    assert (row["kind"], row["scenario"], row["status"], row["n_chunks_total"]) == (
        "calibration", "phrc", "running", 5,
    )  # fmt: skip
    assert row["pid"] == os.getpid() and row["heartbeat"] is not None
    with s.tracking(run_id, every_s=0.01):
        s.mark_progress(run_id, 2)
    assert s.get_run(run_id)["n_chunks_done"] == 2
    with pytest.raises(TregsimInputError, match="still running"):
        s.resume_record(run_id)
    s.finish_run(run_id, status="interrupted")
    with pytest.raises(TregsimInputError, match="is a calibration run"):
        s.resume_record(run_id, kind="campaign")
    record = s.resume_record(run_id, kind="calibration")
    assert record["resume"] == {"targets": "phrc-2016", "generations": 5}
    s.reopen_run(run_id)
    assert (s.get_run(run_id)["status"], s.get_run(run_id)["finished"]) == ("running", None)


def test_a_run_whose_driver_died_reads_as_stale_everywhere(tmp_path):
    s = RunStore(tmp_path / "runs.duckdb")
    run_id = _start(s, tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    s._execute("UPDATE runs SET pid = ? WHERE run_id = ?", [dead.pid, run_id])
    assert s.get_run(run_id)["status"] == "stale"
    assert list(s.list_runs()["status"]) == ["stale"]
    assert s.resume_record(run_id)["status"] == "stale"


def test_a_catalogue_from_before_the_new_columns_still_reads_and_gains_them(tmp_path):
    import duckdb

    path = tmp_path / "runs.duckdb"
    old_columns = store._SCHEMA  # the first release's table
    with duckdb.connect(str(path)) as con:
        con.execute(old_columns)
        con.execute(
            "INSERT INTO runs VALUES ('old-1', 'toy', 'h', 1, 2, 1, '0.0.1', 'interrupted', "
            "now(), NULL, 1.0, 1, NULL, 'r', 'tregsim run toy --out x')"
        )
    s = RunStore(path)
    row = s.get_run("old-1")
    assert (row["status"], row["kind"], row["pid"]) == ("interrupted", None, None)
    assert list(s.list_runs()["run_id"]) == ["old-1"]
    _start(s, tmp_path)  # a write adds the missing columns
    assert len(s.list_runs()) == 2 and s.get_run("old-1")["resume"] is None


def test_unknown_run_is_an_input_error_naming_it(tmp_path):
    with pytest.raises(TregsimInputError, match="no run 'nope'.*tregsim runs") as info:
        RunStore(tmp_path / "runs.duckdb").get_run("nope")
    assert isinstance(info.value, KeyError)
