"""Two-arm comparisons: responder tests, ANCOVA and a random-intercept mixed model.

Every test returns a :class:`StatResult` (frozen): the test name, the treatment-minus-control
estimate (or ratio, see ``null_value``), its 95 % interval and the two-sided p-value.

Methods
-------
- Fisher's exact test (Fisher 1922; ``scipy.stats.fisher_exact``) with the risk difference
  and the Newcombe hybrid-score interval built from two Wilson intervals (Newcombe, Stat Med
  1998;17:873, method 10; Wilson, JASA 1927;22:209).
- Cochran-Mantel-Haenszel test over strata (Mantel & Haenszel, J Natl Cancer Inst
  1959;22:719; ``statsmodels`` ``StratifiedTable``), estimate the Mantel-Haenszel common odds
  ratio with the Robins-Breslow-Greenland interval.
- ANCOVA: ordinary least squares of the outcome on treatment and baseline (``statsmodels``
  OLS); the treatment coefficient is the adjusted difference.
- Random-intercept model (``random_intercept``): change at every post-baseline visit, fixed
  effects visit (categorical), arm x visit and baseline, fitted by ``statsmodels`` MixedLM
  with a random intercept per subject. It is NOT the unstructured-covariance MMRM of
  Mallinckrodt et al., Drug Inf J 2008;42:303 (a random intercept imposes compound
  symmetry), so it is named for what it is. If the fit fails it falls back to LOCF +
  ANCOVA and says so in ``note``.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

__all__ = [
    "StatResult",
    "wilson_interval",
    "newcombe_interval",
    "fisher_risk_difference",
    "cmh_test",
    "ancova",
    "random_intercept_model",
]

Z95 = float(special.ndtri(0.975))  # = scipy.stats.norm.ppf(0.975); scipy.stats loads in 0.9 s


@dataclass(frozen=True)
class StatResult:
    """Outcome of one two-arm comparison.

    ``estimate`` is treatment versus control: a difference when ``null_value`` is 0, a
    ratio (odds or hazard ratio, ratio of geometric means) when ``null_value`` is 1.
    """

    test: str
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    null_value: float = 0.0
    n_treatment: int = 0
    n_control: int = 0
    note: str = ""

    def as_dict(self) -> dict:
        """Plain dict (JSON-friendly; NaN left as NaN)."""
        return {
            "test": self.test,
            "estimate": self.estimate,
            "ci": [self.ci_low, self.ci_high],
            "p_value": self.p_value,
            "null_value": self.null_value,
            "n_treatment": self.n_treatment,
            "n_control": self.n_control,
            "note": self.note,
        }


def _nan_result(test: str, note: str, null_value: float = 0.0, n_t: int = 0, n_c: int = 0):
    nan = float("nan")
    return StatResult(test, nan, nan, nan, nan, null_value, n_t, n_c, note)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927), no continuity correction."""
    if n <= 0:
        return float("nan"), float("nan")
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def newcombe_interval(
    x_treatment: int, n_treatment: int, x_control: int, n_control: int, z: float = Z95
) -> tuple[float, float]:
    """Newcombe (1998, method 10) hybrid-score interval for p_treatment - p_control."""
    p1, p2 = x_treatment / n_treatment, x_control / n_control
    l1, u1 = wilson_interval(x_treatment, n_treatment, z)
    l2, u2 = wilson_interval(x_control, n_control, z)
    d = p1 - p2
    return (
        float(d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)),
        float(d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)),
    )


def fisher_risk_difference(
    x_treatment: int, n_treatment: int, x_control: int, n_control: int
) -> StatResult:
    """Fisher's exact test (two-sided) with risk difference and Newcombe 95 % interval."""
    return _fisher_risk_difference(
        int(x_treatment), int(n_treatment), int(x_control), int(n_control)
    )


@functools.lru_cache(maxsize=4096)
def _fisher_risk_difference(
    x_treatment: int, n_treatment: int, x_control: int, n_control: int
) -> StatResult:
    # Cached: replicates of a trial share a few hundred 2x2 tables, and the exact test costs
    # about 1 ms each; the result (frozen) depends on the four counts only.
    if n_treatment <= 0 or n_control <= 0:
        return _nan_result("fisher", "an arm has no patients", 0.0, n_treatment, n_control)
    table = [[x_treatment, n_treatment - x_treatment], [x_control, n_control - x_control]]
    from scipy import stats  # here: importing scipy.stats costs every CLI start 0.9 s

    p_value = float(stats.fisher_exact(table, alternative="two-sided").pvalue)
    low, high = newcombe_interval(x_treatment, n_treatment, x_control, n_control)
    estimate = x_treatment / n_treatment - x_control / n_control
    return StatResult("fisher", float(estimate), low, high, p_value, 0.0, n_treatment, n_control)


