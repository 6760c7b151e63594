"""Designs on common random numbers: grid expansion, the Pareto front, same virtual
patients across variants and null twins, and the same numbers whatever the workers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tregsim.api import run_trial
from tregsim.design import run_design
from tregsim.design.compare import common_patients, expand_grid, pareto_front
from tregsim.errors import TregsimInputError
from tregsim.scenarios import load_scenario

EXAMPLE = Path(__file__).parents[2] / "examples" / "designs" / "phrc-2016-gs.yaml"
SMALL = ["population.n=12", "population.max_screened_per_enrolled=200"]


def test_grid_multiplies_the_axes():
    grid = expand_grid(["population.n=40,80", "regimens.il2_pilot.courses.1.dose=3,4.5"])
    assert len(grid) == 4
    assert ("population.n=80", "regimens.il2_pilot.courses.1.dose=3") in grid
    with pytest.raises(TregsimInputError, match="--grid"):
        expand_grid(["population.n"])


def test_pareto_front_keeps_the_non_dominated():
    rows = [
        {"power": 0.8, "expected_n": 80, "safety_value": 2.0},
        {"power": 0.8, "expected_n": 70, "safety_value": 2.0},  # dominates the first
        {"power": 0.6, "expected_n": 50, "safety_value": 2.0},
        {"power": 0.9, "expected_n": 90, "safety_value": 3.0},
    ]
    assert pareto_front(rows) == [False, True, True, True]


@pytest.fixture(scope="module")
def small_runs(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    scenario = load_scenario(str(EXAMPLE), SMALL)
    common = dict(run_trial=run_trial, progress=False, catalogue=home / "runs.duckdb")
    one = run_design(scenario, 3, 5, run_dir=home / "a", **common)
    two = run_design(scenario, 3, 5, workers=2, run_dir=home / "b", **common)
    null = run_design(scenario, 3, 5, null=True, run_dir=home / "c", **common)
    return one, two, null


def test_same_seed_same_design_numbers_whatever_the_workers(small_runs):
    one, two, _ = small_runs
    assert json.dumps(one.summary["design"]) == json.dumps(two.summary["design"])
    design = one.summary["design"]
    assert design["replicates"] == 3
    assert len(design["efficacy_bounds_z"]) == 2
    assert design["expected_n"] <= design["fixed_n"]
    stops = sum(sum(p.values()) for p in design["stop_probability"].values())
    assert stops == pytest.approx(1.0)


def test_null_twin_runs_on_the_same_virtual_patients(small_runs):
    one, _, null = small_runs
    base = one.patients[one.patients["visit_week"] == 0]
    base_null = null.patients[null.patients["visit_week"] == 0]
    assert common_patients(base, base_null) == 1.0
    assert null.summary["null"] is True
    assert null.summary["type1_error"] == null.summary["design"]["type1_error"]

    # Under the null the il2 arm gets placebo: its week-1 Treg rise is gone.
    def week1_treg(run):
        rows = run.patients[(run.patients["arm"] == "il2") & (run.patients["visit_week"] == 1)]
        return rows["treg_pct_cd4"].mean()

    assert week1_treg(one) > 1.2 * week1_treg(null)


def test_compare_writes_table_plots_and_page(tmp_path, tregsim_cli):
    out = tmp_path / "cmp"
    sets = [x for item in SMALL for x in ("--set", item)]
    result = tregsim_cli(
        "compare", "phrc-2016", EXAMPLE, "--out", out, "-r", "2", *sets,
        "--grid", "regimens.il2_pilot.courses.1.dose=3,4.5", "--safety-endpoint",
        "treg_fold_w12", "--quiet", "--no-type1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for name in ("compare.csv", "compare.json", "compare.png", "front.png", "compare.html"):
        assert (out / name).stat().st_size > 0, name
    rows = json.loads((out / "compare.json").read_text())["rows"]
    assert len(rows) == 4
    assert all(row["same_patients_as_first"] == 1.0 for row in rows)
    assert all(row["same_arms_as_first"] == 1.0 for row in rows)
    assert all(row["type1_error"] is None for row in rows)  # --no-type1: no null twins
    assert [row["design"] == "fixed" for row in rows] == [True, True, False, False]
    assert "phrc-2016-gs" in (out / "compare.html").read_text()


def test_null_without_a_design_reports_the_fixed_designs_type1_error(tmp_path):
    scenario = load_scenario("phrc-2016", SMALL)
    result = run_design(
        scenario, 2, 5, null=True, run_trial=run_trial, progress=False,
        catalogue=tmp_path / "runs.duckdb", run_dir=tmp_path / "run",
    )  # fmt: skip
    assert "design" not in result.summary
    comparison = result.summary["comparisons"]["salt50_w52"]
    assert result.summary["type1_error"] == comparison["rejection_rate"]
    assert set(result.patients["arm"]) == {"il2", "placebo"}


def test_designs_of_one_scenario_share_one_simulation(tmp_path, monkeypatch):
    from tregsim.design.compare import build_variants, compare_variants

    monkeypatch.setenv("TREGSIM_HOME", str(tmp_path))
    variants = build_variants(
        [load_scenario(str(EXAMPLE), SMALL)], ["design.efficacy=obrien-fleming,pocock"]
    )
    engine_runs: list[str] = []
    comparison = compare_variants(
        variants,
        2,
        5,
        run_trial=run_trial,
        run_options={"progress": False},
        progress=engine_runs.append,
    )
    assert len(engine_runs) == 2  # one simulation, one null twin, for both designs
    obf, pocock = (c["summary"]["design"] for c in comparison["summaries"].values())
    assert obf["efficacy_bounds_z"] != pocock["efficacy_bounds_z"]
    assert [r["same_patients_as_first"] for r in comparison["rows"]] == [1.0, 1.0]
    assert all(r["type1_error"] is not None for r in comparison["rows"])


def test_null_twins_of_dose_variants_share_a_simulation():
    from tregsim.design.compare import build_variants, simulation_key

    low, high = build_variants(
        [load_scenario(str(EXAMPLE))], ["regimens.il2_pilot.courses.1.dose=1.5,6"]
    )
    assert simulation_key(low.scenario, False) != simulation_key(high.scenario, False)
    assert simulation_key(low.scenario, True) == simulation_key(high.scenario, True)
    other_design = load_scenario(str(EXAMPLE), ["design.efficacy=pocock"])
    assert simulation_key(other_design, False) == simulation_key(load_scenario(str(EXAMPLE)), False)
