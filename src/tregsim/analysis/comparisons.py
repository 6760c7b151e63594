"""Per-replicate arm values and treatment-versus-control comparisons for one endpoint.

Which test runs (scenario ``analysis``):

- responder endpoints: Fisher exact with Newcombe interval (``responder_test: fisher``) or
  CMH over the randomization strata (``cmh``), after NRI (``missing_responder: nri``);
- continuous endpoints: ANCOVA on baseline after LOCF (``missing_continuous: locf``) or
  a random-intercept mixed model over the observed visits (``random_intercept``; if the fit
  fails: LOCF + ANCOVA, with a note);
- fold changes (Treg, NK, CD8): the same on the log scale, reported as the ratio of
  geometric-mean fold changes;
- time to event: log-rank test with the Peto hazard ratio.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from tregsim.analysis.endpoints import long_values, subject_values
from tregsim.analysis.statistics import (
    StatResult,
    ancova,
    cmh_test,
    fisher_risk_difference,
    random_intercept_model,
)
from tregsim.analysis.survival import kaplan_meier, logrank
from tregsim.protocol import Endpoint

__all__ = [
    "AnalysisOptions",
    "arm_values",
    "arm_values_arrays",
    "compare_arms",
    "compare_arrays",
    "ARM_STATISTIC",
]

#: What the per-arm number of each endpoint type is.
ARM_STATISTIC = {
    "responder": "proportion",
    "continuous": "mean",
    "fold": "geometric_mean",
    "time_to_event": "km_median_days",
}


@dataclass(frozen=True)
class AnalysisOptions:
    """The scenario's ``analysis`` block."""

    control_arm: str | None = None
    primary: str | None = None
    alpha: float = 0.05
    responder_test: str = "fisher"
    continuous_test: str = "ancova"
    missing_responder: str = "nri"
    missing_continuous: str = "locf"

    def __post_init__(self) -> None:
        checks = {
            "responder_test": ("fisher", "cmh"),
            "continuous_test": ("ancova",),
            "missing_responder": ("nri", "observed"),
            "missing_continuous": ("locf", "random_intercept", "observed"),
        }
        for field, allowed in checks.items():
            if getattr(self, field) not in allowed:
                raise ValueError(
                    f"analysis.{field}={getattr(self, field)!r} is not supported; use one of "
                    f"{', '.join(allowed)}."
                )
        if not 0 < self.alpha < 1:
            raise ValueError(f"analysis.alpha={self.alpha} must be between 0 and 1.")

    @classmethod
    def from_any(cls, analysis) -> AnalysisOptions:
        """Build from a dict, a pydantic model or None (defaults)."""
        if analysis is None:
            return cls()
        if isinstance(analysis, AnalysisOptions):
            return analysis
        if not isinstance(analysis, dict):
            analysis = {
                f: getattr(analysis, f)
                for f in cls.__dataclass_fields__
                if getattr(analysis, f, None) is not None
            }
        fields = cls.__dataclass_fields__
        known = {k: v for k, v in analysis.items() if k in fields and v is not None}
        return cls(**known)


def arm_values(values: pd.DataFrame, spec: Endpoint) -> dict[str, float]:
    """Per-arm summary of subject values (see :data:`ARM_STATISTIC`)."""
    columns = {"value": values["value"].to_numpy(dtype=float)}
    if spec.type == "time_to_event":
        columns["time"] = values["time"].to_numpy(dtype=float)
        columns["event"] = values["event"].to_numpy()
    return arm_values_arrays(values["arm"].to_numpy(), columns, spec)


