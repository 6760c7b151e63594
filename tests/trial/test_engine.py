"""Trial engine tests with a fake simulation layer (no model, no solver needed)."""

import functools
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import tregsim.trial.engine as trial
from tregsim.api import run_trial
from tregsim.rng import patient_rng
from tregsim.trial import simulate_cohort, visit_days, visit_weeks

CONTRACT_COLUMNS = [
    "replicate", "subject", "arm", "stratum", "visit_week", "day", "salt_true",
    "salt_observed", "treg_pct_cd4", "treg_pct_cd4_observed", "treg_naive_pct_cd4",
    "treg_naive_pct_cd4_observed", "treg_activated_pct_cd4", "treg_activated_pct_cd4_observed",
    "nk_per_ul", "cd8_per_ul",
    "dropped_out", "status", "age", "sex", "bsa_m2", "weight_kg", "subtype",
    "episode_years", "salt_screening",
]  # fmt: skip


def fake_enroll(scenario, seed, replicate, n):
    u = np.array([patient_rng(seed, replicate, i, "population").random(3) for i in range(n)])
    salt = np.round(50 + 50 * u[:, 1])
    covariates = pd.DataFrame(
        {
            "subject": np.arange(n),
            "age": 18 + 42 * u[:, 2],
            "sex": np.where(u[:, 2] < 0.5, "F", "M"),
            "bsa_m2": 1.8,
            "weight_kg": 70.0,
            "subtype": "patchy",
            "episode_years": 0.5,
            "salt_screening": salt,
            "stratum": np.where(salt >= 75, "SALT75-100", "SALT50-74"),
        }
    )
    return SimpleNamespace(params=u, covariates=covariates, y0=None, fluctuation_events=None,
                           n_screened=2 * n)  # fmt: skip


def make_fake_simulation(response_rate):
    """SALT falls towards 10 % of baseline in responders (rate per arm), else drifts a bit."""

    def fake(cohort, arms, scenario, visit_days):
        u = np.asarray(cohort.params)
        rate = np.array([response_rate[str(a)] for a in arms])
        responder = u[:, 0] < rate
        baseline = cohort.covariates["salt_screening"].to_numpy(float)
        fraction = np.where(responder, 0.9, 0.15 * u[:, 2])
        ramp = 1 - np.exp(-visit_days / 60.0)
        salt = baseline[:, None] * (1 - fraction[:, None] * ramp)
        treated = np.array([response_rate[str(a)] > min(response_rate.values()) for a in arms])
        treg = 5.0 * (1 + 0.3 * treated[:, None] * np.exp(-visit_days / 30.0) * (visit_days > 0))
        return {
            "salt": salt,
            "treg_pct_cd4": treg,
            "treg_naive_pct_cd4": 0.75 * treg,
            "treg_activated_pct_cd4": 0.25 * treg,
            "nk_per_ul": np.full(salt.shape, 250.0),
            "cd8_per_ul": 400.0 * (1 + 0.05 * u[:, [1]]) * np.ones_like(salt),
            "status": np.zeros(len(arms), dtype=np.int64),
        }

    return fake


@pytest.fixture(autouse=True)
def _own_catalogue(tmp_path, monkeypatch):
    """run_trial records runs in the catalogue: keep it in the test's folder."""
    monkeypatch.setenv("TREGSIM_HOME", str(tmp_path / "home"))


@pytest.fixture
def scenario():
    from tregsim import load_scenario

    # the fake simulation layer has no model states to drive adverse events (tests/safety)
    full = load_scenario("phrc-2016")
    kept = tuple(e for e in full.endpoints if not e.kind.value.startswith("ae_"))
    return full.model_copy(update={"endpoints": kept})


class Fakes:
    """simulate_replicate with its two seams (enrolment, simulation) replaced by fakes."""

    def __init__(self):
        self(il2=0.6, placebo=0.05)

    def __call__(self, il2=0.6, placebo=0.05):
        self.replicate = functools.partial(
            trial.simulate_replicate,
            enroll=fake_enroll,
            simulate=make_fake_simulation({"il2": il2, "placebo": placebo}),
        )


@pytest.fixture
def fakes():
    return Fakes()


