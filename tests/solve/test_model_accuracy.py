"""Rodas4 on the real tregsim model against scipy Radau at rtol 1e-10.

20 candidates from ``tregsim.population.draw_candidates`` (state at study day 0 from the
natural history), one year of the pilot-2014 IL-2 regimen (20 SC doses in 10 weeks) with
the disease-activity ``set`` events every 60 days; saved twice a day during dosing and
twice a week after. At the solver's default tolerances (the model's DEFAULT_RTOL and
DEFAULT_ATOL) the error must stay within 1e-5 of each species' range.
"""

import numpy as np
import pytest

N_PATIENTS = 20
#: Every distinct built-in regimen (scenario, regimen); placebo is the natural history alone.
REGIMENS = (
    ("pilot-2014", "il2_pilot"),
    ("phrc-2016", "placebo"),
    ("brave-aa1", "bari_4mg"),
    ("brave-aa1", "bari_2mg"),
    ("dilt1d", "il2_0p04"),
    ("dilt1d", "il2_1p5"),
    ("hartemann-2013", "il2_0p33"),
    ("hartemann-2013", "il2_3"),
    ("high-dose-il2", "il2_high_iv"),
    ("high-dose-il2", "il2_low_sc"),
)
PER_REGIMEN = 3


def _error_per_species_range(values, params, y0, events, save, min_span, patients=None):
    """Max |values - Radau (rtol 1e-10)| per species over ``patients`` (default all) and
    times, divided by the species' range in their reference (1 where the range is at most
    ``min_span``)."""
    from tregsim.model.reference import solve_reference

    patients = range(len(params)) if patients is None else patients
    ref = []
    for i in patients:
        m = events.patient == i
        ev = list(
            zip(events.time[m], events.state[m], events.kind[m], events.value[m], strict=True)
        )
        ref.append(solve_reference(params[i], y0[i], ev, save))
    ref = np.array(ref)
    span = np.nanmax(ref, axis=(0, 1)) - np.nanmin(ref, axis=(0, 1))
    span = np.where(span > min_span, span, 1.0)
    return np.max(np.abs(values[list(patients)] - ref), axis=(0, 1)) / span


@pytest.fixture(scope="module")
def problem():
    from tregsim.model.dosing import dose_events
    from tregsim.population import (
        PopulationSpec,
        draw_candidates,
        natural_history_events,
        simulate_to_screening,
    )
    from tregsim.population.ensemble import member_for_replicate
    from tregsim.scenarios import load_scenario
    from tregsim.solve import EventTable

    seed = 2014
    scenario = load_scenario("pilot-2014")
    spec = PopulationSpec().with_member(member_for_replicate(seed, 0))
    cand = draw_candidates(seed, 0, np.arange(N_PATIENTS), spec)
    y0 = simulate_to_screening(seed, 0, cand, spec)[:, 0, :]
    nat = natural_history_events(seed, 0, cand.ids, cand.trigger_day, 365.0, spec)
    keep = nat.time > 0.0
    tables = [
        EventTable(
            nat.time[keep], nat.patient[keep], nat.state[keep], nat.kind[keep], nat.value[keep]
        )
    ]
    regimen = scenario.regimens["il2_pilot"]
    for i in range(N_PATIENTS):
        tables.append(
            dose_events(
                regimen,
                i,
                float(cand.covariates["weight_kg"][i]),
                float(cand.covariates["bsa_m2"][i]),
            )
        )
    events = EventTable.concat(tables)
    save = np.unique(np.concatenate([np.arange(0.0, 70.0, 0.5), np.arange(0.0, 365.5, 3.5)]))
    return cand.params, y0, events, save


@pytest.fixture(scope="module")
def solved(problem):
    from tregsim.solve import solve_batch

    params, y0, events, save = problem
    return solve_batch(params, y0, events, save)


def test_default_tolerance_solves_every_patient_without_wasted_steps(solved):
    assert solved.n_failed == 0
    # the step controller does not waste work on rejections
    assert np.mean(solved.n_rejected) < 0.05 * np.mean(solved.n_steps)


#: The year's 20 patients in groups, so that the (slow) Radau references spread over workers.
PATIENT_GROUPS = [range(g, g + 5) for g in range(0, N_PATIENTS, 5)]


@pytest.mark.parametrize(
    "patients", PATIENT_GROUPS, ids=lambda r: f"patients{r.start}-{r.stop - 1}"
)
def test_default_tolerance_within_1e_minus_5_of_each_species_range(problem, solved, patients):
    params, y0, events, save = problem
    # a species the regimen never touches (baricitinib here) has a reference range of round-off
    # (Radau: ~1e-27 with some posterior members): its error is measured against 1, not that
    err = _error_per_species_range(
        solved.values, params, y0, events, save, min_span=1e-12, patients=patients
    )
    assert np.all(np.isfinite(err))
    assert err.max() <= 1e-5, dict(enumerate(err))


