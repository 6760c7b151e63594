"""What the report reads from the scenario, the summary dict and the patients table.

The scenario is a validated :class:`tregsim.protocol.Scenario` (given, or rebuilt from the
summary's ``scenario_config``); its regimens give the dosing days through
:meth:`tregsim.protocol.Regimen.administrations`, the same ones the simulation doses on.
Without a scenario the report falls back to the summary and the patients table. Nothing in
this module draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tregsim.drugs import DRUGS
from tregsim.errors import TregsimInputError
from tregsim.protocol import Arm, Course, Endpoint, Regimen, Scenario
from tregsim.report.endpoint_text import endpoint_from_name, is_responder

__all__ = [
    "ArmInfo",
    "TrialInfo",
    "trial_info",
    "salt_column",
    "treg_column",
    "display_value",
]


def _n_days(course: Course) -> int:
    """The number of dosing days of a course (``per_day`` doses on each)."""
    return math.ceil(course.days / course.every_days - 1e-9)


def _last_day(course: Course) -> float:
    """The last dosing day of a course."""
    return course.start_day + max(_n_days(course) - 1, 0) * course.every_days


def _course_text(course: Course) -> str:
    dose = f"{course.dose:g} {course.unit}"
    if course.per_day > 1:
        dose += f" x{course.per_day}/day"
    if _n_days(course) <= 1:
        when = f"day {course.start_day:g}"
    else:
        when = f"days {course.start_day:g}-{_last_day(course):g}"
        if course.every_days != 1:
            when += f" every {course.every_days:g} days"
    return f"{dose} {when}"


@dataclass(frozen=True)
class ArmInfo:
    """One arm as the report needs it: its validated :class:`tregsim.protocol.Regimen`, or
    None when the arm is known only by its name (no scenario)."""

    name: str
    allocation: float
    regimen_name: str
    regimen: Regimen | None = None

    @property
    def drug(self) -> str:
        """The regimen's drug ('' without a regimen)."""
        return self.regimen.drug if self.regimen is not None else ""

    @property
    def route(self) -> str:
        """The regimen's route ('' without one)."""
        return (self.regimen.route or "") if self.regimen is not None else ""

    def dose_days(self) -> list[float]:
        """Every administration time of the arm's regimen (days), sorted: those of
        :meth:`tregsim.protocol.Regimen.administrations`."""
        if self.regimen is None:
            return []
        return sorted({a.day for a in self.regimen.administrations()})

    def dosing_spans(self) -> list[tuple[float, float]]:
        """(first, last) dosing day of each course, then of each single dose."""
        if self.regimen is None:
            return []
        spans = [(c.start_day, _last_day(c)) for c in self.regimen.courses]
        return spans + [(d.day, d.day) for d in self.regimen.doses]

    def regimen_text(self) -> str:
        """Plain description of the regimen from its courses then its single doses, e.g.
        'aldesleukin (IL-2) SC: 1.5 MIU days 0-4; 3 MIU days 21-25; ...'."""
        regimen = self.regimen
        if regimen is None:
            return "No treatment"
        if regimen.is_placebo:
            return "Placebo (matching injections)"
        parts = [_course_text(c) for c in regimen.courses]
        parts += [f"{d.dose:g} {d.unit} day {d.day:g}" for d in regimen.doses]
        head = DRUGS[regimen.drug].label if regimen.drug in DRUGS else regimen.drug
        if self.route:
            head += f" {self.route.upper()}"
        return f"{head}: " + "; ".join(parts) if parts else head


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
    endpoints: dict[str, Endpoint | None]  # None: known only by its name (no scenario)
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


def _inclusion(scenario: Scenario | None) -> dict[str, Any]:
    if scenario is None:
        return {}
    items = scenario.population.inclusion.model_dump()
    return {k: v for k, v in items.items() if v is not None}


def scenario_of(summary: dict, scenario: Scenario | dict | None) -> Scenario | None:
    """The run's scenario: `scenario`, else the summary's ``scenario_config``, validated;
    None when neither is a valid scenario (the report then reads the summary and patients
    only, e.g. for a summary.json written by an older tregsim)."""
    if isinstance(scenario, Scenario):
        return scenario
    for config in (scenario, summary.get("scenario_config")):
        if isinstance(config, dict):
            try:
                return Scenario.from_dict(config, source="the run's scenario")
            except TregsimInputError:
                continue
    return None


