"""Defensive readers for the scenario object, the summary dict and the patients table.

The scenario schema (`tregsim.protocol`) and the summary layout are written in parallel with
the report, so every accessor here tolerates missing fields, dicts instead of pydantic models,
and a missing scenario altogether. Nothing in this module draws.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ArmInfo",
    "EndpointInfo",
    "TrialInfo",
    "get",
    "trial_info",
    "salt_column",
    "treg_column",
    "display_value",
]


def get(obj: Any, name: str, default: Any = None) -> Any:
    """Attribute or key `name` of `obj`, or `default` when absent or None."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        value = obj.get(name, default)
    else:
        value = getattr(obj, name, default)
    return default if value is None else value


@dataclass(frozen=True)
class Course:
    """A course `days` long from `start_day`, dosing every `every_days` days (as in
    tregsim.protocol.Course: dosing days are start_day + k * every_days, k * every_days <
    days)."""

    start_day: float
    days: int
    dose: float | None
    unit: str
    every_days: float = 1.0
    per_day: int = 1

    def dose_days(self) -> list[float]:
        """The study days (day 0 = first dose/randomisation) on which a dose is given."""
        count = max(int(np.ceil(self.days / self.every_days - 1e-9)), 0)
        return [self.start_day + k * self.every_days for k in range(count)]


@dataclass(frozen=True)
class ArmInfo:
    """One arm as the report needs it."""

    name: str
    allocation: float
    regimen_name: str
    drug: str
    route: str
    courses: tuple[Course, ...]

    def dose_days(self) -> list[float]:
        """All dosing days of the arm's regimen, sorted."""
        return sorted({d for c in self.courses for d in c.dose_days()})

    def regimen_text(self) -> str:
        """Plain description of the regimen, e.g. 'il2 SC: 1.5 MIU/day days 0-4; ...'."""
        if self.drug in ("", "placebo") and not self.courses:
            return "Placebo (matching injections)" if self.drug == "placebo" else "No treatment"
        parts = []
        for c in self.courses:
            dose = "" if c.dose is None else f"{c.dose:g} {c.unit}"
            if c.per_day > 1:
                dose += f" x{c.per_day}/day"
            days = c.dose_days()
            last = days[-1] if days else c.start_day
            when = f"day {c.start_day:g}" if len(days) <= 1 else f"days {c.start_day:g}-{last:g}"
            if c.every_days != 1 and len(days) > 1:
                when += f" every {c.every_days:g} days"
            parts.append(f"{dose} {when}".strip())
        from tregsim.drugs import DRUGS

        head = DRUGS[self.drug].label if self.drug in DRUGS else (self.drug or self.regimen_name)
        if self.route:
            head += f" {self.route.upper()}"
        return f"{head}: " + "; ".join(parts) if parts else head


@dataclass(frozen=True)
class EndpointInfo:
    """An endpoint definition: name, kind and its week / percent / threshold."""

    name: str
    kind: str
    week: float | None = None
    percent: float | None = None
    threshold: float | None = None

    @property
    def is_responder(self) -> bool:
        """True for proportion endpoints (SALTxx, SALT<=t)."""
        return self.kind in ("salt_reduction", "salt_at_most")

    def label(self) -> str:
        """Short clinical label, e.g. 'SALT50 at week 52'."""
        at = f" at week {self.week:g}" if self.week is not None else ""
        if self.kind == "salt_reduction":
            return f"SALT{self.percent or 50:g}{at}"
        if self.kind == "salt_at_most":
            return f"SALT \u2264 {self.threshold if self.threshold is not None else 20:g}{at}"
        if self.kind == "salt_change":
            return f"change in SALT from baseline{at}"
        if self.kind == "salt_percent_change":
            return f"percent change in SALT from baseline{at}"
        if self.kind == "time_to_salt_reduction":
            return f"median time to SALT{self.percent or 50:g}"
        if self.kind == "treg_pct":
            return f"Treg % of CD4{at}"
        if self.kind in FOLD_CELLS:
            cell = FOLD_CELLS[self.kind]
            return f"{cell} fold change{at}"
        return self.name + at

    def unit(self) -> str:
        """Unit of the endpoint's per-arm value as displayed."""
        if self.is_responder:
            return "% of patients"
        if self.kind == "salt_change":
            return "SALT points"
        if self.kind == "salt_percent_change":
            return "%"
        if self.kind == "time_to_salt_reduction":
            return "days"
        if self.kind == "treg_pct":
            return "% of CD4"
        if self.kind.endswith("_fold"):
            return "fold"
        return ""


