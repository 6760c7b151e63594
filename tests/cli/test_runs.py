"""``tregsim runs``: whole run ids in an 80-column terminal, progress, show, --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tregsim.store import RunStore

SRC = str(Path(__file__).resolve().parents[2] / "src")
SCENARIO = {"name": "phrc-2016", "seed": 3}


def _tregsim(home: Path, *args: str, columns: int = 80) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TREGSIM_DEBUG"}
    env.update(TREGSIM_HOME=str(home), COLUMNS=str(columns), NO_COLOR="1", PYTHONPATH=SRC)
    return subprocess.run(
        [sys.executable, "-m", "tregsim.cli", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


@pytest.fixture
def catalogue(tmp_path):
    """Three runs with long output folders: done, interrupted half-way, running."""
    home = tmp_path / "home"
    store = RunStore(home / "runs.duckdb")
    deep = tmp_path / "results" / "a-rather-long-folder-name" / "for-this-campaign"
    ids = []
    for index, status in enumerate(("done", "interrupted", "running")):
        run_id = store.start_run(
            scenario=SCENARIO, seed=index, replicates=40, chunk_size=10, n_chunks_total=4,
            run_dir=home / "runs" / f"r{index}", out_dir=deep / f"out{index}",
        )  # fmt: skip
        store.mark_progress(run_id, 2 if status == "interrupted" else 4)
        if status != "running":
            store.finish_run(run_id, status=status)
        ids.append(run_id)
    return home, ids, deep


def test_an_80_column_terminal_shows_whole_ids_and_progress(catalogue):
    home, ids, _ = catalogue
    result = _tregsim(home, "runs")
    assert result.returncode == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    for run_id in ids:
        assert run_id in result.stdout
    assert "…" not in result.stdout
    assert "2/4" in result.stdout and "interrupted" in result.stdout
    assert f"tregsim resume {ids[1]}" in result.stdout
    assert "out_dir" in result.stdout  # folded onto several lines
    wide = _tregsim(home, "runs", columns=300)
    assert str(catalogue[2] / "out0") in wide.stdout  # on one line when there is room


def _main(monkeypatch, capsys, home: Path, *args: str) -> tuple[int, str, str]:
    """``tregsim ARGS`` in this process (faster than a subprocess): (code, stdout, stderr)."""
    from tregsim import cli

    monkeypatch.setenv("TREGSIM_HOME", str(home))
    with pytest.raises(SystemExit) as info:
        cli.main(list(args))
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def test_json_and_show_for_scripts(catalogue, monkeypatch, capsys):
    home, ids, deep = catalogue
    listed = json.loads(_main(monkeypatch, capsys, home, "runs", "--json")[1])
    assert [r["run_id"] for r in listed] == ids[::-1]  # newest first
    assert [r["progress"] for r in listed] == ["4/4", "2/4", "4/4"]
    assert listed[0]["status"] == "running"  # this test's process is alive: not stale
    shown = json.loads(_main(monkeypatch, capsys, home, "runs", "show", ids[1], "--json")[1])
    assert (shown["status"], shown["out_dir"]) == ("interrupted", str(deep / "out1"))
    text = _main(monkeypatch, capsys, home, "runs", "show", ids[1])[1]
    assert f"run_id: {ids[1]}" in text and f"tregsim resume {ids[1]}" in text


def test_an_unknown_run_id_exits_2_naming_it(catalogue, monkeypatch, capsys):
    home, _, _ = catalogue
    for args in (("runs", "show", "20990101-000000-abcdef"), ("resume", "20990101-000000-abcdef")):
        code, _, err = _main(monkeypatch, capsys, home, *args)
        assert code == 2
        assert "no run '20990101-000000-abcdef'" in err
        assert "tregsim runs" in err and "Traceback" not in err
