"""The scenario's optional ``design`` section: accrual, interim looks, stopping rules and
sample-size re-estimation (schema only; :mod:`tregsim.design` evaluates it).

Example::

    design:
      accrual_per_month: 2
      interims: [0.5]                 # information fractions: share of patients past the
                                      # primary endpoint's visit; the final look is 1
      efficacy: obrien-fleming        # Lan-DeMets O'Brien-Fleming type | pocock | none
      futility: {rule: predictive-probability, below: 0.10}   # non-binding
      sample_size_reestimation: {rule: promising-zone, max_n: 120}

Methods: Lan & DeMets, Biometrika 1983;70:659 (error spending); Spiegelhalter, Freedman &
Blackburn, Control Clin Trials 1986;7:8 (predictive probability); Lan, Simon & Halperin,
Commun Stat C 1982;1:207 (conditional power); Mehta & Pocock, Stat Med 2011;30:3267
(promising zone); Cui, Hung & Wang, Biometrics 1999;55:853 (weighted statistic).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from tregsim.errors import InvalidField
from tregsim.protocol._base import FrozenModel

__all__ = ["Design", "Futility", "SampleSizeReestimation"]


class Futility(FrozenModel):
    """A non-binding futility rule: stop when the rule's probability falls below ``below``."""

    rule: Literal["predictive-probability", "conditional-power"] = Field(
        description="predictive-probability or conditional-power"
    )
    below: float = Field(gt=0, lt=1, description="a probability strictly between 0 and 1")


class SampleSizeReestimation(FrozenModel):
    """Promising-zone re-estimation at the first interim (Mehta & Pocock 2011): when the
    conditional power under the current trend lies in ``[cp_min, cp_target)``, the trial
    grows to the size that restores ``cp_target``, at most ``max_n``; the final test then
    uses the Cui-Hung-Wang weighted statistic, which keeps the type I error."""

    rule: Literal["promising-zone"] = Field(description="promising-zone")
    max_n: int = Field(gt=0, description="the largest total number of patients allowed")
    cp_min: float = Field(
        0.36, gt=0, lt=1, description="the lower edge of the promising zone, in (0, 1)"
    )
    cp_target: float = Field(
        0.8, gt=0, lt=1, description="the conditional power to restore, in (0, 1)"
    )

    @model_validator(mode="after")
    def _zone(self) -> SampleSizeReestimation:
        if self.cp_min >= self.cp_target:
            raise InvalidField(
                "cp_min",
                f"({self.cp_min:g}) is not below cp_target ({self.cp_target:g})",
                "make the promising zone [cp_min, cp_target) non-empty",
            )
        return self


class Design(FrozenModel):
    """Accrual, interim analyses and stopping rules of a group-sequential trial."""

    accrual_per_month: float = Field(
        gt=0, le=1000, description="the number of patients randomized per month (> 0)"
    )
    interims: tuple[float, ...] = Field(
        (), description="a list of information fractions strictly increasing inside (0, 1)"
    )
    efficacy: Literal["obrien-fleming", "pocock", "none"] = Field(
        "obrien-fleming", description="obrien-fleming, pocock or none"
    )
    futility: Futility | None = Field(
        None, description="a mapping with rule (predictive-probability or conditional-power)"
    )
    sample_size_reestimation: SampleSizeReestimation | None = Field(
        None, description="a mapping with rule: promising-zone and max_n"
    )

    @field_validator("interims")
    @classmethod
    def _increasing(cls, interims: tuple[float, ...]) -> tuple[float, ...]:
        for i, fraction in enumerate(interims):
            if not 0.0 < fraction < 1.0:
                raise InvalidField(
                    f"{i}",
                    f"({fraction:g}) is not an information fraction inside (0, 1)",
                    "give each interim as a share of patients past the primary visit, such as 0.5",
                )
            if i and fraction <= interims[i - 1]:
                raise InvalidField(
                    f"{i}",
                    f"({fraction:g}) does not exceed the previous interim ({interims[i - 1]:g})",
                    "list the interims strictly increasing, such as [0.33, 0.67]",
                )
        return interims

    def check_sample_size(self, n: int) -> None:
        """Raise :class:`InvalidField` when re-estimation could not grow a trial of ``n``
        or has not exactly one interim to act at."""
        ssr = self.sample_size_reestimation
        if ssr is not None and ssr.max_n < n:
            raise InvalidField(
                "design.sample_size_reestimation.max_n",
                f"({ssr.max_n}) is below population.n ({n})",
                "set max_n to at least the planned number of patients",
            )
        if ssr is not None and len(self.interims) != 1:
            raise InvalidField(
                "design.interims",
                f"has {len(self.interims)} looks but sample_size_reestimation acts at exactly one",
                "give a single interim, such as interims: [0.5]",
            )