def _arm_info(scenario: Scenario, arm: Arm) -> ArmInfo:
    regimen = scenario.regimens[arm.regimen]
    return ArmInfo(
        name=arm.name,
        allocation=float(arm.allocation),
        regimen_name=arm.regimen,
        regimen=regimen,
    )


def trial_info(
    summary: dict | None, patients: pd.DataFrame | None, scenario: Scenario | None
) -> TrialInfo:
    """Collect the trial description, preferring the scenario, then summary, then patients."""
    summary = summary or {}
    patients = patients if patients is not None else pd.DataFrame()
    scenario = scenario_of(summary, scenario)

    if scenario is not None:
        arms = [_arm_info(scenario, arm) for arm in scenario.arms]
    else:
        names = list((summary.get("arms") or {}).keys())
        if not names and "arm" in patients:
            names = [str(a) for a in pd.unique(patients["arm"])]
        arms = [ArmInfo(n, 1.0, n) for n in names]

    names = [a.name for a in arms]
    if scenario is not None:
        control = scenario.control_arm
    else:
        control = summary.get("control_arm")
        if control not in names:
            control = next(
                (n for n in names if "placebo" in n.lower() or "control" in n.lower()), None
            )
    if len(arms) < 2:
        control = None

    endpoints: dict[str, Endpoint | None] = {}
    for ep in scenario.endpoints if scenario is not None else ():
        endpoints[ep.name] = ep
    for arm_sum in (summary.get("arms") or {}).values():
        for name in (arm_sum or {}).get("endpoints", {}) or {}:
            endpoints.setdefault(name, endpoint_from_name(name))
    for key, comp in (summary.get("comparisons") or {}).items():
        name = str((comp or {}).get("endpoint", key))
        endpoints.setdefault(name, endpoint_from_name(name))

    primary = scenario.analysis.primary if scenario is not None else None
    primary = primary or summary.get("primary_endpoint")
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

    visits = list(scenario.visits_weeks) if scenario is not None else []
    if not visits and "visit_week" in patients:
        visits = sorted(pd.unique(patients["visit_week"].dropna()))
    visits = [float(v) for v in visits]
    follow_up = (
        scenario.follow_up_weeks if scenario is not None else (max(visits) if visits else 52.0)
    )

    n = scenario.population.n if scenario is not None else None
    if n is None and {"replicate", "subject"} <= set(patients.columns) and len(patients):
        n = int(patients.groupby("replicate")["subject"].nunique().median())

    replicates = summary.get("replicates")
    if isinstance(replicates, (list, tuple)):
        replicates = len(replicates)
    if replicates is None and "replicate" in patients:
        replicates = int(patients["replicate"].nunique())

    if scenario is not None:
        alpha = scenario.analysis.alpha
    else:
        alpha = _float(summary.get("alpha")) or 0.05

    # responder endpoints stored as proportions (0-1) are displayed as percent
    responder_values = [
        abs(v)
        for arm_sum in (summary.get("arms") or {}).values()
        for name, ep in ((arm_sum or {}).get("endpoints") or {}).items()
        if name in endpoints and is_responder(endpoints[name])
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
        name=scenario.name if scenario is not None else str(summary.get("scenario", "scenario")),
        description=scenario.description if scenario is not None else "",
        arms=arms,
        control_arm=control,
        primary=primary,
        endpoints=endpoints,
        visits_weeks=visits,
        follow_up_weeks=float(follow_up),
        n_patients=None if n is None else int(n),
        replicates=int(replicates or 1),
        seed=summary.get("seed", scenario.seed if scenario is not None else None),
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


def display_value(value: Any, endpoint: Endpoint | None, info: TrialInfo) -> float | None:
    """An endpoint value in display units (responder rates in percent); None if missing."""
    v = _float(value)
    if v is None or not np.isfinite(v):
        return None
    if is_responder(endpoint):
        return info.responder_scale * v
    return v
