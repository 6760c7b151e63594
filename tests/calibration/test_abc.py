"""`tregsim calibrate --quick` end to end (slow-marked, still part of `make test`), resume and
bad input."""

import json

import pytest


@pytest.mark.slow
def test_quick_calibration_writes_posterior_checks_and_resumes(tregsim_cli, tmp_path):
    out = tmp_path / "cal"
    result = tregsim_cli(
        "calibrate", "--method", "abc", "--quick", "--out", str(out), "--quiet", timeout=600
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads((out / "posterior.json").read_text())
    assert doc["ensemble_size"] == 6 and len(doc["weights"]) == 6
    assert abs(sum(doc["weights"]) - 1.0) < 1e-9
    assert 1.0 <= doc["effective_sample_size"] <= 6.0
    # pyabc stops early once the temperature reaches 1 (the exact posterior)
    done = doc["settings"]["generations_done"]
    assert done == 2 or (done == 1 and doc["final_temperature"] == 1.0)
    assert set(doc["checks"]["posterior"]) == set(doc["settings"]["targets"])
    for row in doc["checks"]["posterior"].values():
        assert row.get("failed") or row["lo"] <= row["mean"] <= row["hi"]
    assert {r["parameter"] for r in doc["identifiability"]} == set(doc["settings"]["priors"])
    for name in ("checks.json", "identifiability.csv", "predictive_checks.png", "calibration.md"):
        assert (out / name).stat().st_size > 0, name
    # --resume with every generation done runs nothing new and rewrites the same particles
    again = tregsim_cli(
        "calibrate",
        "--method",
        "abc",
        "--quick",
        "--out",
        str(out),
        "--quiet",
        "--resume",
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "posterior.json").read_text())["members"] == doc["members"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--population", "1"], "--population"),
        (["--scale", "1.5"], "--scale"),
        (["--scheduler", "localhost:8786"], "--scheduler"),
        (["--resume"], "--resume"),
        (["--method", "mcmc"], "--method"),
        (["--design", "3"], "--design"),
        (["--members", "1"], "--members"),
    ],
)
def test_bad_calibrate_options_exit_2_naming_the_option(tregsim_cli, tmp_path, args, field):
    result = tregsim_cli("calibrate", "--out", str(tmp_path / "new"), *args)
    assert result.returncode == 2, result.stderr
    assert field in result.stderr
    assert not (tmp_path / "new" / "abc.db").exists()
    assert not (tmp_path / "new" / "design.jsonl").exists()
