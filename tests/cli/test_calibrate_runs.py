"""`tregsim calibrate` in the run catalogue: truthful status, progress in generations, and
`tregsim resume RUN_ID` continuing an interrupted calibration from the record alone.

The calibration itself is replaced by a stand-in (the seam is the CLI's lazy import), so these
tests check the catalogue logic in a second; tests/calibration/test_abc.py runs the real one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tregsim import cli
from tregsim.store import RunStore


@dataclass(frozen=True)
class FakeSettings:
    population_size: int = 200
    generations: int = 3
    seed: int = 0
    scale: float = 1.0
    max_minutes: float | None = None

    @classmethod
    def quick(cls, seed: int) -> FakeSettings:
        return cls(generations=2, seed=seed)


@pytest.fixture
def fake_calibration(monkeypatch, tmp_path):
    """A stand-in run_calibration that reports generations through `progress` and can be
    told to stop (KeyboardInterrupt, as SIGTERM becomes) after a number of them."""
    monkeypatch.setenv("TREGSIM_HOME", str(tmp_path / "home"))
    calls: list[dict] = []
    behaviour = {"stop_after": None}

    def run_calibration(out, settings, *, workers, scheduler, resume, progress):
        out.mkdir(parents=True, exist_ok=True)
        (out / "abc.db").write_text("checkpoint")
        calls.append({"out": out, "settings": settings, "resume": resume, "workers": workers})
        for generation in range(settings.generations):
            progress(f"t: {generation}, eps: {10.0 / (generation + 1)}.")
            if behaviour["stop_after"] is not None and generation + 1 >= behaviour["stop_after"]:
                raise KeyboardInterrupt
        return {"ensemble_size": 4, "effective_sample_size": 3.5}

    fakes = {"CalibrationSettings": FakeSettings, "run_calibration": run_calibration}
    monkeypatch.setattr(cli._app, "_require", lambda module, name, command: fakes[name])
    return calls, behaviour


def _main(*argv: str) -> int:
    with pytest.raises(SystemExit) as info:
        cli.main(list(argv))
    return info.value.code


def test_a_finished_calibration_is_recorded_done_with_its_generations(fake_calibration, tmp_path):
    calls, _ = fake_calibration
    out = tmp_path / "cal"
    assert (
        _main("calibrate", "--method", "abc", "--out", str(out), "--generations", "3", "--quiet")
        == 0
    )
    (row,) = RunStore().list_runs().to_dict("records")
    assert row["kind"] == "calibration" and row["status"] == "done"
    assert row["n_chunks_done"] == row["n_chunks_total"] == 3
    assert row["out_dir"] == str(out.resolve())
    assert calls[0]["resume"] is False


def test_an_interrupted_calibration_resumes_by_id_alone(fake_calibration, tmp_path, capsys):
    calls, behaviour = fake_calibration
    out = tmp_path / "cal"
    behaviour["stop_after"] = 1
    code = _main(
        "calibrate",
        "--method",
        "abc",
        "--out",
        str(out),
        "--generations",
        "3",
        "--seed",
        "7",
        "--quiet",
    )
    assert code == 130
    (row,) = RunStore().list_runs().to_dict("records")
    assert row["status"] == "interrupted" and row["n_chunks_done"] == 0
    assert f"tregsim resume {row['run_id']}" in capsys.readouterr().err

    behaviour["stop_after"] = None
    assert _main("resume", row["run_id"], "--quiet") == 0
    again = RunStore().get_run(row["run_id"])
    assert again["status"] == "done" and again["n_chunks_done"] == 3
    resumed = calls[-1]
    assert resumed["resume"] is True and resumed["out"] == out.resolve()
    assert resumed["settings"] == FakeSettings(generations=3, seed=7)  # as recorded

    # a finished run is not resumed again
    assert _main("resume", row["run_id"], "--quiet") == 2
