"""Who is screened and enrolled: inclusion criteria and the population block of a scenario."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from tregsim.errors import InvalidField
from tregsim.protocol._base import FrozenModel as _Model
from tregsim.protocol._base import fmt_num as _num


class Inclusion(_Model):
    """Inclusion criteria, applied to *measured* values at screening."""

    age_min: float = Field(18, ge=0, le=120, description="the youngest age enrolled, in years")
    age_max: float = Field(60, ge=0, le=120, description="the oldest age enrolled, in years")
    salt_min: float = Field(
        50, ge=0, le=100, description="the lowest screening SALT score enrolled (0-100)"
    )
    salt_max: float = Field(
        100, ge=0, le=100, description="the highest screening SALT score enrolled (0-100)"
    )
    episode_min_years: float | None = Field(
        None, ge=0, description="the shortest current-episode duration enrolled, in years"
    )
    episode_max_years: float | None = Field(
        None, gt=0, description="the longest current-episode duration enrolled, in years"
    )
    resistant_to_systemic: bool = Field(
        False, description="true to enrol only patients resistant to a systemic treatment"
    )

    @model_validator(mode="after")
    def _ranges(self) -> Inclusion:
        if self.age_min > self.age_max:
            raise InvalidField(
                "age_min",
                f"({_num(self.age_min)}) is above age_max ({_num(self.age_max)})",
                "make age_min at most age_max",
            )
        if self.salt_min > self.salt_max:
            raise InvalidField(
                "salt_min",
                f"({_num(self.salt_min)}) is above salt_max ({_num(self.salt_max)})",
                "make salt_min at most salt_max",
            )
        lo, hi = self.episode_min_years, self.episode_max_years
        if lo is not None and hi is not None and lo >= hi:
            raise InvalidField(
                "episode_min_years",
                f"({_num(lo)}) is not below episode_max_years ({_num(hi)})",
                "make the episode range non-empty",
            )
        return self


class Population(_Model):
    """Who is screened and how many are enrolled per replicate trial."""

    n: int = Field(
        gt=0, description="the planned number of enrolled (randomized) patients per trial"
    )
    inclusion: Inclusion = Field(
        default_factory=Inclusion, description="a mapping of inclusion criteria"
    )
    subtype_mix: dict[Literal["patchy", "totalis", "universalis"], float] | None = Field(
        None,
        description="fractions of patchy / totalis / universalis in the candidate pool",
    )
    max_screened_per_enrolled: int = Field(
        50,
        gt=0,
        description="the most candidates screened per enrolled patient before giving up",
    )

    @model_validator(mode="after")
    def _mix(self) -> Population:
        if self.subtype_mix is None:
            return self
        for key, value in self.subtype_mix.items():
            if not (0 <= value <= 1) or math.isnan(value):
                raise InvalidField(
                    f"subtype_mix.{key}",
                    f"must be a fraction between 0 and 1 (got {_num(value)})",
                    "give each subtype's share of the candidate pool",
                )
        total = sum(self.subtype_mix.values())
        if total <= 0:
            raise InvalidField(
                "subtype_mix", "sums to 0", "give at least one subtype a positive share"
            )
        return self
