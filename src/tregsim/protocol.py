"""Scenario schema: the validated, immutable description of one in-silico trial.

A scenario is written in YAML (see ``docs/dev/contracts.md`` for the shape) and validated
here with pydantic v2. Every model is frozen and rejects unknown keys. Time inside tregsim is
in days; the scenario speaks in weeks for visits and endpoints and in days for dosing.

Public entry points: :class:`Scenario` (``Scenario.from_yaml``, ``Scenario.with_overrides``,
``Scenario.to_yaml``) and :meth:`Regimen.administrations`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, Literal, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tregsim.errors import (
    InvalidField,
    TregsimInputError,
    from_validation_error,
    from_yaml_error,
    suggest,
)
from tregsim.protocol_design import Design

__all__ = [
    "DOSE_UNITS",
    "ROUTES",
    "Administration",
    "Analysis",
    "Arm",
    "Assay",
    "Blinding",
    "Course",
    "Dose",
    "Dropout",
    "Endpoint",
    "EndpointKind",
    "Inclusion",
    "Population",
    "Randomization",
    "Rater",
    "Regimen",
    "Scenario",
]

Drug = Literal["il2", "baricitinib", "placebo"]
Route = Literal["sc", "iv", "oral"]
DoseUnit = Literal["MIU", "MIU/m2", "IU/kg", "mg"]

#: Dose units accepted for each drug.
DOSE_UNITS: dict[str, tuple[str, ...]] = {
    "il2": ("MIU", "MIU/m2", "IU/kg"),
    "baricitinib": ("mg",),
    "placebo": (),
}
#: Routes accepted for each drug; the first one is the default when ``route`` is omitted.
ROUTES: dict[str, tuple[str, ...]] = {
    "il2": ("sc", "iv"),
    "baricitinib": ("oral",),
    "placebo": ("sc", "iv", "oral"),
}

_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"
_FROZEN = ConfigDict(frozen=True, extra="forbid")


def _num(value: float) -> str:
    return f"{value:g}"


class _Model(BaseModel):
    model_config = _FROZEN


# --------------------------------------------------------------------------- population


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


# --------------------------------------------------------------------------- regimens


class Administration(NamedTuple):
    """One administration: ``day`` (float, days from randomization), ``dose``, ``unit``."""

    day: float
    dose: float
    unit: str


class Course(_Model):
    """A course of ``per_day`` doses a day on every ``every_days``-th day.

    Dosing days are ``start_day + k * every_days`` for every ``k >= 0`` with
    ``k * every_days < days``: ``days`` is the length of the course in days (5 consecutive
    days with the default ``every_days: 1``). Within a day the ``per_day`` doses are evenly
    spaced (``per_day: 3`` gives ``d, d + 1/3, d + 2/3``).
    """

    start_day: float = Field(ge=0, description="the first dosing day (0 = randomization)")
    days: float = Field(gt=0, description="the course length in days")
    dose: float = Field(gt=0, description="a positive amount per administration")
    unit: DoseUnit = Field(description="the dose unit (MIU, MIU/m2 or IU/kg for il2; mg)")
    per_day: int = Field(1, gt=0, le=24, description="the number of doses a day (1-24)")
    every_days: float = Field(1, gt=0, description="the spacing of dosing days, in days")

    def administrations(self) -> list[Administration]:
        """Every administration of this course, in time order."""
        out: list[Administration] = []
        k = 0
        while k * self.every_days < self.days - 1e-9:
            day = self.start_day + k * self.every_days
            for j in range(self.per_day):
                out.append(Administration(day + j / self.per_day, self.dose, self.unit))
            k += 1
        return out


class Dose(_Model):
    """A single administration at ``day``."""

    day: float = Field(ge=0, description="the dosing day (0 = randomization)")
    dose: float = Field(gt=0, description="a positive amount")
    unit: DoseUnit = Field(description="the dose unit (MIU, MIU/m2 or IU/kg for il2; mg)")


class Regimen(_Model):
    """What one arm receives: a drug, a route and its courses and/or single doses."""

    drug: Drug = Field(description="the drug: il2, baricitinib or placebo")
    route: Route | None = Field(
        None, description="the route (sc or iv for il2, oral for baricitinib)"
    )
    courses: tuple[Course, ...] = Field((), description="a list of dosing courses")
    doses: tuple[Dose, ...] = Field((), description="a list of single doses")

    @model_validator(mode="before")
    @classmethod
    def _default_route(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("route") is None:
            drug = data.get("drug")
            if drug in ROUTES and drug != "placebo":
                data = {**data, "route": ROUTES[drug][0]}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Regimen:
        if self.drug == "placebo":
            if self.courses or self.doses:
                field = "courses" if self.courses else "doses"
                raise InvalidField(
                    field,
                    "is given for a placebo regimen",
                    "remove it, since a placebo regimen has no doses",
                )
            return self
        if not self.courses and not self.doses:
            raise InvalidField(
                "courses",
                f"is empty for drug {self.drug}",
                "give at least one course or single dose",
            )
        if self.route not in ROUTES[self.drug]:
            raise InvalidField(
                "route",
                f"'{self.route}' is not a route for {self.drug}",
                "use " + " or ".join(ROUTES[self.drug]),
            )
        allowed = DOSE_UNITS[self.drug]
        for label, items in (("courses", self.courses), ("doses", self.doses)):
            for index, item in enumerate(items):
                if item.unit not in allowed:
                    raise InvalidField(
                        f"{label}.{index}.unit",
                        f"'{item.unit}' is not a unit for {self.drug}",
                        "use " + " or ".join(allowed),
                    )
        return self

    def administrations(self) -> list[Administration]:
        """Every administration ``(day, dose, unit)`` of the regimen, sorted by day.

        Units are as written in the scenario; converting to amounts (per kg, per m2) is the
        model's job (``tregsim.model.dosing``). A placebo regimen has none.
        """
        out: list[Administration] = []
        for course in self.courses:
            out.extend(course.administrations())
        out.extend(Administration(d.day, d.dose, d.unit) for d in self.doses)
        out.sort(key=lambda a: a.day)
        return out


class Arm(_Model):
    """A randomized arm: its name, its allocation weight and the regimen it receives."""

    name: str = Field(pattern=_NAME_PATTERN, description="a short arm name such as il2")
    allocation: int = Field(
        gt=0, description="a positive allocation weight (3 for a 3:2:2 first arm)"
    )
    regimen: str = Field(description="the name of a regimen listed under regimens")


# --------------------------------------------------------------------------- trial conduct


class Randomization(_Model):
    """Permuted-block randomization, optionally stratified."""

    block_size: int | None = Field(
        None,
        gt=0,
        description=(
            "a positive block size (the trial rounds it up to a multiple of the allocation "
            "total; omitted means one allocation cycle)"
        ),
    )
    stratify_by: tuple[Literal["salt_band"], ...] = Field(
        (), description="a list of strata: [] or [salt_band]"
    )


class Blinding(_Model):
    """Open label or double blind, and how many raters score SALT."""

    open_label: bool = Field(False, description="true for an open-label trial")
    raters: int = Field(1, gt=0, le=10, description="the number of SALT raters (1-10)")


class Rater(_Model):
    """SALT rating error (an assumption: no peer-reviewed reliability figure was found)."""

    sd_salt: float = Field(
        4.0, ge=0, le=50, description="the rater's SALT standard deviation in SALT points"
    )
    unblinded_optimism: float = Field(
        0.0,
        ge=0,
        le=100,
        description="the SALT points an unblinded rater under-scores treated patients by",
    )


class Assay(_Model):
    """Flow-cytometry measurement error."""

    treg_cv: float = Field(0.1, ge=0, le=1, description="the Treg % coefficient of variation (0-1)")


class Dropout(_Model):
    """Loss to follow-up."""

    per_visit: float = Field(
        0.02, ge=0, lt=1, description="the probability of dropping out at each visit (0-1)"
    )
    non_responder_extra: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="the extra per-visit dropout probability of non-responders (0-1)",
    )


class EndpointKind(StrEnum):
    """What an endpoint measures."""

    salt_reduction = "salt_reduction"  # responder: SALT fell by >= percent from baseline
    salt_at_most = "salt_at_most"  # responder: SALT <= threshold
    salt_change = "salt_change"  # continuous: SALT(week) - SALT(baseline)
    salt_percent_change = "salt_percent_change"  # continuous: 100 * change / baseline
    time_to_salt_reduction = "time_to_salt_reduction"  # days until SALT fell by percent
    treg_pct = "treg_pct"  # Treg % of CD4 at week
    treg_fold = "treg_fold"  # Treg % of CD4 at week / baseline
    nk_fold = "nk_fold"  # NK per uL at week / baseline
    cd8_fold = "cd8_fold"  # CD8 per uL at week / baseline


_NEEDS: dict[EndpointKind, frozenset[str]] = {
    EndpointKind.salt_reduction: frozenset({"percent", "week"}),
    EndpointKind.salt_at_most: frozenset({"threshold", "week"}),
    EndpointKind.salt_change: frozenset({"week"}),
    EndpointKind.salt_percent_change: frozenset({"week"}),
    EndpointKind.time_to_salt_reduction: frozenset({"percent"}),
    EndpointKind.treg_pct: frozenset({"week"}),
    EndpointKind.treg_fold: frozenset({"week"}),
    EndpointKind.nk_fold: frozenset({"week"}),
    EndpointKind.cd8_fold: frozenset({"week"}),
}
_ALLOWS: dict[EndpointKind, frozenset[str]] = {
    **_NEEDS,
    EndpointKind.time_to_salt_reduction: frozenset({"percent", "week"}),
}
#: Endpoint kinds whose value is a responder (yes / no) proportion.
RESPONDER_KINDS = frozenset({EndpointKind.salt_reduction, EndpointKind.salt_at_most})


class Endpoint(_Model):
    """One endpoint. ``week`` may be fractional (``week: 1`` is day 7)."""

    name: str = Field(pattern=_NAME_PATTERN, description="a short endpoint name such as salt50_w52")
    kind: EndpointKind = Field(description="an endpoint kind such as salt_reduction")
    week: float | None = Field(
        None, ge=0, description="the assessment week (it must be one of visits_weeks)"
    )
    percent: float | None = Field(
        None, gt=0, le=100, description="the required SALT reduction in percent (0-100)"
    )
    threshold: float | None = Field(
        None, ge=0, le=100, description="the SALT score a responder must reach (0-100)"
    )

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Endpoint:
        given = {f for f in ("week", "percent", "threshold") if getattr(self, f) is not None}
        for field in sorted(_NEEDS[self.kind] - given):
            raise InvalidField(
                field, f"is missing for kind {self.kind.value}", f"give the endpoint a {field}"
            )
        for field in sorted(given - _ALLOWS[self.kind]):
            raise InvalidField(field, f"is not used by kind {self.kind.value}", "remove it")
        if self.week is not None and self.week == 0 and self.kind != EndpointKind.treg_pct:
            raise InvalidField("week", "is 0 (baseline)", "pick a visit week after randomization")
        return self

    @property
    def is_responder(self) -> bool:
        """True for yes/no endpoints (analysed as proportions)."""
        return self.kind in RESPONDER_KINDS


class Analysis(_Model):
    """The statistical analysis plan."""

    primary: str = Field(description="the name of one of the endpoints")
    control_arm: str | None = Field(
        None, description="the name of the control arm (omit it for a single-arm study)"
    )
    alpha: float = Field(0.05, gt=0, lt=1, description="the two-sided significance level")
    responder_test: Literal["fisher", "cmh"] = Field(
        "fisher", description="fisher or cmh (strata = randomization strata)"
    )
    continuous_test: Literal["ancova"] = Field("ancova", description="ancova (on baseline)")
    missing_responder: Literal["nri"] = Field("nri", description="nri (non-responder imputation)")
    missing_continuous: Literal["locf", "mmrm"] = Field("locf", description="locf or mmrm")


# --------------------------------------------------------------------------- scenario


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


def _apply_override(data: dict[str, Any], item: str) -> None:
    if not isinstance(item, str) or "=" not in item:
        raise TregsimInputError(
            f"--set '{item}' has no '='; write it as dotted.key=value, e.g. population.n=120",
            field="--set",
        )
    key, _, raw = item.partition("=")
    key = key.strip()
    parts = key.split(".")
    if not key or any(not p for p in parts):
        raise TregsimInputError(
            f"--set '{item}' has an empty key; write it as dotted.key=value, e.g. population.n=120",
            field="--set",
        )
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        raise TregsimInputError(
            f"--set {key} has a value that is not valid YAML ({raw!r}); quote text or write a "
            "number, true/false or a [list]",
            field=key,
        ) from None
    if value is None:
        raise TregsimInputError(f"--set {key} has no value; write {key}=VALUE", field=key)
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        here = ".".join(parts[: depth + 1])
        parent = ".".join(parts[:depth]) or "the scenario"
        if isinstance(node, list):
            index = _list_index(node, part)
            if index is None:
                names = [str(x.get("name")) for x in node if isinstance(x, dict) and "name" in x]
                choices = f"0-{len(node) - 1}" + (f" or one of {', '.join(names)}" if names else "")
                raise TregsimInputError(
                    f"--set {key}: '{part}' is not an item of {parent}; use an index {choices}",
                    field=key,
                )
            if last:
                node[index] = value
            else:
                node = node[index]
        elif isinstance(node, dict):
            if part not in node:
                if last or depth == 0:
                    # Let validation report unknown keys with the list of allowed fields.
                    if not last:
                        raise TregsimInputError(
                            f"--set {key}: {here} is not a field of the scenario"
                            f"{suggest(part, node)}; use one of {', '.join(node)}",
                            field=key,
                        )
                    node[part] = value
                    return
                if parent.startswith("regimens") and depth == 1:
                    node[part] = {}
                else:
                    raise TregsimInputError(
                        f"--set {key}: {here} is not a field of {parent}{suggest(part, node)}; "
                        f"use one of {', '.join(node)}",
                        field=key,
                    )
            if last:
                node[part] = value
            else:
                if node[part] is None:
                    node[part] = {}
                node = node[part]
        else:
            raise TregsimInputError(
                f"--set {key}: {parent} is a single value, not a mapping; set {parent}=VALUE",
                field=key,
            )


def _list_index(items: list[Any], part: str) -> int | None:
    try:
        index = int(part)
    except ValueError:
        for i, item in enumerate(items):
            if isinstance(item, dict) and item.get("name") == part:
                return i
        return None
    if -len(items) <= index < len(items):
        return index % len(items)
    return None
