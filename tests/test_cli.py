"""The ``tregsim`` command: help texts, scenario listing, API surface."""

from __future__ import annotations

import pytest

from tregsim.scenarios import list_scenarios, scenario_yaml

COMMANDS = [
    "run", "scenarios", "trajectory", "export-sbml", "plot", "calibrate", "runs", "app", "resume",
    "compare",
]  # fmt: skip
COMMANDS += ["validate", "sensitivity"]  # calib (#14)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_an_example(tregsim_cli, command) -> None:
    result = tregsim_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Example" in result.stdout and f"tregsim {command}" in result.stdout


def test_scenarios_lists_every_builtin(tregsim_cli) -> None:
    result = tregsim_cli("scenarios")
    assert result.returncode == 0, result.stderr
    for name in list_scenarios():
        assert name in result.stdout


def test_scenarios_show_prints_yaml(tregsim_cli) -> None:
    result = tregsim_cli("scenarios", "show", "phrc-2016")
    assert result.returncode == 0
    assert result.stdout == scenario_yaml("phrc-2016")


def test_version(tregsim_cli) -> None:
    import tregsim

    result = tregsim_cli("--version")
    assert result.returncode == 0 and tregsim.__version__ in result.stdout


def test_internal_errors_exit_1_with_hint(tmp_path, monkeypatch, capsys) -> None:
    from tregsim import cli

    def boom(*args, **kwargs):
        raise RuntimeError("kaput")

    monkeypatch.setattr(cli._app, "_require", lambda *a: boom)
    monkeypatch.delenv("TREGSIM_DEBUG", raising=False)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as info:
        cli.main(["run", "phrc-2016", "--out", str(out), "--quiet"])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert "kaput" in err and "TREGSIM_DEBUG=1" in err and "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_run_replaces_out_only_on_success(tmp_path, monkeypatch, capsys) -> None:
    """A stand-in for run_trial (owned by trial / campaign) checks the CLI's staging:
    results appear in --out only at the end, an old --out is replaced, and the result
    writes its own files (report.html included) exactly once."""
    from tregsim import cli

    writes = []

    class Result:
        summary = {"arms": {"il2": {"endpoints": {"salt50_w52": {"mean": 0.3}}}}}

        def write(self, directory):
            writes.append(directory)
            (directory / "summary.json").write_text("{}")
            (directory / "report.html").write_text("<html></html>")

    calls = {}

    def fake_run_trial(scenario, replicates, seed, **kwargs):
        calls.update(kwargs, scenario=scenario, replicates=replicates, seed=seed)
        return Result()

    fakes = {"run_trial": fake_run_trial}
    monkeypatch.setattr(cli._app, "_require", lambda module, name, command: fakes[name])
    out = tmp_path / "nested" / "out"
    argv = ["run", "phrc-2016", "--out", str(out), "--seed", "7", "--set", "population.n=10"]
    with pytest.raises(SystemExit) as info:
        cli.main([*argv, "--replicates", "3"])
    assert info.value.code == 0
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "summary.json"]
    assert calls["seed"] == 7 and calls["replicates"] == 3 and calls["resume"] is None
    assert len(writes) == 1
    assert calls["scenario"].population.n == 10
    assert calls["command"].startswith("tregsim run phrc-2016")
    assert [p.name for p in out.parent.iterdir()] == ["out"]
    (out / "old.txt").write_text("x")
    with pytest.raises(SystemExit):
        cli.main(["run", "phrc-2016", "--out", str(out), "--quiet"])
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "summary.json"]
    assert calls["seed"] == 2016  # the scenario's seed by default
    assert calls["resume"] is None  # --resume: tests/cli/test_resume.py
    assert calls["resume_record"] == {
        "source": "phrc-2016", "overrides": [], "out_dir": str(out.resolve())
    }  # fmt: skip


def test_readme_examples_are_valid() -> None:
    """The README's command lines name real scenarios, arms and override keys, and its
    Python example runs up to the simulation (STYLE.md: docs are tested output)."""
    import re
    from pathlib import Path

    from tregsim.scenarios import load_scenario

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    lines = re.findall(r"^tregsim (?:run|trajectory|export-sbml) (\S+)(.*)$", text, re.M)
    assert len(lines) >= 4
    for name, rest in lines:
        name = "phrc-2016" if name == "my-trial.yaml" else name  # a copy of phrc-2016
        scenario = load_scenario(name, re.findall(r"--set (\S+)", rest))
        arm = re.search(r"--arm (\S+)", rest)
        if arm:
            scenario.arm(arm.group(1))
    python = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    before_simulation = python.split("result = tregsim.run_trial")[0]
    exec(compile(before_simulation, "README.md", "exec"), {})


def test_many_replicates_use_one_worker_per_core_by_default(monkeypatch):
    import os

    from tregsim.cli import run as cli

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert cli._auto_workers(cli.AUTO_WORKERS_REPLICATES - 1) is None
    assert cli._auto_workers(cli.AUTO_WORKERS_REPLICATES) == 2
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert cli._auto_workers(1000) == cli.AUTO_WORKERS_MAX
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert cli._auto_workers(1000) is None
