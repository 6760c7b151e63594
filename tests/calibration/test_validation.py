"""`tregsim validate`: case checking (exit 2 naming the field) and the summary statistics."""

import json

import numpy as np
import pytest
import yaml

from tregsim.calibration.loo import leave_one_out
from tregsim.calibration.validation import summarise

CASE = {
    "name": "bari",
    "scenario": "brave-aa1",
    "arm": "baricitinib_2mg",
    "endpoint": {"kind": "salt_at_most", "threshold": 20, "week": 36},
    "observed": {"value": 0.228, "n": 184},
}


def _write(tmp_path, case):
    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump({"cases": [case]}))
    return path


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scenario": "no-such-trial"}, "cases.bari.scenario"),
        ({"arm": "il2"}, "cases.bari.arm"),
        ({"versus": "nobody"}, "cases.bari.versus"),
        ({"endpoint": {"kind": "salt_at_least", "week": 36}}, "cases.bari.endpoint"),
        ({"observed": {"value": 1.2, "n": 184}}, "cases.bari.observed.value"),
        ({"observed": {"value": 0.2, "n": 0}}, "cases.bari.observed.n"),
    ],
)
def test_bad_case_exits_2_naming_the_field(tregsim_cli, tmp_path, change, field):
    path = _write(tmp_path, {**CASE, **change})
    result = tregsim_cli("validate", str(path), "--out", str(tmp_path / "v"))
    assert result.returncode == 2, result.stderr
    assert field in result.stderr
    assert not (tmp_path / "v").exists()


def test_summary_interval_pit_and_inside():
    values = np.linspace(0.0, 1.0, 101)
    row = summarise(0.3, values)
    assert row["lo"] == pytest.approx(0.025) and row["hi"] == pytest.approx(0.975)
    assert row["pit"] == pytest.approx(31 / 101) and row["inside"]
    assert not summarise(0.99, values)["inside"]


def test_leave_one_out_reweights_away_from_the_left_out_target():
    """Particles that fit the left-out target well lose weight; its prediction widens."""
    members = [{"activity_sd": 0.3}] * 4
    values = [
        {
            "placebo_brave_w36": {"k": float(k), "n": 62.0},
            "baricitinib_2mg_w36": {"k": 14.0, "n": 62.0},
        }
        for k in (4, 4, 20, 30)
    ]
    doc = {
        "members": members,
        "weights": [0.25] * 4,
        "member_values": values,
        "settings": {"targets": ["placebo_brave_w36", "baricitinib_2mg_w36"]},
    }
    result = leave_one_out(doc)
    rows = {r["name"]: r for r in result["cases"]}
    assert set(rows) == {"placebo_brave_w36", "baricitinib_2mg_w36"}
    assert rows["placebo_brave_w36"]["predicted_mean"] > 0.1  # the misfits gained weight
    assert rows["baricitinib_2mg_w36"]["inside"]
    assert 0.0 <= result["coverage"] <= 1.0
    json.dumps(result)


def test_unknown_leave_one_out_target_exits_2_naming_the_option(tregsim_cli, tmp_path):
    out = tmp_path / "v"
    result = tregsim_cli(
        "validate", "--leave-one-out", "--loo-target", "no_such_target", "--out", str(out)
    )
    assert result.returncode == 2, result.stderr
    assert "--loo-target" in result.stderr and "treg_dilt1d_ed10" in result.stderr
    assert not out.exists()
