"""One replicate trial analysed as a group-sequential design, on its own patient rows.

The trial engine follows every virtual patient to the end of follow-up; a design is an
analysis of those rows *masked by calendar time*, so every design is judged on exactly the
same virtual patients (common random numbers).

Calendar time (days from the first randomization):

- patient ``i`` (in enrolment order, 0-based) is randomized on day
  ``i * DAYS_PER_MONTH / accrual_per_month`` (uniform accrual, an assumption of the design);
- a visit counts at a look only if ``enrolment day + visit day <= look day``;
- interim ``k`` (information fraction ``f_k``) happens on the day when ``ceil(f_k * n)`` of
  the ``n`` planned patients are past their primary-endpoint visit (dropouts included: non-
  responder imputation, as in the final analysis); the final look when the last patient
  enrolled is past it.

At each look the primary comparison is the scenario's own test
(:func:`tregsim.analysis.comparisons.compare_arrays`) on the patients past their primary
visit; its two-sided p-value becomes a signed z (``+`` favours treatment). Patients still
in follow-up do not enter the test (no imputation of their final outcome): they are
counted and reported. Enrolment stops when the trial stops.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from tregsim.analysis import AnalysisOptions
from tregsim.analysis.comparisons import compare_arrays
from tregsim.analysis.endpoints import KINDS, endpoint_arrays
from tregsim.analysis.summary import favours_treatment
from tregsim.protocol import Endpoint

__all__ = ["DAYS_PER_MONTH", "PrimaryData", "primary_data", "signed_z"]

#: Mean days per month (365.25 / 12).
DAYS_PER_MONTH = 365.25 / 12.0


@dataclass(frozen=True)
class PrimaryData:
    """One replicate's primary-endpoint data on the subject x visit grid.

    ``wide`` holds the endpoint's column (missing after dropout), ``days`` the study day of
    each visit, ``arms`` / ``strata`` one label per subject, ``primary_day`` the study day
    of each subject's primary visit; rows are in enrolment order."""

    spec: Endpoint
    weeks: np.ndarray
    wide: np.ndarray
    days: np.ndarray
    arms: np.ndarray
    strata: np.ndarray
    primary_day: np.ndarray

    @property
    def n(self) -> int:
        """Number of simulated subjects."""
        return int(self.arms.size)


def primary_data(patients: pd.DataFrame, spec: Endpoint) -> PrimaryData:
    """The grid of :class:`PrimaryData` from one replicate's patient rows (the columns of
    ``patients.parquet``: subject, visit_week, day, arm, stratum, dropped_out, ...)."""
    rows = patients.sort_values(["subject", "visit_week"], kind="stable")
    weeks = np.sort(rows["visit_week"].unique().astype(float))
    subjects = rows["subject"].unique()
    n, m = subjects.size, weeks.size
    if len(rows) != n * m:
        raise ValueError("every subject needs one row per visit week to analyse a design")
    column = KINDS[spec.kind].column
    values = rows[column].to_numpy(dtype=float).reshape(n, m)
    dropped = rows["dropped_out"].to_numpy(dtype=bool).reshape(n, m)
    wide = np.where(dropped, np.nan, values)
    days = rows["day"].to_numpy(dtype=float).reshape(n, m)
    first = rows.groupby("subject", sort=True).head(1)
    if spec.week is None:  # time to event: its data are complete at the last visit
        col = m - 1
    else:
        col = int(np.flatnonzero(np.isclose(weeks, float(spec.week)))[0])
    return PrimaryData(
        spec=spec,
        weeks=weeks,
        wide=wide,
        days=days,
        arms=first["arm"].astype(str).to_numpy(),
        strata=first["stratum"].astype(str).to_numpy() if "stratum" in first else np.full(n, "all"),
        primary_day=days[:, col],
    )


def enrolment_days(n: int, accrual_per_month: float) -> np.ndarray:
    """Calendar day of randomization of patients ``0 .. n - 1`` under uniform accrual."""
    return np.arange(n) * DAYS_PER_MONTH / float(accrual_per_month)


def signed_z(result, better: str) -> float:
    """The two-sided p-value of ``result`` as a z statistic, positive when the estimate
    favours treatment (``z = Phi^-1(1 - p / 2)``); 0 when the test could not be done."""
    p = float(result.p_value)
    if not math.isfinite(p):
        return 0.0
    z = float(norm.isf(min(max(p, 1e-300), 1.0) / 2.0))
    return z if favours_treatment(result, better) else -z


@dataclass(frozen=True)
class LookData:
    """What a look sees: its calendar day, patients enrolled, past the primary visit
    (analysed) and still in follow-up, and the signed z of the primary comparison."""

    day: float
    n_enrolled: int
    n_analysed: int
    n_in_follow_up: int
    z: float


def analyse_at(
    data: PrimaryData,
    enrolled_day: np.ndarray,
    included: int,
    day: float,
    treated: str,
    control: str,
    options: AnalysisOptions,
) -> LookData:
    """The primary comparison with the data available on calendar ``day`` among the first
    ``included`` patients (those enrolled by ``day``)."""
    idx = np.arange(included)
    enrolled = idx[enrolled_day[:included] <= day]
    complete = enrolled[enrolled_day[enrolled] + data.primary_day[enrolled] <= day]
    visible = enrolled_day[complete, None] + data.days[complete] <= day
    wide = np.where(visible, data.wide[complete], np.nan)
    columns = endpoint_arrays(
        data.spec,
        data.weeks,
        wide,
        data.days[complete],
        options.missing_responder,
        options.missing_continuous,
    )
    arms = data.arms[complete]
    if np.sum(arms == treated) and np.sum(arms == control):
        result = compare_arrays(
            data.spec, arms, columns, treated, control, options, data.strata[complete]
        )
        z = signed_z(result, data.spec.better)
    else:
        z = 0.0
    return LookData(
        day=float(day),
        n_enrolled=int(enrolled.size),
        n_analysed=int(complete.size),
        n_in_follow_up=int(enrolled.size - complete.size),
        z=z,
    )


def look_days(
    data: PrimaryData, enrolled_day: np.ndarray, n: int, fractions: tuple[float, ...]
) -> list[float]:
    """Calendar days of the interims at ``fractions`` of the first ``n`` patients."""
    done = np.sort(enrolled_day[:n] + data.primary_day[:n])
    return [float(done[max(1, math.ceil(f * n)) - 1]) for f in fractions]
