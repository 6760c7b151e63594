"""Exports: the YAML on screen, the exact tregsim run command, the run options' messages."""

from __future__ import annotations

import shlex

import pandas as pd
import pytest

from tregsim.app.exports import (
    check_run_size,
    parse_replicates,
    parse_seed,
    patients_csv,
    patients_parquet,
    run_command,
    scenario_yaml,
)
from tregsim.errors import TregsimInputError
from tregsim.protocol import Scenario
from tregsim.scenarios import load_scenario


def test_the_command_reloads_the_same_scenario():
    overrides = ["regimens.il2_pilot.courses.0.dose=4.5", "endpoints.0={name: a b, kind: x}"]
    command = run_command("phrc-2016", overrides[:1], 10, 7)
    assert command == (
        "tregsim run phrc-2016 --out results/phrc-2016 --replicates 10 --seed 7 "
        "--set regimens.il2_pilot.courses.0.dose=4.5"
    )
    words = shlex.split(run_command("my trial.yaml", overrides, 3, 0))
    assert words[2] == "my trial.yaml" and words[4] == "results/my-trial"
    assert words[-1] == overrides[1]


def test_the_yaml_export_reloads_to_the_scenario_on_screen():
    scenario = load_scenario("phrc-2016", ["population.n=12"])
    text = scenario_yaml(scenario, "phrc-2016", ["population.n=12"])
    assert text.startswith("# Made with tregsim app from phrc-2016\n")
    assert Scenario.from_yaml(text) == scenario


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ten", "--replicates must be a whole number (got 'ten')"),
        ("2001", "--replicates (2001) is above the app's limit of 2000"),
    ],
)
def test_replicates_beyond_the_clis_checks(text, message):
    with pytest.raises(TregsimInputError) as caught:
        parse_replicates(text)
    assert caught.value.message.startswith(message)


def test_replicates_message_is_the_clis(tregsim_cli, tmp_path):
    with pytest.raises(TregsimInputError) as caught:
        parse_replicates("0")
    cli = tregsim_cli("run", "pilot-2014", "--out", tmp_path / "out", "--replicates", "0")
    assert cli.returncode == 2
    assert cli.stderr.strip() == f"error: {caught.value.message}"


def test_seed_defaults_to_the_scenario_and_rejects_negatives():
    assert parse_seed("", 2016) == 2016
    assert parse_seed(" 3 ", 2016) == 3
    with pytest.raises(TregsimInputError, match="--seed must be at least 0"):
        parse_seed("-1", 0)


def test_run_size_limit_names_population_n():
    with pytest.raises(TregsimInputError) as caught:
        check_run_size(load_scenario("phrc-2016", ["population.n=5000"]))
    assert caught.value.field == "population.n"


def test_data_exports_round_trip(tmp_path):
    frame = pd.DataFrame({"replicate": [0, 1], "arm": ["il2", "placebo"], "salt": [50.0, 60.5]})
    (tmp_path / "p.parquet").write_bytes(patients_parquet(frame))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "p.parquet"), frame)
    (tmp_path / "p.csv").write_bytes(patients_csv(frame))
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "p.csv"), frame)