def _regimen_problem(k: int, scenario_name: str, regimen_name: str):
    """PER_REGIMEN candidates at study day 0, the regimen and their natural history."""
    from tregsim.model.dosing import cohort_dose_events
    from tregsim.population import (
        PopulationSpec,
        draw_candidates,
        natural_history_events,
        simulate_to_screening,
    )
    from tregsim.population.ensemble import member_for_replicate
    from tregsim.scenarios import load_scenario
    from tregsim.solve import EventTable

    seed = 77
    scenario = load_scenario(scenario_name)
    spec = PopulationSpec().with_member(member_for_replicate(seed, k))
    cand = draw_candidates(seed, k, np.arange(PER_REGIMEN), spec)
    y0 = simulate_to_screening(seed, k, cand, spec)[:, 0, :]
    end = min(float(scenario.follow_up_weeks) * 7.0, 84.0)
    nat = natural_history_events(seed, k, cand.ids, cand.trigger_day, end, spec)
    keep = nat.time > 0.0
    tables = [
        EventTable(
            nat.time[keep], nat.patient[keep], nat.state[keep], nat.kind[keep], nat.value[keep]
        )
    ]
    regimen = scenario.regimens[regimen_name]
    if regimen.drug != "placebo":
        tables.append(
            cohort_dose_events(
                regimen,
                np.arange(PER_REGIMEN),
                cand.covariates["weight_kg"].to_numpy(),
                cand.covariates["bsa_m2"].to_numpy(),
            )
        )
    events = EventTable.concat(tables)
    save = np.unique(np.concatenate([np.arange(0.0, end, 0.25), [end]]))
    return cand.params, y0, events, save


@pytest.mark.parametrize(
    ("k", "scenario_name", "regimen_name"),
    [(k, *pair) for k, pair in enumerate(REGIMENS)],
    ids=[regimen for _, regimen in REGIMENS],
)
def test_every_builtin_regimen_within_1e_minus_5_of_each_species_range(
    k, scenario_name, regimen_name
):
    """3 sampled patients per distinct built-in regimen, 12 weeks saved every 6 h, against
    Radau at rtol 1e-10 (with the 20-patient year above: 50 patients). Measured at the
    default tolerances: worst 4.6e-6 of a species' range (il2_peripheral, 5-day courses)."""
    from tregsim.solve import solve_batch

    params, y0, events, save = _regimen_problem(k, scenario_name, regimen_name)
    sol = solve_batch(params, y0, events, save)
    assert sol.n_failed == 0
    err = _error_per_species_range(sol.values, params, y0, events, save, min_span=1e-12)
    assert err.max() <= 1e-5, (float(err.max()), int(err.argmax()))


def test_sparse_lu_matches_dense_lu():
    from tregsim.model import MODEL, _generated, initial_state
    from tregsim.solve.rosenbrock import dense_lu_load, lu_factor, lu_solve

    rng = np.random.default_rng(0)
    p = MODEL.default_parameters * rng.lognormal(0, 0.2, MODEL.n_params)
    y = initial_state(p)[0] * rng.lognormal(0, 0.5, MODEL.n_states) + 0.01
    n = MODEL.n_states
    jmat = np.zeros((n, n))
    _generated.jac(0.0, y, p, jmat)
    jvals = np.full(_generated.JAC_NNZ, np.nan)
    _generated.jac_values(0.0, y, p, jvals)
    rows, cols = np.array(_generated.JAC_NONZERO).T
    np.testing.assert_array_equal(jvals, jmat[rows, cols])  # same kernels, same order
    assert np.count_nonzero(jmat) <= _generated.JAC_NNZ
    scattered = np.zeros((n, n))
    _generated.jac_scatter(jvals, scattered)
    np.testing.assert_array_equal(scattered, jmat)
    b = rng.standard_normal(n)
    piv = np.zeros(n, dtype=np.int64)
    for inv_hg in (1e-3, 1.0, 1e4):
        e_dense = np.empty((n, n))
        dense_lu_load(jmat, inv_hg, e_dense)
        expected = np.linalg.solve(e_dense.copy(), b)
        assert lu_factor(e_dense, piv)
        x_dense = b.copy()
        lu_solve(e_dense, piv, x_dense)
        e_sparse = np.full(_generated.LU_NNZ, np.nan)  # every packed entry must be written
        _generated.lu_load(jvals, inv_hg, e_sparse)
        assert np.all(np.isfinite(e_sparse))
        assert _generated.lu_factor(e_sparse, piv)
        x = b.copy()
        _generated.lu_solve(e_sparse, piv, x)
        np.testing.assert_allclose(x_dense, expected, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(x, expected, rtol=1e-9, atol=1e-12 * np.abs(expected).max())
