"""Endpoints computed from one replicate's visits table (columns of docs/dev/contracts.md).

SALT endpoints use the rater's score (``salt_observed``); Treg % uses the flow-cytometry
reading (``treg_pct_cd4_observed``); NK and CD8 counts use ``nk_per_ul`` / ``cd8_per_ul``.
A value is missing when the patient has dropped out (``dropped_out``) or it is NaN (failed
simulation). Baseline is the week-0 visit (:mod:`tregsim.analysis.derived`).

Kinds (scenario ``endpoints[].kind``):

============================  ==============  =========================================
kind                          type            value per patient
============================  ==============  =========================================
salt_reduction (percent, week) responder      SALT fell by >= percent % from baseline
salt_at_most (threshold, week) responder      SALT <= threshold
salt_change (week)             continuous     SALT(week) - baseline (negative = regrowth)
salt_percent_change (week)     continuous     100 * (SALT(week) - baseline) / baseline
treg_pct (week)                continuous     Treg % of CD4 at week
treg_fold / nk_fold / cd8_fold fold           value(week) / baseline (analysed on log scale)
treg_naive_fold / treg_activated_fold  fold    naive / activated Treg % of CD4, same
time_to_salt_reduction (pct)   time to event  day of first visit with SALT reduction >= pct
ae_any / ae_<kind> (week)      responder      >= 1 adverse event reported up to week
============================  ==============  =========================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tregsim.analysis.derived import baseline_index, percent_change, salt_responder
from tregsim.analysis.imputation import locf, nri
from tregsim.protocol import AE_ENDPOINT_KINDS, Endpoint
from tregsim.protocol.endpoints import BETTER, ENDPOINT_TYPE, EndpointKind

__all__ = ["KINDS", "endpoint_arrays", "subject_values", "long_values"]


@dataclass(frozen=True)
class _Kind:
    type: str  # responder | continuous | fold | time_to_event (protocol.ENDPOINT_TYPE)
    column: str  # the patients-table column the endpoint reads
    better: str  # "higher" or "lower" favours treatment (protocol.BETTER)


#: The column each endpoint kind reads; its type and direction come from the schema.
_COLUMNS: dict[EndpointKind, str] = {
    EndpointKind.salt_reduction: "salt_observed",
    EndpointKind.salt_at_most: "salt_observed",
    EndpointKind.salt_change: "salt_observed",
    EndpointKind.salt_percent_change: "salt_observed",
    EndpointKind.treg_pct: "treg_pct_cd4_observed",
    EndpointKind.treg_fold: "treg_pct_cd4_observed",
    EndpointKind.nk_fold: "nk_per_ul",
    EndpointKind.cd8_fold: "cd8_per_ul",
    EndpointKind.time_to_salt_reduction: "salt_observed",
    EndpointKind.treg_naive_fold: "treg_naive_pct_cd4_observed",
    EndpointKind.treg_activated_fold: "treg_activated_pct_cd4_observed",
    # safety: the column holds the events reported at each visit (tregsim.safety.events)
    **{EndpointKind(kind): kind for kind in sorted(AE_ENDPOINT_KINDS)},
}
KINDS: dict[str, _Kind] = {
    kind.value: _Kind(ENDPOINT_TYPE[kind], column, BETTER[kind])
    for kind, column in _COLUMNS.items()
}


def _grid(visits: pd.DataFrame) -> tuple[int, np.ndarray] | None:
    """``(n_subjects, weeks)`` when ``visits`` is a full subject-major grid (one row per
    subject and visit, subjects increasing, visits in the same increasing order for every
    subject: the layout :func:`tregsim.trial.simulate_replicate` writes), else None."""
    week = visits["visit_week"].to_numpy(dtype=float)
    subject = visits["subject"].to_numpy()
    if not week.size:
        return None
    m = int(np.argmax(week[1:] <= week[:-1]) + 1) if np.any(week[1:] <= week[:-1]) else week.size
    if week.size % m:
        return None
    n = week.size // m
    weeks = week[:m]
    grid_subject = subject.reshape(n, m)
    if not (
        np.all(np.diff(weeks) > 0)
        and np.array_equal(week.reshape(n, m), np.broadcast_to(weeks, (n, m)))
        and np.all(grid_subject == grid_subject[:, :1])
        and np.all(grid_subject[1:, 0] > grid_subject[:-1, 0])
    ):
        return None
    return n, weeks


def _wide(visits: pd.DataFrame, column: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(subject info, weeks, values (n, m)) with dropped-out visits set to NaN."""
    if "replicate" in visits and visits["replicate"].nunique() > 1:
        raise ValueError("endpoints are computed one replicate at a time; filter by replicate.")
    values = visits[column].to_numpy(dtype=float)
    if "dropped_out" in visits:
        values = np.where(visits["dropped_out"].to_numpy(dtype=bool), np.nan, values)
    info_columns = [c for c in ("arm", "stratum") if c in visits]
    grid = _grid(visits)
    if grid is not None:  # fast path: a reshape instead of a pivot
        n, weeks = grid
        m = weeks.size
        info = visits[info_columns].iloc[::m]
        info.index = pd.Index(visits["subject"].to_numpy()[::m], name="subject")
        return info, weeks, values.reshape(n, m)
    frame = visits.assign(_v=values)
    wide = frame.pivot(index="subject", columns="visit_week", values="_v").sort_index(axis=1)
    info = frame.groupby("subject", sort=True)[info_columns].first().loc[wide.index]
    return info, wide.columns.to_numpy(dtype=float), wide.to_numpy(dtype=float)