def test_replicate_patients_table_and_results(scenario, fakes):
    result = fakes.replicate(scenario, seed=1, replicate=0)
    patients = result.patients
    assert list(patients.columns) == CONTRACT_COLUMNS
    n = scenario.population.n
    weeks = visit_weeks(scenario)
    assert len(patients) == n * len(weeks)
    assert patients["salt_observed"].dropna().between(0, 100).all()
    assert (patients.loc[patients.dropped_out, "salt_observed"].isna()).all()
    assert result.n_screened == 2 * n and result.n_failed == 0
    assert set(result.endpoints) == {"il2", "placebo"}
    names = [e.name for e in scenario.endpoints]
    assert set(result.comparisons) == set(names)
    assert set(result.endpoints["il2"]) == set(names)
    counts = patients[patients.visit_week == 0].arm.value_counts()
    assert abs(counts["il2"] - counts["placebo"]) <= 4  # permuted blocks
    again = fakes.replicate(scenario, seed=1, replicate=0)
    pd.testing.assert_frame_equal(patients, again.patients)


@pytest.mark.parametrize("responder_test", ["fisher", "cmh"])
def test_replicate_results_equal_those_from_its_patients_table(scenario, fakes, responder_test):
    """simulate_replicate computes endpoints from its (n, m) arrays: the numbers must be
    exactly those of subject_values / arm_values / compare_arms on the patients table."""
    from tregsim.analysis import (
        AnalysisOptions,
        arm_values,
        compare_arms,
        subject_values,
    )

    alt = scenario.model_copy(
        update={
            "dropout": scenario.dropout.model_copy(
                update={"per_visit": 0.05, "non_responder_extra": 0.2}
            ),
            "analysis": scenario.analysis.model_copy(update={"responder_test": responder_test}),
        }
    )
    result = fakes.replicate(alt, seed=4, replicate=2)
    assert result.patients["dropped_out"].any()
    options = AnalysisOptions.from_any(alt.analysis)
    for spec in alt.endpoints:
        values = subject_values(result.patients, spec)
        per_arm = {arm: result.endpoints[arm][spec.name] for arm in result.endpoints}
        assert json.dumps(arm_values(values, spec), sort_keys=True) == json.dumps(
            per_arm, sort_keys=True
        )
        expected = compare_arms(result.patients, spec, "il2", "placebo", options, values=values)
        got = result.comparisons[spec.name]
        assert json.dumps(got.as_dict()) == json.dumps(expected.as_dict())


def test_run_trial_reproducible_and_replicate_independent(scenario, fakes, tmp_path, monkeypatch):
    first = run_trial(scenario, replicate_fn=fakes.replicate, replicates=3, seed=5, progress=False)
    second = run_trial(scenario, replicate_fn=fakes.replicate, replicates=3, seed=5, progress=False)
    assert json.dumps(first.summary) == json.dumps(second.summary)
    alone = fakes.replicate(scenario, 5, 2)
    primary = scenario.analysis.primary
    assert first.summary["comparisons"][primary]["p_values"][2] == pytest.approx(
        alone.comparisons[primary].p_value
    )
    summary = first.summary
    assert summary["scenario"] == "phrc-2016" and summary["seed"] == 5
    assert summary["replicates"] == 3 and "tregsim_version" in summary
    entry = summary["arms"]["il2"]["endpoints"][primary]
    assert len(entry["replicates"]) == 3 and entry["mean"] is not None
    comp = summary["comparisons"][primary]
    assert {"test", "estimates", "ci", "p_values", "power"} <= set(comp)

    import tregsim.api

    called = []
    monkeypatch.setattr(
        tregsim.api, "write_report",
        lambda summary, patients, scenario, out: called.append(out.write_text("ok")),
    )  # fmt: skip
    out = tmp_path / "run"
    first.write(out)
    assert {p.name for p in out.iterdir()} == {
        "summary.json", "patients.parquet", "adsl.csv", "adeff.csv", "adae.csv", "report.html",
    }  # fmt: skip
    assert json.loads((out / "summary.json").read_text())["seed"] == 5
    assert len(pd.read_parquet(out / "patients.parquet")) == len(first.patients)
    adsl = pd.read_csv(out / "adsl.csv")
    assert len(adsl) == 3 * scenario.population.n and adsl["USUBJID"].is_unique
    adeff = pd.read_csv(out / "adeff.csv")
    assert {"PARAMCD", "AVAL", "BASE", "CHG", "AVISITN"} <= set(adeff.columns)
    first.write(out)  # overwrite an existing folder
    assert not [p for p in out.iterdir() if p.name.startswith(".tregsim-")]


def test_strong_effect_gives_power_near_one(scenario, fakes):
    fakes(il2=0.9, placebo=0.02)
    summary = run_trial(
        scenario, replicate_fn=fakes.replicate, replicates=8, seed=3, progress=False
    ).summary
    primary = scenario.analysis.primary
    assert summary["comparisons"][primary]["power"] == 1.0
    change = [k for k, v in summary["comparisons"].items() if v["test"] == "ancova"]
    assert change and all(summary["comparisons"][k]["power"] >= 0.9 for k in change)


