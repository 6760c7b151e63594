"""Long runs you can walk away from: SIGTERM marks a run interrupted, a killed run shows as
stale, and both resume by id alone to the summary of an uninterrupted run; arguments that
contradict the record are input errors.

The end-to-end tests run the real ``tregsim run`` in a subprocess: phrc-2016 with 8 patients
a trial and 12 replicates, in 4 chunks of 3 (the default chunking for one process).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tregsim.store import RunStore

SRC = str(Path(__file__).resolve().parents[2] / "src")
RUN = ["phrc-2016", "--replicates", "12", "--set", "population.n=8"]
VOLATILE = {"run_id", "seconds", "created", "finished", "elapsed_s"}  # timing and run ids


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TREGSIM_DEBUG"}
    env.update(TREGSIM_HOME=str(home), NO_COLOR="1", COLUMNS="120", PYTHONPATH=SRC)
    return env


def _tregsim(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tregsim.cli", *args],
        capture_output=True, text=True, env=_env(home), timeout=300,
    )  # fmt: skip


def _comparable(summary_text: str) -> dict:
    return {k: v for k, v in json.loads(summary_text).items() if k not in VOLATILE}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    """summary.json of the same run, uninterrupted (the Python API gives the same text)."""
    from tregsim import load_scenario, run_trial

    tmp = tmp_path_factory.mktemp("reference")
    scenario = load_scenario("phrc-2016", ["population.n=8"])
    result = run_trial(
        scenario, replicates=12, seed=scenario.seed, progress=False,
        run_dir=tmp / "run", catalogue=tmp / "runs.duckdb",
    )  # fmt: skip
    return _comparable(json.dumps(result.summary, indent=2))


def _start_and_stop_after_a_chunk(tmp_path: Path, signum: int) -> tuple[Path, Path, str, int]:
    """Start ``tregsim run`` and send it `signum` once the catalogue shows a finished chunk;
    returns (home, out, run_id, exit code)."""
    home, out = tmp_path / "home", tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tregsim.cli", "run", *RUN, "--out", str(out), "--quiet"],
        env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    store = RunStore(home / "runs.duckdb")
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            if (home / "runs.duckdb").exists():
                runs = store.list_runs()
                if len(runs) and runs["n_chunks_done"].iloc[0] >= 1:
                    break
            time.sleep(0.1)
        assert proc.poll() is None, "the run ended before a chunk showed in the catalogue"
        run_id = str(store.list_runs()["run_id"].iloc[0])
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if signum == signal.SIGTERM:
        assert f"tregsim resume {run_id}" in stderr
    return home, out, run_id, proc.returncode


def test_sigterm_marks_the_run_interrupted_and_it_resumes_by_id(tmp_path, reference):
    home, out, run_id, code = _start_and_stop_after_a_chunk(tmp_path, signal.SIGTERM)
    assert code == 128 + signal.SIGTERM
    row = RunStore(home / "runs.duckdb").get_run(run_id)
    assert row["status"] == "interrupted" and 1 <= row["n_chunks_done"] < row["n_chunks_total"]
    assert not out.exists()  # nothing half-written

    resumed = _tregsim(home, "resume", run_id, "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert _comparable((out / "summary.json").read_text()) == reference
    row = RunStore(home / "runs.duckdb").get_run(run_id)
    assert (row["status"], row["n_chunks_done"]) == ("done", row["n_chunks_total"])


def test_a_killed_run_shows_as_stale_and_resumes(tmp_path, reference):
    home, out, run_id, code = _start_and_stop_after_a_chunk(tmp_path, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert RunStore(home / "runs.duckdb").get_run(run_id)["status"] == "stale"

    resumed = _tregsim(home, "run", "--resume", run_id, "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert _comparable((out / "summary.json").read_text()) == reference
    assert RunStore(home / "runs.duckdb").get_run(run_id)["status"] == "done"


# -- input errors: before any work, nothing written ------------------------------------------
def _main(capsys, *args: str) -> tuple[int, str]:
    from tregsim import cli

    with pytest.raises(SystemExit) as info:
        cli.main(list(args))
    return info.value.code, " ".join(capsys.readouterr().err.split())


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--seed", "7"], "--seed 7 contradicts run"),
        (["--replicates", "13"], "--replicates 13 contradicts run"),
        (["--out", "elsewhere"], "--out elsewhere contradicts run"),
        (["phrc-2016", "--set", "population.n=9"], "SCENARIO 'phrc-2016 --set population.n=9'"),
        (["pilot-2014"], "SCENARIO 'pilot-2014' contradicts"),
    ],
)
def test_a_contradicting_resume_exits_2_naming_the_field(recorded, capsys, args, field):
    store, run_id, out = recorded
    code, err = _main(capsys, "run", *args, "--resume", run_id)
    assert code == 2, err
    assert field in err and f"leave {field.split()[0]} out" in err
    assert f"tregsim resume {run_id}" in err and err.count(". ") == 0  # one sentence
    assert not out.exists() and store.get_run(run_id)["status"] == "interrupted"


def test_runs_that_cannot_be_resumed_exit_2(recorded, capsys):
    store, run_id, out = recorded
    python_run = store.start_run(scenario={"name": "toy"}, seed=1, run_dir="x", resume={})
    store.finish_run(python_run, status="interrupted")
    code, err = _main(capsys, "resume", python_run)
    assert code == 2 and "started from Python" in err and "resume_run_id=" in err
    calibration = store.start_run(kind="calibration", name="phrc", run_dir="y")
    store.finish_run(calibration, status="interrupted")
    code, err = _main(capsys, "resume", calibration)  # recorded without a resume record
    assert code == 2 and "has no resume record" in err
    store.reopen_run(run_id)  # this test's own process now drives it: still running
    code, err = _main(capsys, "resume", run_id)
    assert code == 2 and "still running" in err
    store.finish_run(run_id, status="done")
    (out / "summary.json").parent.mkdir()  # its results are there
    code, err = _main(capsys, "run", "--resume", run_id)
    assert code == 2 and "already done" in err
    code, err = _main(capsys, "run", "--out", "somewhere")
    assert code == 2 and "SCENARIO is missing" in err


def test_a_run_recorded_by_an_older_tregsim_resumes_with_its_original_arguments(recorded, capsys):
    store, _, out = recorded
    command = f"tregsim run phrc-2016 --out {out} --replicates 12 --set population.n=8"
    old = store.start_run(
        scenario={"name": "phrc-2016"}, seed=2016, replicates=12, chunk_size=3,
        run_dir="r", command=command,
    )  # fmt: skip
    store._execute("UPDATE runs SET kind = NULL, resume = NULL WHERE run_id = ?", [old])
    store.finish_run(old, status="interrupted")
    code, err = _main(capsys, "resume", old)
    assert code == 2 and f"repeat its command with --resume: {command} --resume {old}" in err
    argv = ["run", "phrc-2016", "--out", str(out), "--set", "population.n=8", "--seed", "5"]
    code, err = _main(capsys, *argv, "--resume", old)  # checked by run_campaign, before work
    assert code == 2 and "seed 5 differs from the run's seed 2016" in err
    assert not out.exists()