#: The cell population of each fold-change endpoint kind, as the report names it.
FOLD_CELLS = {
    "treg_fold": "Treg",
    "nk_fold": "NK",
    "cd8_fold": "CD8",
    "treg_naive_fold": "naive Treg",
    "treg_activated_fold": "activated Treg",
}

_NAME_PATTERNS = (
    (re.compile(r"^salt(\d+)_w(\d+)$"), "salt_reduction"),
    (re.compile(r"^salt_?le_?(\d+)_w(\d+)$"), "salt_at_most"),
    (re.compile(r"^dsalt_w(\d+)$"), "salt_change"),
)


def endpoint_from_name(name: str) -> EndpointInfo:
    """Guess an endpoint definition from its conventional name (salt50_w52, dsalt_w52 ...)."""
    m = re.match(r"^salt(\d+)_w(\d+(?:\.\d+)?)$", name)
    if m:
        value, week = float(m.group(1)), float(m.group(2))
        # salt20_w52 is the SALT <= 20 endpoint by convention; 50/75/90/100 are reductions
        if value in (50, 75, 90, 100):
            return EndpointInfo(name, "salt_reduction", week=week, percent=value)
        return EndpointInfo(name, "salt_at_most", week=week, threshold=value)
    m = re.match(r"^dsalt_w(\d+(?:\.\d+)?)$", name)
    if m:
        return EndpointInfo(name, "salt_change", week=float(m.group(1)))
    m = re.match(r"^t_salt(\d+)$", name)
    if m:
        return EndpointInfo(name, "time_to_salt_reduction", percent=float(m.group(1)))
    m = re.match(r"^(treg|nk|cd8)_fold_w(\d+(?:\.\d+)?)$", name)
    if m:
        return EndpointInfo(name, f"{m.group(1)}_fold", week=float(m.group(2)))
    return EndpointInfo(name, "unknown")


def _float(x: Any) -> float | None:
    try:
        return None if x is None else float(x)
    except (TypeError, ValueError):
        return None


@dataclass
class TrialInfo:
    """Everything the report reads from scenario + summary + patients, already defaulted."""

    name: str
    description: str
    arms: list[ArmInfo]
    control_arm: str | None
    primary: str | None
    endpoints: dict[str, EndpointInfo]
    visits_weeks: list[float]
    follow_up_weeks: float
    n_patients: int | None
    replicates: int
    seed: Any
    alpha: float
    inclusion: dict[str, Any]
    responder_scale: float = 100.0
    arm_colors: dict[str, str] = field(default_factory=dict)

    @property
    def treatment_arms(self) -> list[str]:
        """Arms compared against the control arm (all others)."""
        return [a.name for a in self.arms if a.name != self.control_arm]


# Okabe & Ito (2008) colour-blind-safe palette; control arm always grey-black.
OKABE_ITO = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
)
CONTROL_COLOR = "#555555"


