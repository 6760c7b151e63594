"""The design form: fields -> --set overrides -> scenario, with the CLI's own messages."""

from __future__ import annotations

import pytest

from tregsim.app.form import FormField, diff_overrides, evaluate_form, initial_texts
from tregsim.app.layout import scenario_form
from tregsim.errors import TregsimInputError
from tregsim.scenarios import list_scenarios, load_scenario


def _form(name: str = "phrc-2016"):
    scenario = load_scenario(name)
    _, fields = scenario_form(scenario)
    return scenario, fields, initial_texts(scenario, fields)


def _cli_message(name: str, override: str) -> str:
    with pytest.raises(TregsimInputError) as caught:
        load_scenario(name, [override])
    return caught.value.message


@pytest.mark.parametrize("name", list_scenarios())
def test_an_untouched_form_is_the_scenario_itself(name):
    scenario, fields, texts = _form(name)
    result = evaluate_form(scenario, fields, texts)
    assert result.ok, (result.field_errors, result.general_error)
    assert result.overrides == ()
    assert result.scenario == scenario


def test_a_changed_dose_is_one_set_option_and_validates():
    scenario, fields, texts = _form()
    texts["reg0_c0_dose"] = "4.5"
    result = evaluate_form(scenario, fields, texts)
    assert result.ok
    assert result.overrides == ("regimens.il2_pilot.courses.0.dose=4.5",)
    assert result.scenario == load_scenario("phrc-2016", list(result.overrides))
    assert result.scenario.regimens["il2_pilot"].courses[0].dose == 4.5


@pytest.mark.parametrize(
    ("input_id", "text", "override"),
    [
        ("reg0_c0_dose", "-1", "regimens.il2_pilot.courses.0.dose=-1"),
        ("population_n", "abc", "population.n=abc"),
        ("population_n", "[1", "population.n=[1"),
        ("ep0_week", "53", "endpoints.0.week=53"),
        ("reg0_route", "oral", "regimens.il2_pilot.route=oral"),
        ("arm0_allocation", "0", "arms.0.allocation=0"),
    ],
)
def test_each_message_is_the_clis_sentence_next_to_its_field(input_id, text, override):
    scenario, fields, texts = _form()
    texts[input_id] = text
    result = evaluate_form(scenario, fields, texts)
    assert not result.ok and result.scenario is None
    assert result.field_errors == {input_id: _cli_message("phrc-2016", override)}


def test_several_wrong_fields_each_get_their_message():
    scenario, fields, texts = _form()
    texts.update(reg0_c0_dose="-1", population_n="0", analysis_alpha="2")
    result = evaluate_form(scenario, fields, texts)
    assert set(result.field_errors) == {"reg0_c0_dose", "population_n", "analysis_alpha"}
    assert "population.n must be a positive integer" in result.field_errors["population_n"]


def test_clearing_a_row_removes_the_course_and_filling_the_spare_row_adds_one():
    scenario, fields, texts = _form()
    for name in ("start_day", "days", "dose", "unit", "per_day", "every_days"):
        texts[f"reg0_c0_{name}"] = ""
    texts.update(reg0_c4_start_day="84", reg0_c4_days="5", reg0_c4_dose="3", reg0_c4_unit="MIU")
    result = evaluate_form(scenario, fields, texts)
    assert result.ok, result.field_errors
    days = [c.start_day for c in result.scenario.regimens["il2_pilot"].courses]
    assert days == [21, 42, 63, 84]
    assert result.scenario == load_scenario("phrc-2016", list(result.overrides))


def test_an_incomplete_new_row_names_the_missing_field():
    scenario, fields, texts = _form()
    texts.update(reg0_c4_start_day="84", reg0_c4_dose="3", reg0_c4_unit="MIU")
    result = evaluate_form(scenario, fields, texts)
    assert result.field_errors == {
        "reg0_c4_days": "--set: regimens.il2_pilot.courses.4.days is missing; set it to the "
        "course length in days."
    }


