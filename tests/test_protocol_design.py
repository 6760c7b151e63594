"""The scenario's design section: valid designs load, bad ones exit 2 naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tregsim.errors import TregsimInputError
from tregsim.scenarios import load_scenario

EXAMPLE = Path(__file__).parents[1] / "examples" / "designs" / "phrc-2016-gs.yaml"


def test_example_design_loads():
    scenario = load_scenario(str(EXAMPLE))
    assert scenario.design.interims == (0.5,)
    assert scenario.design.futility.rule == "predictive-probability"
    # Without a design section the scenario (and its hash) is unchanged.
    assert "design" not in load_scenario("phrc-2016").to_dict()


# (case, --set value, field named in the message)
BAD = [
    ("interims not increasing", "design.interims=[0.6, 0.5]", "design.interims.1"),
    ("interim at 1", "design.interims=[1.0]", "design.interims.0"),
    ("interim at 0", "design.interims=[0]", "design.interims.0"),
    ("unknown spending", "design.efficacy=haybittle", "design.efficacy"),
    ("unknown futility rule", "design.futility.rule=bayes", "design.futility.rule"),
    ("threshold above 1", "design.futility.below=1.5", "design.futility.below"),
    ("threshold 0", "design.futility.below=0", "design.futility.below"),
    (
        "max_n below n",
        "design.sample_size_reestimation={rule: promising-zone, max_n: 50}",
        "design.sample_size_reestimation.max_n",
    ),
    (
        "unknown re-estimation rule",
        "design.sample_size_reestimation={rule: blinded, max_n: 120}",
        "design.sample_size_reestimation.rule",
    ),
    ("zero accrual", "design.accrual_per_month=0", "design.accrual_per_month"),
]


@pytest.mark.parametrize(("case", "override", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_design_is_refused_naming_the_field(case, override, field):
    with pytest.raises(TregsimInputError) as info:
        load_scenario(str(EXAMPLE), [override])
    assert info.value.field == field, (info.value.field, str(info.value))
    assert field in str(info.value)
    assert str(info.value).count(". ") == 0  # one sentence


@pytest.mark.parametrize("case", [BAD[0], BAD[3], BAD[5], BAD[7]], ids=lambda c: c[0])
def test_cli_exits_2_on_a_bad_design(tmp_path, tregsim_cli, case):
    out = tmp_path / "out"
    result = tregsim_cli("run", EXAMPLE, "--out", out, "--quiet", "--set", case[1])
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and case[2] in lines[0], result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
