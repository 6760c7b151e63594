"""Resuming design and ``--null`` runs: the catalogue holds the scenario the engine simulated
(every arm on placebo), so the resume record keeps ``null`` and the scenario as given is read
again from its source; a resumed run writes the summary of the uninterrupted one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tregsim.store import RunStore

EXAMPLE = Path(__file__).parents[2] / "examples" / "designs" / "phrc-2016-gs.yaml"
SMALL = ["population.n=12", "population.max_screened_per_enrolled=200"]
VOLATILE = {"run_id", "seconds", "created", "finished", "elapsed_s"}


def _main(capsys, *args: str) -> tuple[int, str]:
    from tregsim import cli

    with pytest.raises(SystemExit) as info:
        cli.main(list(args))
    return info.value.code, " ".join(capsys.readouterr().err.split())


@pytest.fixture
def null_run(tmp_path, monkeypatch):
    """A design run with --null, as `tregsim run` records it, then marked interrupted."""
    from tregsim.api import run_trial
    from tregsim.cli._resume import new_run_record
    from tregsim.design import run_design
    from tregsim.scenarios import load_scenario

    home, out, source = tmp_path / "home", tmp_path / "out", tmp_path / "gs.yaml"
    monkeypatch.setenv("TREGSIM_HOME", str(home))
    source.write_text(EXAMPLE.read_text())
    record = new_run_record(str(source), SMALL, out) | {"null": True}
    scenario = load_scenario(str(source), SMALL)
    result = run_design(
        scenario, 2, 5, run_trial=run_trial, null=True, progress=False, resume_record=record
    )
    run_id = result.run_id
    RunStore(home / "runs.duckdb").finish_run(run_id, status="interrupted")
    return run_id, out, source, result.summary


def test_a_null_design_run_resumes_by_id_to_the_same_summary(null_run, capsys):
    run_id, out, _, summary = null_run
    code, err = _main(capsys, "resume", run_id, "--quiet")
    assert code in (0, None), err
    written = json.loads((out / "summary.json").read_text())
    assert written["null"] is True and written["type1_error"] == summary["type1_error"]
    keep = {k: v for k, v in summary.items() if k not in VOLATILE}
    assert {k: v for k, v in written.items() if k not in VOLATILE} == keep


def test_resuming_with_a_changed_null_or_scenario_exits_2(null_run, capsys):
    run_id, out, source, _ = null_run
    code, err = _main(capsys, "run", "--resume", run_id, EXAMPLE.as_posix(), "--set", SMALL[0])
    assert code == 2 and "SCENARIO" in err and "contradicts" in err
    source.write_text(EXAMPLE.read_text().replace("obrien-fleming", "pocock"))
    code, err = _main(capsys, "resume", run_id)
    assert code == 2 and "reads differently now" in err and err.count(". ") == 0
    assert not out.exists()


def test_null_on_a_run_started_without_it_exits_2(recorded, capsys):
    store, run_id, out = recorded
    code, err = _main(capsys, "run", "--resume", run_id, "--null")
    assert code == 2 and "--null contradicts run" in err and "leave --null out" in err
    assert not out.exists()
