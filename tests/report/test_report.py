"""report.html: one self-contained file with every section; odd runs still render."""

from __future__ import annotations

import json
import re

import pytest
from report_synthetic import make_scenario, synthetic_run

from tregsim.analysis import wilson_interval
from tregsim.report import FIGURES, plot_cli, plot_figure, write_report
from tregsim.report._access import trial_info
from tregsim.report.figures import responder_rates
from tregsim.report.summary_text import summary_paragraph

SECTION_IDS = (
    "summary",
    "protocol",
    "salt",
    "responders",
    "treg",
    "primary",
    "scalp",
    "calibration",
)


def _check_self_contained(html: str) -> None:
    assert not re.search(r"https?://", html), "external reference in report"
    assert not re.search(r"<(script|link)\b", html, re.I)
    for src in re.findall(r'\bsrc="([^"]*)"', html):
        assert src.startswith("data:image/"), src[:60]


def test_report_is_single_self_contained_file(report_two_arms):
    assert [p.name for p in report_two_arms.parent.iterdir()] == ["report.html"]
    html = report_two_arms.read_text(encoding="utf-8")
    _check_self_contained(html)
    for section in SECTION_IDS:
        assert f'id="{section}"' in html, section
    assert html.count("<img ") == len(FIGURES)
    assert "figure could not be drawn" not in html
    assert "Model predictions, not clinical data" in html
    assert "model-0.1" in html and "calibrated (synthetic)" in html
    assert "In 3 simulated trials of 20 patients" in html
    assert "Power:" in html


def test_single_arm_one_replicate(tmp_path):
    summary, patients, scenario = synthetic_run(arms=("il2",), replicates=1)
    with _no_warnings():
        out = write_report(summary, patients, scenario, tmp_path / "r.html")
    html = out.read_text(encoding="utf-8")
    _check_self_contained(html)
    assert html.count("<img ") == len(FIGURES)
    assert "figure could not be drawn" not in html
    assert "single arm" in html
    assert "In one simulated trial of 20 patients" in html


def test_two_arms_one_replicate_uses_wilson(tmp_path):
    summary, patients, scenario = synthetic_run(replicates=1)
    html = write_report(summary, patients, scenario, tmp_path / "r.html").read_text()
    assert "figure could not be drawn" not in html
    assert "single simulated trial the difference" in html


def test_minimal_inputs_still_render(tmp_path, run_two_arms):
    """No scenario object, no calibration: falls back to summary and patients."""
    summary, patients, _ = run_two_arms
    summary = {k: v for k, v in summary.items() if k != "calibration"}
    html = write_report(summary, patients, None, tmp_path / "r.html").read_text()
    assert "figure could not be drawn" not in html
    assert "not calibrated" in html


def test_summary_paragraph_numbers(run_two_arms):
    summary, patients, scenario = run_two_arms
    info = trial_info(summary, patients, scenario)
    text = summary_paragraph(summary, info, patients)
    il2 = summary["arms"]["il2"]["endpoints"]["salt50_w52"]
    assert f"{100 * il2['mean']:.0f}% (95% range {100 * il2['lo']:.0f}" in text
    power = summary["comparisons"]["salt50_w52"]["power"]
    assert f"in {100 * power:.0f}% of simulated trials" in text
    assert "model predictions" in text


def test_wilson_interval_reference():
    # Wilson 95% for 7/20: (0.1812, 0.5671) (Newcombe 1998, method 3)
    lo, hi = wilson_interval(7, 20)
    assert lo == pytest.approx(0.1812, abs=1e-4)
    assert hi == pytest.approx(0.5671, abs=1e-4)


def test_responder_rates_match_direct_count(run_two_arms):
    summary, patients, _ = run_two_arms
    rates = responder_rates(patients, "reduction", 50)
    at52 = rates[(rates["visit_week"] == 52) & (rates["arm"] == "il2")].sort_values("replicate")
    expected = summary["arms"]["il2"]["endpoints"]["salt50_w52"]["replicates"]
    assert list(at52["rate"] / 100) == pytest.approx(expected)


