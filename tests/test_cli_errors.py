"""Bad input to the ``tregsim`` command: exit code 2, one sentence naming the field, no
traceback, nothing written. None of this needs the model or trial modules: validation
happens before them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tregsim.scenarios import scenario_yaml


def _scenario_file(tmp_path: Path, old: str, new: str, name: str = "bad.yaml") -> Path:
    text = scenario_yaml("phrc-2016")
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


def _check_rejected(result, out: Path, field: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert field in lines[0], (field, lines[0])
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists(), sorted(p.name for p in out.parent.iterdir())
    leftovers = [p.name for p in out.parent.iterdir() if ".partial-" in p.name]
    assert not leftovers


# (description, file edit (old, new) or None, extra CLI args, field expected in message)
FILE_CASES = [
    ("unknown key", ("  n: 80", "  n: 80\n  size: 3"), "population.size"),
    ("wrong type", ("  n: 80", "  n: eighty"), "population.n"),
    (
        "negative dose",
        ("dose: 1.5, unit: MIU}", "dose: -1.5, unit: MIU}"),
        "regimens.il2_pilot.courses.0.dose",
    ),
    (
        "zero dose",
        ("dose: 1.5, unit: MIU}", "dose: 0, unit: MIU}"),
        "regimens.il2_pilot.courses.0.dose",
    ),
    ("zero size", ("  n: 80", "  n: 0"), "population.n"),
    ("negative size", ("  n: 80", "  n: -5"), "population.n"),
    ("SALT above 100", ("    salt_max: 100", "    salt_max: 140"), "population.inclusion.salt_max"),
    ("SALT below 0", ("    salt_min: 50", "    salt_min: -10"), "population.inclusion.salt_min"),
    ("SALT threshold above 100", ("threshold: 20", "threshold: 120"), "endpoints.1.threshold"),
    (
        "SALT percent above 100",
        ("percent: 50, week: 52", "percent: 150, week: 52"),
        "endpoints.0.percent",
    ),
    (
        "empty arms",
        (
            "arms:\n  - {name: il2, allocation: 1, regimen: il2_pilot}\n"
            "  - {name: placebo, allocation: 1, regimen: placebo}",
            "arms: []",
        ),
        "arms",
    ),
    (
        "zero allocation",
        ("{name: il2, allocation: 1", "{name: il2, allocation: 0"),
        "arms.0.allocation",
    ),
    ("unknown regimen", ("regimen: il2_pilot}", "regimen: il2_pliot}"), "arms.0.regimen"),
    (
        "wrong unit",
        ("dose: 1.5, unit: MIU}", "dose: 1.5, unit: mg}"),
        "regimens.il2_pilot.courses.0.unit",
    ),
    ("YAML syntax error", ("  n: 80", "  n: [80"), "line"),
]


@pytest.mark.parametrize(("case", "edit", "field"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_bad_scenario_file(tmp_path, tregsim_cli, case, edit, field) -> None:
    path = _scenario_file(tmp_path, *edit)
    out = tmp_path / "out"
    result = tregsim_cli("run", path, "--out", out, "--quiet")
    _check_rejected(result, out, field)


SET_CASES = [
    (
        "set implausible dose",
        ["--set", "regimens.il2_pilot.courses.0.dose=1e9"],
        "regimens.il2_pilot.courses.0.dose",
    ),
    ("set population too large for memory", ["--set", "population.n=100000000"], "population.n"),
    ("replicates too many for memory", ["--replicates", "10000000"], "--replicates"),
    ("set unknown key", ["--set", "population.sizes=3"], "population.sizes"),
    ("set no equals", ["--set", "population.n"], "--set"),
    ("set bad path", ["--set", "nothing.here=1"], "nothing"),
    ("set bad value type", ["--set", "population.n=abc"], "population.n"),
    ("set bad YAML value", ["--set", "population.n=[1"], "population.n"),
    (
        "set negative dose",
        ["--set", "regimens.il2_pilot.courses.1.dose=-3"],
        "regimens.il2_pilot.courses.1.dose",
    ),
    (
        "set SALT threshold",
        ["--set", "endpoints.salt20_w52.threshold=101"],
        "endpoints.1.threshold",
    ),
    ("set empty arms", ["--set", "arms=[]"], "arms"),
    (
        "set unknown AE kind",
        ["--set", "endpoints.ae_any_w12.kind=ae_hair_loss"],
        "endpoints.8.kind",
    ),
    ("set AE week after follow-up", ["--set", "endpoints.ae_any_w12.week=60"], "endpoints.8.week"),
    ("set index out of range", ["--set", "arms.7.allocation=2"], "arms.7"),
    ("zero replicates", ["--replicates", "0"], "--replicates"),
    ("negative replicates", ["--replicates", "-3"], "--replicates"),
    ("text replicates", ["--replicates", "many"], "--replicates"),
    ("negative seed", ["--seed", "-1"], "--seed"),
    ("zero workers", ["--workers", "0"], "--workers"),
    ("workers and scheduler", ["--workers", "2", "--scheduler", "tcp://h:8786"], "--scheduler"),
    ("bad scheduler", ["--scheduler", "localhost"], "--scheduler"),
    ("unknown option", ["--replicate", "3"], "--replicate"),
]


@pytest.mark.parametrize(("case", "args", "field"), SET_CASES, ids=[c[0] for c in SET_CASES])
def test_bad_options(tmp_path, tregsim_cli, case, args, field) -> None:
    out = tmp_path / "out"
    result = tregsim_cli("run", "phrc-2016", "--out", out, "--quiet", *args)
    _check_rejected(result, out, field)


def test_unknown_builtin_suggests_close_name(tmp_path, tregsim_cli) -> None:
    out = tmp_path / "out"
    result = tregsim_cli("run", "phrc-2106", "--out", out)
    _check_rejected(result, out, "phrc-2106")
    assert "did you mean 'phrc-2016'" in result.stderr


def test_missing_file(tmp_path, tregsim_cli) -> None:
    out = tmp_path / "out"
    result = tregsim_cli("run", tmp_path / "nope.yaml", "--out", out)
    _check_rejected(result, out, "nope.yaml")
    assert "does not exist" in result.stderr


def test_binary_file(tmp_path, tregsim_cli) -> None:
    path = tmp_path / "model.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    out = tmp_path / "out"
    result = tregsim_cli("run", path, "--out", out)
    _check_rejected(result, out, "model.yaml")
    assert "binary" in result.stderr


def test_not_a_mapping(tmp_path, tregsim_cli) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n")
    out = tmp_path / "out"
    _check_rejected(tregsim_cli("run", path, "--out", out), out, "list.yaml")


def test_existing_out_left_as_it_was(tmp_path, tregsim_cli) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("previous results")
    result = tregsim_cli("run", "phrc-2016", "--out", out, "--set", "population.n=-5")
    assert result.returncode == 2
    assert "population.n" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert (out / "keep.txt").read_text() == "previous results"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_out_is_a_file(tmp_path, tregsim_cli) -> None:
    out = tmp_path / "out"
    out.write_text("x")
    result = tregsim_cli("run", "phrc-2016", "--out", out)
    assert result.returncode == 2 and "--out" in result.stderr
    assert out.read_text() == "x"


@pytest.mark.parametrize("command", ["trajectory", "export-sbml"])
def test_unknown_arm(tmp_path, tregsim_cli, command) -> None:
    out = tmp_path / "out.csv"
    result = tregsim_cli(command, "phrc-2016", "--arm", "il-2", "--out", out)
    _check_rejected(result, out, "--arm")
    assert "did you mean 'il2'" in result.stderr


@pytest.mark.parametrize(
    ("args", "field"),
    [(["--step", "0"], "--step"), (["--days", "-4"], "--days"), (["--step", "1000"], "--step")],
)
def test_bad_trajectory_times(tmp_path, tregsim_cli, args, field) -> None:
    out = tmp_path / "out.csv"
    result = tregsim_cli("trajectory", "phrc-2016", "--arm", "il2", "--out", out, *args)
    _check_rejected(result, out, field)


def test_scenarios_show_unknown(tregsim_cli) -> None:
    result = tregsim_cli("scenarios", "show", "brave-aa")
    assert result.returncode == 2 and "did you mean 'brave-aa1'" in result.stderr
    assert "Traceback" not in result.stderr


def test_out_that_cannot_be_written(tmp_path, tregsim_cli) -> None:
    """/proc refuses new files even to root: probed before any work, exit 2, one sentence."""
    result = tregsim_cli("run", "phrc-2016", "--out", "/proc/tregsim-out", "--replicates", "1")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--out /proc/tregsim-out cannot be written" in lines[0]
    assert "internal error" not in result.stderr


def test_scheduler_that_does_not_answer(tmp_path, tregsim_cli) -> None:
    out = tmp_path / "out"
    result = tregsim_cli(
        "run", "phrc-2016", "--out", out, "--replicates", "2", "--scheduler", "tcp://127.0.0.1:9"
    )
    _check_rejected(result, out, "--scheduler tcp://127.0.0.1:9 did not answer within 5 s")
