"""The scenario: a complete, validated in-silico trial design and its cross-field checks."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from pydantic import Field, ValidationError, model_validator

from tregsim.errors import (
    InvalidField,
    TregsimInputError,
    from_validation_error,
    from_yaml_error,
    suggest,
)
from tregsim.protocol._base import NAME_PATTERN as _NAME_PATTERN
from tregsim.protocol._base import FrozenModel as _Model
from tregsim.protocol._base import fmt_num as _num
from tregsim.protocol.conduct import Assay, Blinding, Dropout, Randomization, Rater
from tregsim.protocol.design import Design
from tregsim.protocol.endpoints import Analysis, Endpoint, EndpointKind
from tregsim.protocol.overrides import apply_override as _apply_override
from tregsim.protocol.population import Population
from tregsim.protocol.regimen import Arm, Regimen


class Scenario(_Model):
    """A complete, validated in-silico trial design (immutable).

    Build one with :func:`tregsim.load_scenario` or :meth:`Scenario.from_yaml`; derive
    variants with :meth:`with_overrides`.
    """

    name: str = Field(pattern=_NAME_PATTERN, description="a short scenario name such as phrc-2016")
    description: str = Field("", description="one line saying what the scenario is")
    seed: int = Field(0, ge=0, description="a non-negative integer seed")
    population: Population = Field(description="a mapping with n and inclusion")
    arms: tuple[Arm, ...] = Field(min_length=1, description="a list of at least one arm")
    regimens: dict[str, Regimen] = Field(description="a mapping of regimen name to regimen")
    visits_weeks: tuple[float, ...] = Field(
        min_length=1, description="a sorted list of visit weeks starting at 0"
    )
    visit_window_days: float = Field(0, ge=0, le=28, description="the +/- visit window in days")
    follow_up_weeks: float = Field(gt=0, description="the follow-up length in weeks")
    randomization: Randomization = Field(
        default_factory=Randomization, description="a mapping with block_size and stratify_by"
    )
    blinding: Blinding = Field(
        default_factory=Blinding, description="a mapping with open_label and raters"
    )
    rater: Rater = Field(default_factory=Rater, description="a mapping with sd_salt")
    assay: Assay = Field(default_factory=Assay, description="a mapping with treg_cv")
    dropout: Dropout = Field(default_factory=Dropout, description="a mapping with per_visit")
    endpoints: tuple[Endpoint, ...] = Field(
        min_length=1, description="a list of at least one endpoint"
    )
    analysis: Analysis = Field(description="a mapping with primary and control_arm")
    design: Design | None = Field(
        None, description="a mapping with accrual_per_month, interims and efficacy"
    )

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        self._check_arms()
        self._check_visits()
        self._check_endpoints()
        self._check_analysis()
        if self.design is not None:
            self.design.check_sample_size(self.population.n)
        return self

    def _check_arms(self) -> None:
        seen: set[str] = set()
        for i, arm in enumerate(self.arms):
            if arm.name in seen:
                raise InvalidField(
                    f"arms.{i}.name", f"'{arm.name}' is used twice", "give every arm its own name"
                )
            seen.add(arm.name)
            if arm.regimen not in self.regimens:
                known = ", ".join(self.regimens) or "none"
                raise InvalidField(
                    f"arms.{i}.regimen",
                    f"'{arm.regimen}' is not a regimen{suggest(arm.regimen, self.regimens)}",
                    f"use one of the regimens ({known}) or add it under regimens",
                )
        if self.population.n < len(self.arms):
            raise InvalidField(
                "population.n",
                f"({self.population.n}) is smaller than the number of arms ({len(self.arms)})",
                "enrol at least one patient per arm",
            )

    def _check_visits(self) -> None:
        weeks = self.visits_weeks
        if weeks[0] != 0:
            raise InvalidField(
                "visits_weeks", f"starts at week {_num(weeks[0])}", "add week 0 (baseline) first"
            )
        for i in range(1, len(weeks)):
            if weeks[i] <= weeks[i - 1]:
                raise InvalidField(
                    f"visits_weeks.{i}",
                    f"({_num(weeks[i])}) is not after the previous visit ({_num(weeks[i - 1])})",
                    "list visit weeks in increasing order without repeats",
                )
        if weeks[-1] > self.follow_up_weeks:
            raise InvalidField(
                f"visits_weeks.{len(weeks) - 1}",
                f"({_num(weeks[-1])}) is after follow_up_weeks ({_num(self.follow_up_weeks)})",
                "drop the visit or lengthen follow_up_weeks",
            )

    def _check_endpoints(self) -> None:
        names: set[str] = set()
        visits = set(self.visits_weeks)
        for i, endpoint in enumerate(self.endpoints):
            if endpoint.name in names:
                raise InvalidField(
                    f"endpoints.{i}.name",
                    f"'{endpoint.name}' is used twice",
                    "give every endpoint its own name",
                )
            names.add(endpoint.name)
            week = endpoint.week
            if week is None:
                continue
            if week > self.follow_up_weeks:
                raise InvalidField(
                    f"endpoints.{i}.week",
                    f"({_num(week)}) is after follow_up_weeks ({_num(self.follow_up_weeks)})",
                    "pick a week within follow-up",
                )
            if week not in visits and endpoint.kind != EndpointKind.time_to_salt_reduction:
                raise InvalidField(
                    f"endpoints.{i}.week",
                    f"({_num(week)}) is not a visit week",
                    f"add {_num(week)} to visits_weeks or use one of "
                    + ", ".join(_num(w) for w in self.visits_weeks),
                )

    def _check_analysis(self) -> None:
        names = [e.name for e in self.endpoints]
        if self.analysis.primary not in names:
            raise InvalidField(
                "analysis.primary",
                f"'{self.analysis.primary}' is not an endpoint"
                f"{suggest(self.analysis.primary, names)}",
                "name one of the endpoints: " + ", ".join(names),
            )
        control = self.analysis.control_arm
        arm_names = [a.name for a in self.arms]
        if control is not None:
            if control not in arm_names:
                raise InvalidField(
                    "analysis.control_arm",
                    f"'{control}' is not an arm{suggest(control, arm_names)}",
                    "name one of the arms (" + ", ".join(arm_names) + ") or remove it",
                )
            if len(self.arms) < 2:
                raise InvalidField(
                    "analysis.control_arm",
                    "is set but the scenario has a single arm",
                    "remove control_arm or add a second arm",
                )

    # ----------------------------------------------------------------- helpers

    @property
    def control_arm(self) -> str:
        """The control arm: ``analysis.control_arm`` when given, else the first placebo arm,
        else the last arm (a single-arm scenario is its own control: no comparisons)."""
        if self.analysis.control_arm is not None:
            return self.analysis.control_arm
        placebo = [a.name for a in self.arms if self.regimens[a.regimen].is_placebo]
        return placebo[0] if placebo else self.arms[-1].name

    def arm_is_active(self, arm: str) -> bool:
        """True when arm ``arm`` receives a drug (not placebo)."""
        return not self.regimen_of(arm).is_placebo

    @property
    def arm_names(self) -> tuple[str, ...]:
        """Arm names in scenario order."""
        return tuple(a.name for a in self.arms)

    def arm(self, name: str) -> Arm:
        """The arm called ``name``; TregsimInputError naming ``--arm`` when it does not exist."""
        for arm in self.arms:
            if arm.name == name:
                return arm
        raise TregsimInputError(
            f"--arm '{name}' is not an arm of scenario {self.name}{suggest(name, self.arm_names)}; "
            f"use one of {', '.join(self.arm_names)}",
            field="--arm",
        )

    def regimen_of(self, arm: str) -> Regimen:
        """The regimen received by arm ``arm``."""
        return self.regimens[self.arm(arm).regimen]

    def endpoint(self, name: str) -> Endpoint:
        """The endpoint called ``name`` (KeyError if absent)."""
        for endpoint in self.endpoints:
            if endpoint.name == name:
                return endpoint
        raise KeyError(name)

    @property
    def follow_up_days(self) -> float:
        """Follow-up length in days."""
        return self.follow_up_weeks * 7.0

    @property
    def visit_days(self) -> tuple[float, ...]:
        """Visit times in days."""
        return tuple(w * 7.0 for w in self.visits_weeks)

    # ----------------------------------------------------------------- (de)serialization

    @classmethod
    def from_dict(cls, data: Any, source: str = "") -> Scenario:
        """Validate plain data; any problem becomes a one-sentence TregsimInputError."""
        if not isinstance(data, Mapping):
            kind = "empty" if data is None else f"a {type(data).__name__}"
            raise TregsimInputError(
                f"{source or 'the scenario'} must be a YAML mapping of scenario fields (it is "
                f"{kind}); start from 'tregsim scenarios show phrc-2016'",
                field=source,
            )
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            raise from_validation_error(exc, cls, source) from None

    @classmethod
    def from_yaml(cls, text: str, source: str = "scenario") -> Scenario:
        """Parse and validate scenario YAML text."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise from_yaml_error(exc, source) from None
        return cls.from_dict(data, source)

    def payload(self) -> dict[str, Any]:
        """Every field as plain JSON data (``None`` kept): what the canonical JSON encodes.
        The optional ``design`` section is left out when absent, so a scenario without one
        has the canonical JSON and hash it had before designs existed."""
        data = self.model_dump(mode="json")
        if data.get("design") is None:
            data.pop("design", None)
        return data

    def canonical_json(self) -> str:
        """Canonical JSON text: sorted keys, no spaces, UTF-8 characters kept."""
        return json.dumps(self.payload(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def content_hash(self) -> str:
        """SHA-256 (hex) of :meth:`canonical_json`; equal scenarios hash equal (the run
        catalogue and resumed runs match scenarios by it)."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-compatible data (lists, dicts, numbers, strings)."""
        return self.model_dump(mode="json", exclude_none=True)

    def to_yaml(self) -> str:
        """YAML text that :meth:`from_yaml` turns back into an equal scenario."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, default_flow_style=None, width=100)

    def with_overrides(self, overrides: Sequence[str]) -> Scenario:
        """A new validated scenario with ``dotted.key=value`` overrides applied.

        Values are parsed as YAML (``4.5`` is a number, ``true`` a boolean, ``[0, 4]`` a
        list). List items are addressed by index or, for arms and endpoints, by name:
        ``arms.0.allocation=2``, ``arms.il2.allocation=2``,
        ``regimens.il2_pilot.courses.1.dose=4.5``.
        """
        if isinstance(overrides, str):
            overrides = [overrides]
        if not overrides:
            return self
        data = self.model_dump(mode="json")
        for item in overrides:
            _apply_override(data, item)
        return type(self).from_dict(data, source="--set")
