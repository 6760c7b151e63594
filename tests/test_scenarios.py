"""Built-in scenarios: names, loading, YAML round trip, overrides."""

from __future__ import annotations

import pytest

from tregsim.errors import TregsimInputError
from tregsim.protocol import Scenario
from tregsim.scenarios import list_scenarios, load_scenario, scenario_yaml

BUILT_IN = ["brave-aa1", "dilt1d", "hartemann-2013", "high-dose-il2", "phrc-2016", "pilot-2014"]


def test_built_in_names_are_the_contract() -> None:
    assert set(BUILT_IN) <= set(list_scenarios())


@pytest.mark.parametrize("name", BUILT_IN)
def test_built_in_loads_and_round_trips(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.description
    assert Scenario.from_yaml(scenario.to_yaml()) == scenario
    assert scenario_yaml(name).startswith("# Sources:")


def test_phrc_design() -> None:
    s = load_scenario("phrc-2016")
    assert s.population.n == 80 and s.follow_up_weeks == 52
    assert [a.allocation for a in s.arms] == [1, 1]
    assert s.blinding.open_label is False
    assert s.analysis.primary == "salt50_w52" and s.analysis.control_arm == "placebo"
    assert {"salt20_w52", "dsalt_w52", "treg_fold_w1"} <= {e.name for e in s.endpoints}
    assert s.population.inclusion.episode_max_years == 1.0
    assert "assumed" in s.description
    assert (
        s.regimen_of("il2").administrations()
        == load_scenario("pilot-2014").regimen_of("il2").administrations()
    )


def test_pilot_design() -> None:
    s = load_scenario("pilot-2014")
    assert s.population.n == 5 and s.blinding.open_label and s.blinding.raters == 2
    assert s.follow_up_weeks == 104 and {26, 104} <= set(s.visits_weeks)
    assert s.population.inclusion.resistant_to_systemic


def test_brave_design() -> None:
    s = load_scenario("brave-aa1")
    assert [a.allocation for a in s.arms] == [3, 2, 2] and s.population.n == 654
    assert s.analysis.primary == "salt20_w36"
    assert {"salt20_w24", "salt20_w36", "salt20_w52"} <= {e.name for e in s.endpoints}
    doses = s.regimen_of("baricitinib_4mg").administrations()
    assert len(doses) == 364 and doses[0].unit == "mg" and doses[0].dose == 4


def test_dose_ranging_scenarios() -> None:
    dilt = load_scenario("dilt1d")
    assert dilt.population.inclusion.salt_min == 0 and dilt.population.n == 40
    amounts = sorted(
        dilt.regimen_of(a).administrations()[0].dose for a in dilt.arm_names if a != "placebo"
    )
    assert amounts == [0.04, 0.1, 0.2, 0.47, 1.5]
    high = load_scenario("high-dose-il2").regimen_of("high_dose")
    assert high.route == "iv" and len(high.administrations()) == 15
    assert load_scenario("hartemann-2013").population.n == 24


def test_load_from_path_and_overrides(tmp_path) -> None:
    path = tmp_path / "trial.yaml"
    path.write_text(scenario_yaml("phrc-2016"))
    scenario = load_scenario(path, ["population.n=120"])
    assert scenario.population.n == 120


@pytest.mark.parametrize(
    ("argument", "match"),
    [
        ("phrc-2106", "did you mean 'phrc-2016'"),
        ("missing.yaml", "does not exist"),
        ("", "empty"),
    ],
)
def test_load_errors(argument: str, match: str) -> None:
    with pytest.raises(TregsimInputError, match=match):
        load_scenario(argument)


def test_bad_override_syntax() -> None:
    for bad in ["population.n", "=3", "population..n=3", "foo.bar=1", "arms.9.allocation=1"]:
        with pytest.raises(TregsimInputError):
            load_scenario("phrc-2016", [bad])
