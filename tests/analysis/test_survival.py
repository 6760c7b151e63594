"""Kaplan-Meier and log-rank on the Freireich 6-MP leukaemia data (Gehan 1965)."""

import numpy as np
import pytest
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from tregsim.analysis import kaplan_meier, logrank

MP_T = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
MP_E = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
PL_T = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
PL_E = [1] * 21


def test_km_textbook_medians_and_greenwood():
    km = kaplan_meier(MP_T, MP_E)
    assert km.median == 23.0  # Kleinbaum & Klein, Survival Analysis, ch. 2
    assert kaplan_meier(PL_T, PL_E).median == 8.0
    ref = SurvfuncRight(MP_T, MP_E)
    assert np.allclose(km.survival, ref.surv_prob)
    assert np.allclose(km.std_err, ref.surv_prob_se)
    assert km.survival[0] == pytest.approx(18 / 21)
    with np.errstate(all="ignore"):
        low, high = SurvfuncRight(PL_T, PL_E).quantile_ci(0.5, method="cloglog")
    km_pl = kaplan_meier(PL_T, PL_E)
    assert (km_pl.median_ci_low, km_pl.median_ci_high) == (low, high)
    assert np.isnan(km.median_ci_high)  # upper limit not reached


def test_logrank_matches_survdiff_and_textbook():
    t = np.r_[MP_T, PL_T]
    e = np.r_[MP_E, PL_E].astype(bool)
    g = np.r_[np.ones(21), np.zeros(21)].astype(bool)
    result = logrank(t, e, g)
    chi2, p = survdiff(t, e, g.astype(int))
    assert result.p_value == pytest.approx(p)
    assert chi2 == pytest.approx(16.79, abs=0.01)  # Kleinbaum & Klein: 16.79
    assert result.estimate < 1  # 6-MP delays relapse
    assert result.ci_low < result.estimate < result.ci_high