def _days(visits: pd.DataFrame, info: pd.DataFrame) -> np.ndarray:
    """Study day of every visit, ``(n, m)`` in the order of :func:`_wide`."""
    grid = _grid(visits)
    if grid is not None:
        n, weeks = grid
        return visits["day"].to_numpy(dtype=float).reshape(n, weeks.size)
    days = visits.pivot(index="subject", columns="visit_week", values="day")
    return days.sort_index(axis=1).loc[info.index].to_numpy(dtype=float)


def _week_column(weeks: np.ndarray, week: float, name: str) -> int:
    hits = np.flatnonzero(np.isclose(weeks, float(week)))
    if not hits.size:
        raise ValueError(
            f"endpoint {name!r}: week {week} is not a visit week ({weeks.tolist()}); "
            "add it to visits_weeks."
        )
    return int(hits[0])


def endpoint_arrays(
    spec: Endpoint,
    weeks: np.ndarray,
    wide: np.ndarray,
    days: np.ndarray | None = None,
    missing_responder: str = "nri",
    missing_continuous: str = "locf",
) -> dict[str, np.ndarray]:
    """The columns of :func:`subject_values` (``baseline, value, imputed``; time to event:
    ``baseline, time, event, value, imputed``) from arrays: ``wide`` ``(n, m)`` holds the
    endpoint's column at the sorted visit ``weeks`` with missing visits as NaN, ``days``
    ``(n, m)`` the study days (needed for time to event only)."""
    kind = KINDS[spec.kind]
    base_col = baseline_index(weeks)
    b = wide[:, base_col]
    if kind.type == "time_to_event":
        if days is None:
            raise ValueError(f"endpoint {spec.name!r} (time to event) needs the visit days.")
        with np.errstate(invalid="ignore", divide="ignore"):
            hit = (b[:, None] - wide) / b[:, None] >= spec.percent / 100.0
        hit &= np.isfinite(wide) & (b[:, None] > 0)
        hit[:, : base_col + 1] = False
        event = hit.any(axis=1)
        first = np.argmax(hit, axis=1)
        observed = np.isfinite(wide)
        last_seen = observed.shape[1] - 1 - np.argmax(observed[:, ::-1], axis=1)
        last = np.where(observed.any(axis=1), last_seen, 0)
        rows = np.arange(len(b))
        time = np.where(event, days[rows, first], days[rows, last])
        time = np.where(np.isfinite(b), time, np.nan)
        return {
            "baseline": b,
            "time": time,
            "event": event,
            "value": time,
            "imputed": np.zeros(len(b), dtype=bool),
        }
    col = _week_column(weeks, spec.week, spec.name)
    if spec.kind in AE_ENDPOINT_KINDS:  # >= 1 event reported at the visits up to week
        return _adverse_event_values(wide, base_col, col)
    raw = wide[:, col]
    imputed = np.isnan(raw)
    if kind.type == "responder":
        with np.errstate(invalid="ignore", divide="ignore"):
            if spec.kind == "salt_reduction":
                response = salt_responder(b, raw, spec.percent)
            else:
                response = raw <= spec.threshold
        response = np.where(np.isnan(raw) | np.isnan(b), np.nan, response.astype(float))
        value = nri(response) if missing_responder == "nri" else response
        return {"baseline": b, "value": value, "imputed": imputed}
    x = locf(wide)[:, col] if missing_continuous == "locf" else raw
    with np.errstate(invalid="ignore", divide="ignore"):
        if spec.kind == "salt_change":
            value = x - b
        elif spec.kind == "salt_percent_change":
            value = percent_change(b, x)
        elif kind.type == "fold":
            value = np.where(b > 0, x / b, np.nan)
            b = np.where(b > 0, np.log(b), np.nan)
        else:  # treg_pct: the value itself
            value = x
    return {"baseline": b, "value": value, "imputed": imputed & np.isfinite(value)}


