"""What each arm receives: regimens, dosing courses, single doses and administrations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from pydantic import Field, model_validator

from tregsim.drugs import DRUGS
from tregsim.errors import InvalidField
from tregsim.protocol._base import NAME_PATTERN as _NAME_PATTERN
from tregsim.protocol._base import FrozenModel as _Model

# Drugs, their routes, units and plausible doses are declared once in tregsim.drugs (the
# registry); the protocol validates regimens against it.
Drug = Literal[tuple(DRUGS)]  # type: ignore[valid-type]
Route = Literal["sc", "iv", "oral"]
DoseUnit = Literal[tuple(dict.fromkeys(u for d in DRUGS.values() for u in d.unit_names))]  # type: ignore[valid-type]

#: Dose units accepted for each drug (from the registry).
DOSE_UNITS: dict[str, tuple[str, ...]] = {name: d.unit_names for name, d in DRUGS.items()}
#: Routes accepted for each drug; the first one is the default when ``route`` is omitted.
ROUTES: dict[str, tuple[str, ...]] = {name: d.routes for name, d in DRUGS.items()}


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
    unit: DoseUnit = Field(description="the dose unit (MIU, MIU/m2 or IU/kg for il2; ug/kg; mg)")
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
    unit: DoseUnit = Field(description="the dose unit (MIU, MIU/m2 or IU/kg for il2; ug/kg; mg)")


class Regimen(_Model):
    """What one arm receives: a drug, a route and its courses and/or single doses."""

    drug: Drug = Field(description="the drug: " + ", ".join(DRUGS) + " (tregsim.drugs)")
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
                lo, hi = DRUGS[self.drug].unit(item.unit).plausible
                if not lo <= item.dose <= hi:
                    raise InvalidField(
                        f"{label}.{index}.dose",
                        f"({item.dose:g} {item.unit}) is outside the plausible {self.drug} dose "
                        f"range of {lo:g}-{hi:g} {item.unit} per administration "
                        "(tregsim.drugs; docs/sources.md#dose-limits)",
                        "check the number and its unit",
                    )
        return self

    @property
    def is_placebo(self) -> bool:
        """True for a placebo regimen (no doses)."""
        return self.drug == "placebo"

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
