"""Derived quantities defined once, for the analysis, the ADaM datasets and the report.

A subject's baseline of a measurement (SALT, Treg %, ...): its value at the baseline visit,
week 0 (the first of the scenario's ``visits_weeks``; the first visit week of a table
without week 0), NaN when that value is missing; a later visit never stands in for it.
A SALT responder at ``percent`` (SALT50 at 50): the SALT score fell by at least ``percent``
% of a positive baseline, ``(baseline - salt) / baseline >= percent / 100`` (Olsen et al.,
J Am Acad Dermatol 2004;51:440, the SALT tool; SALT50 is the response definition of the
trials in docs/sources.md). Percent change from baseline: ``100 * (value - baseline) /
baseline`` for a positive baseline, else NaN. Binomial intervals: the Wilson score interval
(:func:`tregsim.analysis.statistics.wilson_interval`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tregsim.analysis.statistics import wilson_interval

__all__ = [
    "baseline_index",
    "baseline_week",
    "percent_change",
    "salt_responder",
    "subject_baselines",
    "visit_baselines",
    "wilson_interval",
]


def baseline_index(weeks) -> int:
    """Position of the baseline visit among the sorted visit ``weeks``: week 0, else the
    first."""
    hits = np.flatnonzero(np.isclose(np.asarray(weeks, dtype=float), 0.0))
    return int(hits[0]) if hits.size else 0


def baseline_week(week) -> float:
    """The baseline visit week of a table whose rows have the visit weeks ``week`` (any
    order, NaN ignored): :func:`baseline_index` of its weeks; NaN for no week."""
    weeks = np.unique(np.asarray(week, dtype=float))
    weeks = weeks[~np.isnan(weeks)]
    return float(weeks[baseline_index(weeks)]) if weeks.size else np.nan


def subject_baselines(values, group, at_baseline) -> np.ndarray:
    """Each subject's baseline, ``(n_subjects,)``: its value of ``values`` at the baseline
    visit, NaN where that is missing.

    Rows of a long table in any order: ``group`` the subject of each row (integers
    ``0 .. n_subjects - 1``), ``at_baseline`` True for the rows of the baseline visit
    (visit week equal to :func:`baseline_week`); one such row per subject.
    """
    values = np.asarray(values, dtype=float)
    group = np.asarray(group)
    out = np.full(int(group.max()) + 1 if group.size else 0, np.nan)
    take = np.asarray(at_baseline, dtype=bool) & ~np.isnan(values)
    out[group[take]] = values[take]
    return out


def visit_baselines(visits: pd.DataFrame, column: str) -> np.ndarray:
    """For each row of a visits table (``subject``, ``visit_week`` and ``column``; also
    ``replicate`` if present), its subject's baseline of ``column``
    (:func:`subject_baselines`)."""
    keys = ["replicate", "subject"] if "replicate" in visits else ["subject"]
    group = visits.groupby(keys, sort=False).ngroup().to_numpy()
    known = group >= 0  # rows with a missing key belong to no subject
    week = visits["visit_week"].to_numpy(dtype=float)[known]
    per_subject = subject_baselines(
        visits[column].to_numpy(dtype=float)[known], group[known], week == baseline_week(week)
    )
    out = np.full(len(visits), np.nan)
    out[known] = per_subject[group[known]]
    return out


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