def test_a_placebo_regimen_with_courses_is_reported_on_the_regimen_then_fixed():
    scenario, fields, texts = _form()
    texts["reg0_drug"] = "placebo"
    result = evaluate_form(scenario, fields, texts)
    assert list(result.field_errors) == ["reg0_group"]
    assert "is given for a placebo regimen" in result.field_errors["reg0_group"]
    for j in range(4):
        for name in ("start_day", "days", "dose", "unit", "per_day", "every_days"):
            texts[f"reg0_c{j}_{name}"] = ""
    texts["reg0_route"] = ""
    result = evaluate_form(scenario, fields, texts)
    assert result.ok, result.field_errors
    assert result.scenario.regimens["il2_pilot"].drug == "placebo"


def test_changing_an_endpoint_kind_asks_to_clear_what_it_does_not_use():
    scenario, fields, texts = _form()
    texts["ep0_kind"] = "salt_change"
    result = evaluate_form(scenario, fields, texts)
    assert result.field_errors == {
        "ep0_percent": _cli_message("phrc-2016", "endpoints.0.kind=salt_change")
    }
    texts["ep0_percent"] = ""
    assert evaluate_form(scenario, fields, texts).ok


def test_text_that_tries_to_inject_yaml_stays_a_value():
    scenario, fields, texts = _form()
    texts["population_n"] = "4, follow_up_weeks: 1"
    result = evaluate_form(scenario, fields, texts)
    assert "population.n must be a whole number" in result.field_errors["population_n"]
    texts["population_n"] = "!!python/object/apply:os.system ['true']"
    result = evaluate_form(scenario, fields, texts)
    assert "not valid YAML" in result.field_errors["population_n"]
    texts["population_n"] = "9" * 500
    assert "at most 200" in evaluate_form(scenario, fields, texts).field_errors["population_n"]


def test_diff_overrides_replaces_what_changed_shape():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 2.0}
    assert diff_overrides(base, {"a": {"b": 1, "c": [1, 3]}, "d": 2}) == ["a.c.1=3"]
    assert diff_overrides(base, {"a": {"b": 1, "c": [1]}, "d": 2.0}) == ["a.c=[1]"]
    assert diff_overrides(base, {"a": {"c": [1, 2]}, "d": 2.0}) == ["a={c: [1, 2]}"]


def test_messages_about_a_regimen_go_to_its_anchor():
    scenario = load_scenario("phrc-2016")
    fields = [
        FormField("drug", "regimens.il2_pilot.drug", "drug"),
        FormField("group", "regimens.il2_pilot", "regimen", editable=False),
    ]
    result = evaluate_form(scenario, fields, {"drug": "placebo"})
    assert list(result.field_errors) == ["group"]


def test_anchors_in_a_field_are_refused():
    scenario, fields, texts = _form()
    texts["visits_weeks"] = "&a [0, *a]"
    result = evaluate_form(scenario, fields, texts)
    assert "uses YAML anchors or aliases" in result.field_errors["visits_weeks"]


def test_the_apps_limits_are_messages_next_to_the_field():
    from tregsim.app.exports import check_app_limits

    scenario, fields, texts = _form()
    texts.update(follow_up_weeks="100000", reg0_c0_days="1000000")
    result = evaluate_form(scenario, fields, texts, check_app_limits)
    assert "above the app's limit of 520 weeks" in result.field_errors["follow_up_weeks"]
    texts["follow_up_weeks"] = "52"
    result = evaluate_form(scenario, fields, texts, check_app_limits)
    assert "has 1000015 administrations" in result.field_errors["reg0_group"]


def test_an_endpoint_and_an_arm_can_be_added_and_removed():
    scenario, fields, texts = _form()
    texts.update(ep8_name="salt75_w52", ep8_kind="salt_reduction", ep8_week="52", ep8_percent="75")
    texts.update(arm2_name="il2_high", arm2_allocation="1", arm2_regimen="il2_pilot")
    result = evaluate_form(scenario, fields, texts)
    assert result.ok, (result.field_errors, result.general_error)
    assert result.scenario.endpoint("salt75_w52").percent == 75
    assert result.scenario.arm_names == ("il2", "placebo", "il2_high")
    assert result.scenario == load_scenario("phrc-2016", list(result.overrides))
    for name in ("name", "allocation", "regimen"):
        texts[f"arm1_{name}"] = ""
    result = evaluate_form(scenario, fields, texts)  # placebo was the control arm
    message = result.field_errors["analysis_control"]
    assert message.startswith("--set: analysis.control_arm 'placebo' is not an arm")
    texts["analysis_control"] = "il2"
    assert evaluate_form(scenario, fields, texts).ok
