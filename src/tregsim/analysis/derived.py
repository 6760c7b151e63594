"""Derived quantities defined once, for the analysis, the ADaM datasets and the report.

A SALT responder at ``percent`` (SALT50 at 50): the SALT score fell by at least ``percent``
% of a positive baseline, ``(baseline - salt) / baseline >= percent / 100`` (Olsen et al.,
J Am Acad Dermatol 2004;51:440, the SALT tool; SALT50 is the response definition of the
trials in docs/sources.md). Percent change from baseline: ``100 * (value - baseline) /
baseline`` for a positive baseline, else NaN. Binomial intervals: the Wilson score interval
(:func:`tregsim.analysis.statistics.wilson_interval`).
"""

from __future__ import annotations

import numpy as np

from tregsim.analysis.statistics import wilson_interval

__all__ = ["percent_change", "salt_responder", "wilson_interval"]


def salt_responder(baseline, salt, percent: float) -> np.ndarray:
    """True where SALT fell by at least ``percent`` % of a positive baseline (element-wise;
    False where the baseline is 0 or either value is NaN)."""
    baseline = np.asarray(baseline, dtype=float)
    salt = np.asarray(salt, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(baseline > 0, (baseline - salt) / baseline >= percent / 100.0, False)


def percent_change(baseline, value) -> np.ndarray:
    """``100 * (value - baseline) / baseline`` where the baseline is positive, else NaN."""
    baseline = np.asarray(baseline, dtype=float)
    value = np.asarray(value, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(baseline > 0, 100.0 * (value - baseline) / baseline, np.nan)