def test_responder_curves_use_the_analysis_baselines(run_two_arms):
    """The responder curves take each subject's baseline from tregsim.analysis (the week-0
    value; a missing one is not replaced by a later visit), so at week 52 they count the
    SALT50 responders of the analysis (non-responder imputation), also for shuffled rows."""
    import numpy as np

    from tregsim.analysis import subject_values
    from tregsim.protocol import Endpoint

    _, patients, _ = run_two_arms
    patients = patients.copy()
    week0 = patients["visit_week"] == 0
    patients.loc[week0 & (patients["subject"] % 4 == 0), "salt_observed"] = np.nan
    patients = patients.sample(frac=1.0, random_state=3)
    rates = responder_rates(patients, "reduction", 50).set_index(["replicate", "arm"])
    rates = rates[rates["visit_week"] == 52]["rate"]
    spec = Endpoint(name="salt50", kind="salt_reduction", week=52, percent=50)
    for (replicate, arm), visits in patients.groupby(["replicate", "arm"]):
        expected = 100.0 * subject_values(visits, spec)["value"].mean()
        assert rates[(replicate, arm)] == pytest.approx(expected)


def test_report_reads_only_its_columns(run_two_arms):
    """The report drops the patient columns it does not read before drawing."""
    from tregsim.report.html import REPORT_COLUMNS, _report_columns

    _, patients, _ = run_two_arms
    extra = patients.assign(age=40.0, sex="F", status=0)
    slim = _report_columns(extra)
    assert set(slim.columns) <= set(REPORT_COLUMNS) and set(patients.columns) & set(
        REPORT_COLUMNS
    ) == set(slim.columns)
    assert _report_columns(slim) is slim


@pytest.mark.parametrize("name", ["scalp", "primary"])
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_figure_by_suffix(tmp_path, run_two_arms, name, suffix):
    out = plot_figure(name, *run_two_arms, tmp_path / f"f{suffix}")
    head = out.read_bytes()[:200]
    assert head.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in head or b"<?xml" in head


def test_plot_figure_rejects_bad_arguments(tmp_path, run_two_arms):
    with pytest.raises(ValueError, match="figure='nope'"):
        plot_figure("nope", *run_two_arms, tmp_path / "f.png")
    with pytest.raises(ValueError, match=r"\.png, \.svg or \.pdf"):
        plot_figure("salt", *run_two_arms, tmp_path / "f.gif")


def test_plot_cli_reads_run_directory(tmp_path, run_two_arms):
    summary, patients, scenario = run_two_arms
    patients.to_parquet(tmp_path / "patients.parquet", index=False)
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    out = plot_cli(tmp_path, "responders")
    assert out == tmp_path / "responders.png" and out.stat().st_size > 1000
    report = plot_cli(tmp_path, "report")
    assert "figure could not be drawn" not in report.read_text()


class _no_warnings:
    """Fail on any warning (a failed figure is reported as a warning)."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def test_write_report_accepts_trial_result_and_folder(tmp_path, run_two_arms):
    """tregsim.trial.TrialResult.write calls write_report(result, out_dir)."""
    from types import SimpleNamespace

    summary, patients, scenario = run_two_arms
    config = {**scenario.payload(), "name": "cfg"}
    result = SimpleNamespace(summary={**summary, "scenario_config": config}, patients=patients)
    out = write_report(result, tmp_path)
    assert out == tmp_path / "report.html"
    html = out.read_text()
    assert "figure could not be drawn" not in html and "<h1>cfg</h1>" in html


def test_dosing_days_are_the_simulated_administrations():
    """A weekly course of 28 days doses on days 0, 7, 14 and 21 (Regimen.administrations),
    not every day (the report drew a dose on each of the 28 days before)."""
    weekly = make_scenario().with_overrides(
        ["regimens.il2_pilot.courses=[{start_day: 0, days: 28, every_days: 7, dose: 1, unit: MIU}]"]
    )
    info = trial_info({}, None, weekly)
    arm = next(a for a in info.arms if a.name == "il2")
    expected = [a.day for a in weekly.regimen_of("il2").administrations()]
    assert arm.dose_days() == expected == [0.0, 7.0, 14.0, 21.0]
    assert "days 0-21 every 7 days" in arm.regimen_text()
