"""Time to event: Kaplan-Meier estimate and the log-rank test.

- Kaplan & Meier, JASA 1958;53:457: product-limit survival, Greenwood (1926) variance;
  pointwise 95 % intervals on the complementary log-log scale (Kalbfleisch & Prentice 1980),
  median and its interval where the curve / its bounds first reach 0.5 (Brookmeyer &
  Crowley, Biometrics 1982;38:29, the band-crossing form).
- Log-rank test (Mantel 1966; Peto & Peto, JRSS A 1972;135:185) for two groups, with the
  Peto one-step hazard ratio ``exp((O - E) / V)`` and interval ``exp((O - E) / V +- z / sqrt(V))``.

Here the "event" is usually a good one (first SALT50), so a hazard ratio above 1 favours
the treatment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from tregsim.analysis.statistics import Z95, StatResult

__all__ = ["KaplanMeier", "kaplan_meier", "logrank"]


@dataclass(frozen=True)
class KaplanMeier:
    """Product-limit estimate at each distinct event time, with the median and its 95 % CI."""

    time: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    survival: np.ndarray
    std_err: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    median: float
    median_ci_low: float
    median_ci_high: float


def _first_time_at_or_below(time: np.ndarray, curve: np.ndarray, level: float) -> float:
    hit = np.flatnonzero(curve <= level + 1e-12)
    return float(time[hit[0]]) if hit.size else float("nan")


def kaplan_meier(time: np.ndarray, event: np.ndarray, z: float = Z95) -> KaplanMeier:
    """Kaplan-Meier estimate from times and event indicators (True = event, False = censored).

    Medians not reached are NaN.
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=bool)
    keep = np.isfinite(t)
    t, e = t[keep], e[keep]
    times = np.unique(t[e])
    at_risk = np.array([np.sum(t >= u) for u in times], dtype=float)
    deaths = np.array([np.sum((t == u) & e) for u in times], dtype=float)
    survival = np.cumprod(1.0 - deaths / at_risk) if times.size else np.array([])
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(deaths / (at_risk * (at_risk - deaths)))
        std_err = survival * np.sqrt(greenwood)
        log_s = np.log(survival)
        se_loglog = np.sqrt(greenwood) / np.abs(log_s)
        low = survival ** np.exp(z * se_loglog)
        high = survival ** np.exp(-z * se_loglog)
    low = np.where(survival <= 0, 0.0, np.where(survival >= 1, 1.0, low))
    high = np.where(survival <= 0, 0.0, np.where(survival >= 1, 1.0, high))
    low, high = np.nan_to_num(low, nan=0.0), np.nan_to_num(high, nan=1.0)
    return KaplanMeier(
        time=times,
        at_risk=at_risk,
        events=deaths,
        survival=survival,
        std_err=std_err,
        ci_low=low,
        ci_high=high,
        median=_first_time_at_or_below(times, survival, 0.5),
        median_ci_low=_first_time_at_or_below(times, low, 0.5),
        median_ci_high=_first_time_at_or_below(times, high, 0.5),
    )


def logrank(time: np.ndarray, event: np.ndarray, treated: np.ndarray) -> StatResult:
    """Two-group log-rank test; estimate = Peto hazard ratio of treated vs control."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=bool)
    g = np.asarray(treated, dtype=bool)
    keep = np.isfinite(t)
    t, e, g = t[keep], e[keep], g[keep]
    n_t, n_c = int(g.sum()), int((~g).sum())
    observed = expected = variance = 0.0
    for u in np.unique(t[e]):
        risk = t >= u
        n = risk.sum()
        n1 = (risk & g).sum()
        d = ((t == u) & e).sum()
        d1 = ((t == u) & e & g).sum()
        observed += d1
        expected += d * n1 / n
        if n > 1:
            variance += d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1)
    nan = float("nan")
    if variance <= 0:
        return StatResult("logrank", nan, nan, nan, nan, 1.0, n_t, n_c, "no events to compare")
    chi2 = (observed - expected) ** 2 / variance
    p_value = float(special.chdtrc(1, chi2))  # = scipy.stats.chi2.sf(chi2, 1)
    log_hr = (observed - expected) / variance
    half = Z95 / np.sqrt(variance)
    return StatResult(
        "logrank",
        float(np.exp(log_hr)),
        float(np.exp(log_hr - half)),
        float(np.exp(log_hr + half)),
        p_value,
        1.0,
        n_t,
        n_c,
    )
