"""Statistics against scipy / statsmodels / textbook values on fixed data."""

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from tregsim.analysis import (
    ancova,
    cmh_test,
    fisher_risk_difference,
    newcombe_interval,
    wilson_interval,
)


def test_wilson_and_newcombe_against_statsmodels():
    assert wilson_interval(7, 20) == pytest.approx(proportion_confint(7, 20, method="wilson"))
    ours = newcombe_interval(15, 40, 6, 40)
    ref = confint_proportions_2indep(15, 40, 6, 40, method="newcomb", compare="diff")
    assert ours == pytest.approx(ref, abs=1e-10)
    # Newcombe 1998 Table II example (a): 56/70 vs 48/80 -> 0.0524 to 0.3339
    low, high = newcombe_interval(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_fisher_risk_difference_matches_scipy():
    result = fisher_risk_difference(12, 40, 4, 40)
    assert result.test == "fisher"
    assert result.estimate == pytest.approx(0.2)
    assert result.p_value == pytest.approx(stats.fisher_exact([[12, 28], [4, 36]]).pvalue)
    assert result.ci_low < 0.2 < result.ci_high


def test_cmh_matches_statsmodels():
    rng = np.random.default_rng(4)
    strata = rng.choice(["a", "b", "c"], size=150)
    treated = rng.random(150) < 0.5
    response = rng.random(150) < np.where(treated, 0.5, 0.25)
    result = cmh_test(response, treated, strata)
    tables = []
    for s in ["a", "b", "c"]:
        m = strata == s
        t, r = treated[m], response[m]
        tables.append([[np.sum(t & r), np.sum(t & ~r)], [np.sum(~t & r), np.sum(~t & ~r)]])
    ref = StratifiedTable(np.dstack([np.array(t, dtype=float) for t in tables]))
    assert result.p_value == pytest.approx(ref.test_null_odds(correction=False).pvalue)
    assert result.estimate == pytest.approx(ref.oddsratio_pooled)
    assert (result.ci_low, result.ci_high) == pytest.approx(ref.oddsratio_pooled_confint())
    assert result.null_value == 1.0


def test_cmh_constant_response_is_not_significant():
    result = cmh_test(np.zeros(20, bool), np.arange(20) % 2 == 0, np.repeat(["a", "b"], 10))
    assert result.p_value == 1.0


def test_ancova_equals_direct_ols():
    rng = np.random.default_rng(5)
    baseline = rng.uniform(50, 100, 60)
    treated = np.arange(60) % 2
    outcome = -5 - 10 * treated + 0.2 * baseline + rng.normal(0, 8, 60)
    result = ancova(outcome, treated, baseline)
    fit = sm.OLS(outcome, np.column_stack([np.ones(60), treated, baseline])).fit()
    assert result.estimate == pytest.approx(fit.params[1])
    assert result.p_value == pytest.approx(fit.pvalues[1])
    assert (result.ci_low, result.ci_high) == pytest.approx(tuple(fit.conf_int()[1]))
    beta = np.linalg.lstsq(np.column_stack([np.ones(60), treated, baseline]), outcome, rcond=None)
    assert result.estimate == pytest.approx(beta[0][1])


def test_student_t_shortcuts_equal_scipy_exactly():
    """ancova's t tail and quantile give scipy.stats.t's numbers bit for bit."""
    from tregsim.analysis.statistics import _t_ppf, _t_sf

    rng = np.random.default_rng(6)
    xs = np.r_[np.abs(rng.standard_normal(300)) * rng.choice([0.01, 1.0, 8.0], 300), 0, np.inf]
    for df in (1, 2, 5, 38, 77, 500):
        assert [_t_sf(x, df) for x in xs] == [float(stats.t.sf(x, df)) for x in xs]
        assert _t_ppf(0.975, df) == float(stats.t.ppf(0.975, df))
    assert np.isnan(_t_sf(np.nan, 10))


def test_fisher_results_are_cached_by_counts():
    first = fisher_risk_difference(12, 40, 4, 40)
    again = fisher_risk_difference(np.int64(12), np.int64(40), np.int64(4), np.int64(40))
    assert again is first