def arm_values_arrays(
    arms: np.ndarray, columns: dict[str, np.ndarray], spec: Endpoint
) -> dict[str, float]:
    """:func:`arm_values` from arrays: the arm of every subject and the columns of
    :func:`~tregsim.analysis.endpoints.endpoint_arrays`."""
    out: dict[str, float] = {}
    value = np.asarray(columns["value"], dtype=float)
    for arm in sorted(set(arms.tolist())):
        mask = arms == arm
        if spec.type == "time_to_event":
            time = np.asarray(columns["time"], dtype=float)[mask]
            event = np.asarray(columns["event"])[mask]
            out[str(arm)] = kaplan_meier(time, event).median
            continue
        v = value[mask]
        v = v[np.isfinite(v)]
        if not v.size:
            out[str(arm)] = float("nan")
        elif spec.type == "fold":
            positive = v[v > 0]
            out[str(arm)] = float(np.exp(np.mean(np.log(positive)))) if positive.size else 0.0
        else:
            out[str(arm)] = float(np.mean(v))
    return out


def _to_ratio(result: StatResult) -> StatResult:
    return replace(
        result,
        test=f"{result.test}_log",
        estimate=float(np.exp(result.estimate)),
        ci_low=float(np.exp(result.ci_low)),
        ci_high=float(np.exp(result.ci_high)),
        null_value=1.0,
    )


def compare_arms(
    visits: pd.DataFrame,
    spec: Endpoint,
    treated_arm: str,
    control_arm: str,
    options: AnalysisOptions,
    values: pd.DataFrame | None = None,
) -> StatResult:
    """Compare ``treated_arm`` with ``control_arm`` on one endpoint of one replicate."""
    note = ""
    if options.missing_continuous == "random_intercept" and spec.type in ("continuous", "fold"):
        long = long_values(visits, spec)
        long = long[long["arm"].isin([treated_arm, control_arm])].copy()
        long["treated"] = (long["arm"] == treated_arm).astype(float)
        try:
            result = random_intercept_model(long, float(spec.week))
            return _to_ratio(result) if spec.type == "fold" else result
        except Exception as error:  # noqa: BLE001 - any fit failure falls back, recorded
            note = (
                f"the random-intercept model failed ({type(error).__name__}: {error}); "
                "fell back to LOCF + ANCOVA"
            )
            values = subject_values(visits, spec, options.missing_responder, "locf")
    if values is None:
        values = subject_values(visits, spec, options.missing_responder, options.missing_continuous)
    columns = {
        name: values[name].to_numpy()
        for name in ("baseline", "value", "time", "event")
        if name in values
    }
    stratum = values["stratum"].to_numpy() if "stratum" in values else None
    result = compare_arrays(
        spec, values["arm"].to_numpy(), columns, treated_arm, control_arm, options, stratum
    )
    return replace(result, note=note) if note else result


def compare_arrays(
    spec: Endpoint,
    arms: np.ndarray,
    columns: dict[str, np.ndarray],
    treated_arm: str,
    control_arm: str,
    options: AnalysisOptions,
    stratum: np.ndarray | None = None,
) -> StatResult:
    """:func:`compare_arms` from arrays (no random-intercept model: continuous endpoints by
    ANCOVA on the columns as given): the arm of every subject, the columns of
    :func:`~tregsim.analysis.endpoints.endpoint_arrays` and, for CMH, the strata."""
    in_pair = (arms == treated_arm) | (arms == control_arm)
    treated = arms[in_pair] == treated_arm
    if spec.type == "responder":
        v = np.asarray(columns["value"], dtype=float)[in_pair]
        ok = np.isfinite(v)
        if options.responder_test == "cmh":
            return cmh_test(v[ok] > 0.5, treated[ok], np.asarray(stratum)[in_pair][ok])
        x_t, n_t = int(np.sum(v[ok & treated])), int(np.sum(ok & treated))
        x_c, n_c = int(np.sum(v[ok & ~treated])), int(np.sum(ok & ~treated))
        return fisher_risk_difference(x_t, n_t, x_c, n_c)
    if spec.type == "time_to_event":
        return logrank(
            np.asarray(columns["time"])[in_pair], np.asarray(columns["event"])[in_pair], treated
        )
    y = np.asarray(columns["value"], dtype=float)[in_pair]
    if spec.type == "fold":
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.where(y > 0, np.log(y), np.nan)
    result = ancova(y, treated, np.asarray(columns["baseline"], dtype=float)[in_pair])
    return _to_ratio(result) if spec.type == "fold" else result