def _adverse_event_values(counts: np.ndarray, base_col: int, col: int) -> dict[str, np.ndarray]:
    """Safety endpoint: 1 when a patient had at least one event reported at an attended
    visit after baseline and up to the endpoint's visit (events before a dropout count; a
    patient never seen after baseline, or whose simulation failed, is missing)."""
    window = counts[:, base_col + 1 : col + 1]
    seen = np.isfinite(window).any(axis=1)
    value = np.where(seen, (np.nansum(window, axis=1) > 0).astype(float), np.nan)
    return {"baseline": np.zeros(len(value)), "value": value, "imputed": ~seen}


def subject_values(
    visits: pd.DataFrame,
    spec: Endpoint,
    missing_responder: str = "nri",
    missing_continuous: str = "locf",
) -> pd.DataFrame:
    """One row per subject: ``arm, stratum, baseline, value`` (+ ``time, event`` for
    time-to-event) and ``imputed`` (bool).

    Responders: ``missing_responder="nri"`` counts missing as non-response, ``"observed"``
    leaves NaN. Continuous and fold: ``"locf"`` carries the last value forward; anything else
    (``"random_intercept"``, ``"observed"``) leaves NaN (the mixed model then models the visits, see
    :func:`long_values`). For fold endpoints ``baseline`` is the log of the baseline value
    and ``value`` the fold change.
    """
    kind = KINDS[spec.kind]
    info, weeks, wide = _wide(visits, kind.column)
    days = _days(visits, info) if kind.type == "time_to_event" else None
    columns = endpoint_arrays(spec, weeks, wide, days, missing_responder, missing_continuous)
    out = info.copy()
    for name, values in columns.items():
        out[name] = values
    return out


def long_values(visits: pd.DataFrame, spec: Endpoint) -> pd.DataFrame:
    """Observed post-baseline values for the random-intercept model: ``subject, arm, stratum,
    visit_week, y, baseline`` (y on the analysis scale: change, percent change, value or log
    fold)."""
    kind = KINDS[spec.kind]
    if kind.type not in ("continuous", "fold"):
        raise ValueError(
            f"endpoint {spec.name!r} is not continuous; the random-intercept model does not apply."
        )
    info, weeks, wide = _wide(visits, kind.column)
    base_col = baseline_index(weeks)
    b = wide[:, [base_col]]
    with np.errstate(invalid="ignore", divide="ignore"):
        if spec.kind == "salt_change":
            y, cov = wide - b, b
        elif spec.kind == "salt_percent_change":
            y, cov = np.where(b > 0, 100.0 * (wide - b) / b, np.nan), b
        elif kind.type == "fold":
            y = np.where(b > 0, np.log(wide / b), np.nan)
            cov = np.where(b > 0, np.log(b), np.nan)
        else:
            y, cov = wide, b
    post = np.flatnonzero(weeks > weeks[base_col])
    n = len(info)
    frame = pd.DataFrame(
        {
            "subject": np.repeat(info.index.to_numpy(), post.size),
            "visit_week": np.tile(weeks[post], n),
            "y": y[:, post].ravel(),
            "baseline": np.repeat(cov[:, 0], post.size),
        }
    )
    for column in info.columns:
        frame[column] = np.repeat(info[column].to_numpy(), post.size)
    return frame.dropna(subset=["y", "baseline"]).reset_index(drop=True)
