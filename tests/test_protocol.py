"""Scenario schema: validation rules, administrations, overrides, YAML round trip."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import tregsim
from tregsim.errors import TregsimInputError
from tregsim.protocol import Course, Endpoint, Regimen, Scenario
from tregsim.scenarios import load_scenario


@pytest.fixture(scope="module")
def phrc() -> Scenario:
    return load_scenario("phrc-2016")


def _data(scenario: Scenario) -> dict:
    return scenario.model_dump(mode="json")


def _invalid(data: dict) -> TregsimInputError:
    with pytest.raises(TregsimInputError) as info:
        Scenario.from_dict(data)
    return info.value


def test_models_are_frozen_and_forbid_extra(phrc: Scenario) -> None:
    with pytest.raises(ValidationError):
        phrc.population.n = 3  # type: ignore[misc]
    for model in (Scenario, Regimen, Course, Endpoint):
        assert model.model_config["frozen"] is True
        assert model.model_config["extra"] == "forbid"


def test_pilot_regimen_administrations() -> None:
    regimen = load_scenario("pilot-2014").regimen_of("il2")
    doses = regimen.administrations()
    assert len(doses) == 20
    assert [d.day for d in doses[:6]] == [0, 1, 2, 3, 4, 21]
    assert sum(d.dose for d in doses) == pytest.approx(52.5)  # the pilot total (sources.md#pilot)
    assert {d.unit for d in doses} == {"MIU"}


def test_per_day_and_every_days_spacing() -> None:
    regimen = Regimen(
        drug="il2",
        route="iv",
        courses=(
            Course(start_day=10, days=2, dose=600000, unit="IU/kg", per_day=3),
            Course(start_day=0, days=7, dose=0.26, unit="MIU/m2", every_days=3),
        ),
    )
    days = [a.day for a in regimen.administrations()]
    assert days[:3] == [0, 3, 6]
    assert days[3:] == pytest.approx([10, 10 + 1 / 3, 10 + 2 / 3, 11, 11 + 1 / 3, 11 + 2 / 3])
    assert days == sorted(days)


def test_placebo_has_no_administrations_and_route_defaults() -> None:
    assert Regimen(drug="placebo").administrations() == []
    assert (
        Regimen(drug="baricitinib", courses=[dict(start_day=0, days=3, dose=4, unit="mg")]).route
        == "oral"
    )


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("population.n=-5", "population.n"),
        ("population.n=0", "population.n"),
        ("arms.0.allocation=0", "arms.0.allocation"),
        ("regimens.il2_pilot.courses.0.dose=-1.5", "regimens.il2_pilot.courses.0.dose"),
        ("regimens.il2_pilot.courses.0.dose=0", "regimens.il2_pilot.courses.0.dose"),
        ("regimens.il2_pilot.courses.0.unit=mg", "regimens.il2_pilot.courses.0.unit"),
        ("regimens.il2_pilot.route=oral", "regimens.il2_pilot.route"),
        ("regimens.placebo.doses=[{day: 0, dose: 1, unit: MIU}]", "regimens.placebo.doses"),
        ("population.inclusion.salt_min=120", "population.inclusion.salt_min"),
        ("population.inclusion.salt_max=-1", "population.inclusion.salt_max"),
        ("population.inclusion.age_min=70", "population.inclusion.age_min"),
        ("endpoints.0.percent=150", "endpoints.0.percent"),
        ("endpoints.1.threshold=101", "endpoints.1.threshold"),
        ("endpoints.0.week=60", "endpoints.0.week"),
        ("endpoints.0.week=30", "endpoints.0.week"),
        ("arms.1.name=il2", "arms.1.name"),
        ("arms.0.regimen=nothing", "arms.0.regimen"),
        ("analysis.primary=nothing", "analysis.primary"),
        ("analysis.control_arm=nobody", "analysis.control_arm"),
        ("visits_weeks=[0, 8, 4]", "visits_weeks.2"),
        ("visits_weeks=[2, 4]", "visits_weeks"),
        ("visits_weeks=[0, 4, 60]", "visits_weeks.2"),
        ("arms=[]", "arms"),
        ("population.nn=3", "population.nn"),
        ("population.n=many", "population.n"),
        ("endpoints.2.percent=50", "endpoints.2.percent"),
    ],
)
def test_bad_overrides_name_the_field(phrc: Scenario, override: str, field: str) -> None:
    with pytest.raises(TregsimInputError) as info:
        phrc.with_overrides([override])
    message = str(info.value)
    assert field in message, message
    assert "\n" not in message
    assert ";" in message  # problem; fix


def test_error_message_example(phrc: Scenario) -> None:
    with pytest.raises(TregsimInputError) as info:
        phrc.with_overrides(["population.n=-5"])
    assert str(info.value) == (
        "--set: population.n must be a positive integer (got -5); set it to the planned number "
        "of enrolled (randomized) patients per trial."
    )
    assert info.value.field == "population.n"


def test_unknown_key_suggests_close_name(phrc: Scenario) -> None:
    data = _data(phrc)
    data["arms"][0]["alocation"] = 2
    message = str(_invalid(data))
    assert "arms.0.alocation" in message and "did you mean 'allocation'" in message


def test_overrides_work_and_return_new_scenario(phrc: Scenario) -> None:
    changed = phrc.with_overrides(
        ["population.n=120", "arms.0.allocation=2", "regimens.il2_pilot.courses.1.dose=4.5"]
    )
    assert changed.population.n == 120 and phrc.population.n == 80
    assert changed.arms[0].allocation == 2
    assert changed.regimens["il2_pilot"].courses[1].dose == 4.5
    by_name = phrc.with_overrides(["arms.placebo.allocation=3", "blinding.open_label=true"])
    assert by_name.arm("placebo").allocation == 3 and by_name.blinding.open_label is True


def test_control_arm_is_optional_for_single_arm() -> None:
    pilot = load_scenario("pilot-2014")
    assert pilot.analysis.control_arm is None and len(pilot.arms) == 1
    with pytest.raises(TregsimInputError, match="analysis.control_arm"):
        pilot.with_overrides(["analysis.control_arm=il2"])


def test_endpoint_fields_depend_on_kind() -> None:
    with pytest.raises(ValidationError):
        Endpoint(name="x", kind="salt_reduction", week=52)  # percent missing
    with pytest.raises(ValidationError):
        Endpoint(name="x", kind="salt_at_most", week=52, percent=50)  # wrong field
    assert Endpoint(name="t", kind="time_to_salt_reduction", percent=50).week is None
    assert Endpoint(name="f", kind="treg_fold", week=1).is_responder is False


def test_fractional_weeks_are_allowed(phrc: Scenario) -> None:
    changed = phrc.with_overrides(
        [
            "visits_weeks=[0, 0.5, 52]",
            "endpoints.treg_fold_w1.week=0.5",
            "endpoints.treg_pct_w1.week=0.5",
            "endpoints.treg_fold_w12.week=52",
            "endpoints.ae_any_w12.week=52",
            "endpoints.ae_dose_related_w12.week=52",
            "endpoints.ae_eosinophilia_w12.week=52",
        ]
    )
    assert changed.endpoint("treg_fold_w1").week == 0.5


def test_yaml_round_trip(phrc: Scenario) -> None:
    again = Scenario.from_yaml(phrc.to_yaml())
    assert again == phrc


def test_yaml_errors_are_one_sentence() -> None:
    with pytest.raises(TregsimInputError, match="line 2"):
        Scenario.from_yaml("name: x\n  bad: [1, 2\n", source="x.yaml")
    with pytest.raises(TregsimInputError, match="mapping"):
        Scenario.from_yaml("- 1\n- 2\n", source="x.yaml")


def test_public_api_has_docstrings() -> None:
    for name in tregsim.__all__:
        if name in ("__version__", "run_trial"):
            continue  # run_trial belongs to tregsim.api and is checked where it is defined
        value = getattr(tregsim, name)
        assert getattr(value, "__doc__", None), name
    assert isinstance(tregsim.__version__, str)


def test_adverse_event_endpoint_errors_name_the_field():
    """Safety endpoints: an unknown AE kind or a week outside follow-up is bad input."""
    from tregsim.scenarios import load_scenario

    base = load_scenario("phrc-2016")
    with pytest.raises(TregsimInputError) as unknown:
        base.with_overrides(["endpoints.ae_any_w12.kind=ae_hair_colour"])
    assert "kind" in str(unknown.value.field)
    with pytest.raises(TregsimInputError) as late:
        base.with_overrides(["endpoints.ae_any_w12.week=60"])
    assert "week" in str(late.value.field)