def test_cmh_and_random_intercept_options(scenario, fakes):
    alt = scenario.model_copy(
        update={"analysis": scenario.analysis.model_copy(
            update={"responder_test": "cmh", "missing_continuous": "random_intercept"})}
    )  # fmt: skip
    result = fakes.replicate(alt, seed=2, replicate=1)
    tests = {c.test for c in result.comparisons.values()}
    assert "cmh" in tests
    assert "random_intercept" in tests or any(
        "fell back" in c.note for c in result.comparisons.values()
    )


@pytest.mark.slow
def test_real_simulation_layer_runs(scenario):
    """simulate_cohort with the real model, dosing and solver (population faked)."""
    from tregsim import model

    n = 4
    params = np.tile(model.MODEL.default_parameters, (n, 1))
    cohort = SimpleNamespace(
        params=params,
        y0=model.initial_state(params),
        covariates=pd.DataFrame({"subject": range(n), "weight_kg": 70.0, "bsa_m2": 1.8}),
        fluctuation_events=None,
    )
    arms = np.array(["il2", "placebo", "il2", "placebo"], dtype=object)
    days = visit_days(scenario, 1, 0, np.arange(n))
    out = simulate_cohort(cohort, arms, scenario, days)
    assert out["salt"].shape == days.shape and np.all(out["status"] == 0)
    # the IL-2 arm's Treg % rises above the placebo arm's after the first course
    assert out["treg_pct_cd4"][0, 1:3].max() > out["treg_pct_cd4"][1, 1:3].max()


def _stand_in_adverse_events(calls):
    """An adverse-event stage: one event at the first post-baseline visit of every il2
    patient, none on placebo (NaN at missed visits), recording what it was handed."""
    from tregsim.protocol import AE_ENDPOINT_KINDS
    from tregsim.safety.events import SafetyResult

    def stage(scenario, cohort, arm_names, days, dropped, status, seed, replicate):
        calls.append((np.asarray(arm_names).copy(), dropped.copy(), seed, replicate))
        hit = np.zeros(days.shape)
        hit[:, 1] = (np.asarray(arm_names) == "il2").astype(float)
        grid = np.where(dropped, np.nan, hit)
        rows = np.flatnonzero(np.isfinite(grid[:, 1]) & (grid[:, 1] > 0))
        events = pd.DataFrame(
            {"row": rows, "kind": "il2_dose_related", "day": 3, "grade": 1, "cause": "drug"}
        ).assign(visit=1)
        counts = {
            kind: grid if kind in ("ae_any", "ae_il2_dose_related") else grid * 0
            for kind in sorted(AE_ENDPOINT_KINDS)
        }
        log = np.where(grid > 0, "il2_dose_related@3:1:drug", "").astype(object)
        return SafetyResult(events=events, counts=counts, log=log, in_play=("il2_dose_related",))

    return stage


def test_adverse_event_stage_is_a_seam():
    """The stage gets the dropout mask; its counts become patients columns, AE endpoints
    and the replicate's safety digest. Without it (None) the AE endpoints are missing."""
    from tregsim import load_scenario

    full = load_scenario("phrc-2016")  # with its ae_* endpoints
    calls = []
    replicate = functools.partial(
        trial.simulate_replicate,
        enroll=fake_enroll,
        simulate=make_fake_simulation({"il2": 0.6, "placebo": 0.05}),
        adverse_events=_stand_in_adverse_events(calls),
    )
    result = replicate(full, seed=2, replicate=1)
    arms, dropped, seed, rep = calls[0]
    assert (seed, rep) == (2, 1) and dropped.shape == (len(arms), len(visit_weeks(full)))
    patients = result.patients
    assert {"ae_any", "ae_il2_dose_related", "ae_log"} <= set(patients.columns)
    assert result.endpoints["il2"]["ae_any_w12"] == 1.0
    assert result.endpoints["placebo"]["ae_any_w12"] == 0.0
    assert result.endpoints["il2"]["ae_eosinophilia_w12"] == 0.0
    assert result.safety["endpoints"]["ae_any_w12"]["placebo"][0] == 0
    skipped = trial.simulate_replicate(
        full,
        2,
        1,
        enroll=fake_enroll,
        simulate=make_fake_simulation({"il2": 0.6, "placebo": 0.05}),
        adverse_events=None,
    )
    assert "ae_any" not in skipped.patients.columns and skipped.safety is None
    assert np.isnan(skipped.endpoints["il2"]["ae_any_w12"])