def _courses(regimen: Any) -> tuple[Course, ...]:
    out = []
    for c in get(regimen, "courses", []) or []:
        out.append(
            Course(
                start_day=_float(get(c, "start_day", 0)) or 0.0,
                days=int(get(c, "days", 1)),
                dose=_float(get(c, "dose")),
                unit=str(get(c, "unit", "")),
                every_days=_float(get(c, "every_days", 1)) or 1.0,
                per_day=int(get(c, "per_day", 1)),
            )
        )
    for d in get(regimen, "doses", []) or []:
        out.append(
            Course(
                start_day=_float(get(d, "day", 0)) or 0.0,
                days=1,
                dose=_float(get(d, "dose")),
                unit=str(get(d, "unit", "")),
            )
        )
    return tuple(out)


def _inclusion(scenario: Any) -> dict[str, Any]:
    inc = get(get(scenario, "population"), "inclusion")
    if inc is None:
        return {}
    if isinstance(inc, dict):
        items = inc
    elif hasattr(inc, "model_dump"):
        items = inc.model_dump()
    else:
        items = {k: v for k, v in vars(inc).items() if not k.startswith("_")}
    return {k: v for k, v in items.items() if v is not None}


def trial_info(summary: dict | None, patients: pd.DataFrame | None, scenario: Any) -> TrialInfo:
    """Collect the trial description, preferring the scenario, then summary, then patients."""
    summary = summary or {}
    patients = patients if patients is not None else pd.DataFrame()
    regimens = get(scenario, "regimens", {}) or {}

    arms: list[ArmInfo] = []
    for arm in get(scenario, "arms", []) or []:
        reg = get(arm, "regimen", "")
        reg_obj = regimens.get(reg) if isinstance(reg, str) else reg
        reg_name = reg if isinstance(reg, str) else str(get(reg, "name", "regimen"))
        arms.append(
            ArmInfo(
                name=str(get(arm, "name", f"arm{len(arms) + 1}")),
                allocation=_float(get(arm, "allocation", 1)) or 1.0,
                regimen_name=reg_name,
                drug=str(get(reg_obj, "drug", reg_name if reg_obj is None else "")),
                route=str(get(reg_obj, "route", "")),
                courses=_courses(reg_obj),
            )
        )
    if not arms:
        names = list((summary.get("arms") or {}).keys())
        if not names and "arm" in patients:
            names = [str(a) for a in pd.unique(patients["arm"])]
        arms = [ArmInfo(n, 1.0, n, "", "", ()) for n in names]

    analysis = get(scenario, "analysis")
    control = get(analysis, "control_arm", summary.get("control_arm"))
    names = [a.name for a in arms]
    if control not in names:
        control = next((n for n in names if "placebo" in n.lower() or "control" in n.lower()), None)
    if len(arms) < 2:
        control = None

    endpoints: dict[str, EndpointInfo] = {}
    for ep in get(scenario, "endpoints", []) or []:
        name = str(get(ep, "name", ""))
        endpoints[name] = EndpointInfo(
            name=name,
            kind=str(get(ep, "kind", "unknown")),
            week=_float(get(ep, "week")),
            percent=_float(get(ep, "percent")),
            threshold=_float(get(ep, "threshold")),
        )
    for arm_sum in (summary.get("arms") or {}).values():
        for name in (arm_sum or {}).get("endpoints", {}) or {}:
            endpoints.setdefault(name, endpoint_from_name(name))
    for key, comp in (summary.get("comparisons") or {}).items():
        name = str((comp or {}).get("endpoint", key))
        endpoints.setdefault(name, endpoint_from_name(name))

    primary = get(analysis, "primary", summary.get("primary_endpoint"))
    if primary is None:
        comps = summary.get("comparisons") or {}
        flagged = [
            (c or {}).get("endpoint", k) for k, c in comps.items() if (c or {}).get("primary")
        ]
        primary = flagged[0] if flagged else next(iter(comps), None)
    if primary is None and endpoints:
        primary = next(iter(endpoints))
    if primary is not None and primary not in endpoints:
        endpoints[primary] = endpoint_from_name(primary)

    visits = get(scenario, "visits_weeks")
    if not visits and "visit_week" in patients:
        visits = sorted(pd.unique(patients["visit_week"].dropna()))
    visits = [float(v) for v in (visits or [])]
    follow_up = _float(get(scenario, "follow_up_weeks")) or (max(visits) if visits else 52.0)

    n = get(get(scenario, "population"), "n")
    if n is None and {"replicate", "subject"} <= set(patients.columns) and len(patients):
        n = int(patients.groupby("replicate")["subject"].nunique().median())

    replicates = summary.get("replicates")
    if isinstance(replicates, (list, tuple)):
        replicates = len(replicates)
    if replicates is None and "replicate" in patients:
        replicates = int(patients["replicate"].nunique())

    alpha = _float(get(analysis, "alpha"))
    if alpha is None:
        alpha = _float(summary.get("alpha")) or 0.05

    # responder endpoints stored as proportions (0-1) are displayed as percent
    responder_values = [
        abs(v)
        for arm_sum in (summary.get("arms") or {}).values()
        for name, ep in ((arm_sum or {}).get("endpoints") or {}).items()
        if name in endpoints and endpoints[name].is_responder
        for key in ("mean", "median", "lo", "hi")
        if (v := _float((ep or {}).get(key))) is not None and np.isfinite(v)
    ]
    responder_scale = 1.0 if responder_values and max(responder_values) > 1.0 else 100.0

    colors: dict[str, str] = {}
    k = 0
    for a in arms:
        if a.name == control:
            colors[a.name] = CONTROL_COLOR
        else:
            colors[a.name] = OKABE_ITO[k % len(OKABE_ITO)]
            k += 1

    return TrialInfo(
        name=str(get(scenario, "name", summary.get("scenario", "scenario"))),
        description=str(get(scenario, "description", "")),
        arms=arms,
        control_arm=control,
        primary=primary,
        endpoints=endpoints,
        visits_weeks=visits,
        follow_up_weeks=float(follow_up),
        n_patients=None if n is None else int(n),
        replicates=int(replicates or 1),
        seed=summary.get("seed", get(scenario, "seed")),
        alpha=float(alpha),
        inclusion=_inclusion(scenario),
        responder_scale=responder_scale,
        arm_colors=colors,
    )