def cmh_test(response: np.ndarray, treated: np.ndarray, strata: np.ndarray) -> StatResult:
    """Cochran-Mantel-Haenszel test of a binary response across strata (no continuity
    correction), estimate the Mantel-Haenszel common odds ratio (treated vs control).

    Strata without both arms or with a single patient carry no information and are dropped.
    """
    from statsmodels.stats.contingency_tables import StratifiedTable

    response = np.asarray(response, dtype=bool)
    treated = np.asarray(treated, dtype=bool)
    strata = np.asarray(strata)
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    tables = []
    for label in pd.unique(strata):
        mask = strata == label
        t, r = treated[mask], response[mask]
        table = np.array(
            [[np.sum(t & r), np.sum(t & ~r)], [np.sum(~t & r), np.sum(~t & ~r)]], dtype=float
        )
        if table[0].sum() > 0 and table[1].sum() > 0:
            tables.append(table)
    if not tables:
        return _nan_result("cmh", "no stratum holds both arms", 1.0, n_t, n_c)
    stacked = np.dstack(tables)
    responders = stacked[:, 0, :].sum()
    if responders == 0 or responders == stacked.sum():
        nan = float("nan")
        return StatResult("cmh", nan, nan, nan, 1.0, 1.0, n_t, n_c, "response is constant")
    table = StratifiedTable(stacked)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p_value = float(table.test_null_odds(correction=False).pvalue)
        estimate = float(table.oddsratio_pooled)
        try:
            low, high = (float(v) for v in table.oddsratio_pooled_confint())
        except (ZeroDivisionError, ValueError, FloatingPointError):
            low, high = float("nan"), float("nan")
    return StatResult("cmh", estimate, low, high, p_value, 1.0, n_t, n_c)


def ancova(
    outcome: np.ndarray, treated: np.ndarray, baseline: np.ndarray, test: str = "ancova"
) -> StatResult:
    """ANCOVA: OLS ``outcome ~ 1 + treated + baseline``; estimate = treated coefficient.

    Rows with a missing outcome or baseline are dropped (impute first if needed).
    """
    y = np.asarray(outcome, dtype=float)
    t = np.asarray(treated, dtype=float)
    b = np.asarray(baseline, dtype=float)
    keep = np.isfinite(y) & np.isfinite(b)
    y, t, b = y[keep], t[keep], b[keep]
    n_t, n_c = int(t.sum()), int((1 - t).sum())
    if n_t < 1 or n_c < 1 or y.size < 4:
        return _nan_result(test, "too few patients with an outcome", 0.0, n_t, n_c)
    columns = [np.ones_like(y), t]
    if np.ptp(b) > 0:
        columns.append(b)
    # Closed-form OLS (the statsmodels OLS fit without its per-call overhead; the tests
    # compare estimate, p-value and interval with statsmodels).
    x = np.column_stack(columns)
    params, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    df_resid = y.size - rank
    residual = y - x @ params
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = float(residual @ residual) / df_resid if df_resid > 0 else np.nan
        std_err = float(np.sqrt(scale * np.linalg.pinv(x.T @ x)[1, 1]))
        t_value = params[1] / std_err
    p_value = 2.0 * _t_sf(abs(t_value), df_resid) if df_resid > 0 else np.nan
    half = _t_ppf(0.975, df_resid) * std_err if df_resid > 0 else np.nan
    low, high = params[1] - half, params[1] + half
    if not np.isfinite(p_value):
        p_value = 1.0 if abs(params[1]) < 1e-12 else 0.0
    return StatResult(test, float(params[1]), float(low), float(high), p_value, 0.0, n_t, n_c)


def _t_sf(x: float, df: int) -> float:
    """``scipy.stats.t.sf(x, df)`` (the same number) without the distribution machinery."""
    if np.isnan(x):
        return float("nan")
    if x == np.inf:
        return 0.0
    return float(special.stdtr(df, -x))


@functools.lru_cache(maxsize=1024)
def _t_ppf(q: float, df: int) -> float:
    """``scipy.stats.t.ppf(q, df)`` (the same number) for ``0 < q < 1``, ``df >= 1``."""
    return float(special.stdtrit(df, q))


def random_intercept_model(long: pd.DataFrame, target_week: float) -> StatResult:
    """Linear mixed model with a random intercept per subject, read at ``target_week``.

    ``long`` has columns ``subject, treated (0/1), visit_week, y, baseline`` with one row per
    observed post-baseline visit. Fixed effects: visit (categorical, reference
    ``target_week``), treated, treated x visit and baseline; random intercept per subject
    (statsmodels MixedLM, REML). The treated coefficient is then the adjusted difference at
    the target week. Raises ``RuntimeError`` if the fit fails or is not usable, so the caller
    can fall back to LOCF.
    """
    import statsmodels.formula.api as smf

    data = long.dropna(subset=["y", "baseline"]).copy()
    data = data[data["visit_week"] <= target_week]
    if data.empty or target_week not in set(data["visit_week"]):
        raise RuntimeError("no observed values at the target week")
    n_t = int(data.loc[data["visit_week"] == target_week, "treated"].sum())
    n_c = int((data.loc[data["visit_week"] == target_week, "treated"] == 0).sum())
    if n_t < 2 or n_c < 2:
        raise RuntimeError("fewer than 2 patients per arm at the target week")
    data["visit"] = data["visit_week"].astype(float)
    several = data["visit"].nunique() > 1
    visit_terms = f" * C(visit, Treatment(reference={float(target_week)!r}))" if several else ""
    formula = f"y ~ treated{visit_terms} + baseline"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = smf.mixedlm(formula, data, groups=data["subject"])
        fit = model.fit(reml=True)
    if not getattr(fit, "converged", True):
        raise RuntimeError("MixedLM did not converge")
    estimate = float(fit.params["treated"])
    se = float(fit.bse["treated"])
    p_value = float(fit.pvalues["treated"])
    if not (np.isfinite(estimate) and np.isfinite(se) and np.isfinite(p_value)):
        raise RuntimeError("MixedLM gave a non-finite estimate")
    return StatResult(
        "random_intercept",
        estimate,
        estimate - Z95 * se,
        estimate + Z95 * se,
        p_value,
        0.0,
        n_t,
        n_c,
    )
