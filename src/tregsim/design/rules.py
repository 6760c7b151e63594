"""Stopping rules and sample-size re-estimation applied to one replicate trial.

With ``t`` the information fraction of an interim, ``z`` its statistic and ``c`` the final
efficacy boundary, in the canonical Brownian-motion model (Jennison & Turnbull 2000,
sections 10.2 and 10.4, written as the B-value of Lan & Wittes, Biometrics 1988;44:579):

- conditional power under the current trend (Lan, Simon & Halperin 1982):
  ``CP = Phi((z / sqrt(t) - c) / sqrt(1 - t))``;
- predictive probability of success with a flat prior on the drift (Spiegelhalter,
  Freedman & Blackburn 1986): ``PP = Phi((z - c sqrt(t)) / sqrt(1 - t))``.

Futility is non-binding: the efficacy boundaries ignore it, so obeying it can only lower
the type I error. Efficacy boundaries are two-sided and symmetric (``alpha`` / 2 each
side); crossing the lower one is a rejection in favour of control (``harm``).

Promising zone (Mehta & Pocock, Stat Med 2011;30:3267) at the first interim: when
``cp_min <= CP < cp_target`` the total size becomes ``n1 + n2*``, where ``n2*`` stage-2
patients restore ``cp_target`` under the current trend, at most ``max_n``. The final test
is the Cui-Hung-Wang statistic ``sqrt(t) Z1 + sqrt(1 - t) Z2`` (Biometrics 1999;55:853),
``Z2`` the standardized stage-2 increment, so the type I error stays at its nominal level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from tregsim.design.looks import (
    DAYS_PER_MONTH,
    PrimaryData,
    analyse_at,
    enrolment_days,
    look_days,
)

__all__ = ["DesignPlan", "conditional_power", "evaluate_replicate", "predictive_probability"]


def conditional_power(z: float, t: float, c: float) -> float:
    """Probability of ending above ``c`` if the current trend continues."""
    return float(norm.cdf((z / math.sqrt(t) - c) / math.sqrt(1.0 - t)))


def predictive_probability(z: float, t: float, c: float) -> float:
    """Probability of ending above ``c`` averaged over a flat-prior posterior of the drift."""
    return float(norm.cdf((z - c * math.sqrt(t)) / math.sqrt(1.0 - t)))


@dataclass(frozen=True)
class DesignPlan:
    """What the rules need: planned ``n``, interim fractions, boundaries (one per look,
    final last), the futility rule and threshold, accrual and re-estimation settings."""

    n: int
    fractions: tuple[float, ...]
    bounds: tuple[float, ...]
    accrual_per_month: float
    futility_rule: str | None = None
    futility_below: float = 0.0
    max_n: int | None = None
    cp_min: float = 0.36
    cp_target: float = 0.8


def _futile(plan: DesignPlan, z: float, t: float) -> tuple[bool, float]:
    if plan.futility_rule is None:
        return False, math.nan
    c = plan.bounds[-1]
    if plan.futility_rule == "conditional-power":
        value = conditional_power(z, t, c)
    else:
        value = predictive_probability(z, t, c)
    return value < plan.futility_below, value


def _reestimated_n(plan: DesignPlan, z1: float, t1: float, n1: int) -> int:
    """Total size after the promising-zone rule (the planned ``n`` outside the zone)."""
    c = plan.bounds[-1]
    cp = conditional_power(z1, t1, c)
    if plan.max_n is None or not plan.cp_min <= cp < plan.cp_target or z1 <= 0:
        return plan.n
    drift = z1 / math.sqrt(t1)  # expected z at the planned size, current trend
    stage2_bound = (c - math.sqrt(t1) * z1) / math.sqrt(1.0 - t1)
    n2 = plan.n * ((stage2_bound + norm.isf(1.0 - plan.cp_target)) / drift) ** 2
    return int(min(plan.max_n, max(plan.n, math.ceil(n1 + n2))))


def evaluate_replicate(
    data: PrimaryData, plan: DesignPlan, treated: str, control: str, options
) -> dict:
    """Run the design on one replicate: the looks it reached, why and when it stopped,
    how many patients were enrolled and still in follow-up, and whether it rejected."""
    enrolled_day = enrolment_days(data.n, plan.accrual_per_month)
    if data.n < plan.n:
        raise ValueError(f"the replicate has {data.n} patients, the design plans {plan.n}")
    days = look_days(data, enrolled_day, plan.n, plan.fractions)
    looks: list[dict] = []
    n_total = plan.n
    z1 = t1 = None
    n1 = 0
    for k, day in enumerate(days):
        look = analyse_at(data, enrolled_day, n_total, day, treated, control, options)
        t = look.n_analysed / plan.n
        futile, value = _futile(plan, look.z, min(t, 1.0 - 1e-9))
        entry = _look_entry(k + 1, look, plan.bounds[k], value)
        looks.append(entry)
        reason = None
        if look.z >= plan.bounds[k]:
            reason = "efficacy"
        elif look.z <= -plan.bounds[k]:
            reason = "harm"
        elif futile:
            reason = "futility"
        if reason is not None:
            return _outcome(looks, reason, look, plan.n, n_total)
        if k == 0:
            z1, t1, n1 = look.z, t, look.n_analysed
            if plan.max_n is not None:
                n_total = _reestimated_n(plan, z1, t1, n1)
                # Extra patients are randomized only once the interim has decided to add
                # them: from the interim day on, at the accrual rate.
                extra = np.arange(plan.n, data.n)
                step = DAYS_PER_MONTH / plan.accrual_per_month
                enrolled_day = enrolled_day.copy()
                enrolled_day[extra] = np.maximum(enrolled_day[extra], day + (extra - plan.n) * step)
    final_day = float(np.max(enrolled_day[:n_total] + data.primary_day[:n_total]))
    look = analyse_at(data, enrolled_day, n_total, final_day, treated, control, options)
    z = look.z
    if plan.max_n is not None and z1 is not None and n_total > n1:
        stage2 = (z * math.sqrt(n_total) - z1 * math.sqrt(n1)) / math.sqrt(n_total - n1)
        z = math.sqrt(t1) * z1 + math.sqrt(1.0 - t1) * stage2
        look = type(look)(look.day, look.n_enrolled, look.n_analysed, look.n_in_follow_up, z)
    looks.append(_look_entry(len(days) + 1, look, plan.bounds[-1], math.nan))
    c = plan.bounds[-1]
    reason = "efficacy" if z >= c else ("harm" if z <= -c else "no rejection")
    return _outcome(looks, reason, look, plan.n, n_total)


def _look_entry(index: int, look, bound: float, futility_value: float) -> dict:
    return {
        "look": index,
        "month": look.day / DAYS_PER_MONTH,
        "n_enrolled": look.n_enrolled,
        "n_analysed": look.n_analysed,
        "n_in_follow_up": look.n_in_follow_up,
        "z": look.z,
        "bound": bound,
        "futility_value": futility_value,
    }


def _outcome(looks: list[dict], reason: str, look, n_planned: int, n_total: int) -> dict:
    return {
        "stop_look": len(looks),
        "reason": reason,
        "success": reason == "efficacy",
        "rejected": reason in ("efficacy", "harm"),
        "n_enrolled": look.n_enrolled,
        "n_in_follow_up": look.n_in_follow_up,
        "duration_months": look.day / DAYS_PER_MONTH,
        "n_total_planned_after_reestimation": n_total,
        "increased": n_total > n_planned,
        "looks": looks,
    }