def primary_comparison(summary: dict, info: TrialInfo) -> dict:
    """The comparison entry of the primary endpoint (first treated arm vs control), or {}.

    summary.json keys comparisons by endpoint name with one treated arm and by
    '<endpoint>:<arm>_vs_<control>' otherwise; entries carry 'endpoint' and 'arm'.
    """
    comps = summary.get("comparisons") or {}
    if info.primary is None or not comps:
        return {}
    if isinstance(comps.get(info.primary), dict):
        return comps[info.primary]
    matches = [
        c for c in comps.values() if isinstance(c, dict) and c.get("endpoint") == info.primary
    ]
    for arm in info.treatment_arms:
        for c in matches:
            if c.get("arm") == arm:
                return c
    return matches[0] if matches else {}


def is_ratio(comp: dict) -> bool:
    """True when the comparison estimate is a ratio (odds ratio, null value 1)."""
    return _float(comp.get("null_value")) == 1.0


def salt_column(patients: pd.DataFrame) -> str:
    """The SALT column a trial would see (observed), falling back to the true one."""
    if "salt_observed" in patients and patients["salt_observed"].notna().any():
        return "salt_observed"
    return "salt_true"


def treg_column(patients: pd.DataFrame) -> str:
    """The measured Treg % column, falling back to the model value."""
    col = "treg_pct_cd4_observed"
    if col in patients and patients[col].notna().any():
        return col
    return "treg_pct_cd4"


def display_value(value: Any, endpoint: EndpointInfo | None, info: TrialInfo) -> float | None:
    """An endpoint value in display units (responder rates in percent); None if missing."""
    v = _float(value)
    if v is None or not np.isfinite(v):
        return None
    if endpoint is not None and endpoint.is_responder:
        return info.responder_scale * v
    return v
