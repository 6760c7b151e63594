"""Scenario schema: the validated, immutable description of one in-silico trial.

A scenario is written in YAML (see ``docs/dev/contracts.md`` for the shape) and validated
here with pydantic v2, one module per part (population, regimen, conduct, endpoints,
design, scenario, overrides). Every model is frozen and rejects unknown keys. Time inside
tregsim is in days; the scenario speaks in weeks for visits and endpoints and in days for
dosing.

Public entry points: :class:`Scenario` (``Scenario.from_yaml``, ``Scenario.with_overrides``,
``Scenario.to_yaml``) and :meth:`Regimen.administrations`.
"""

from tregsim.protocol.conduct import Assay, Blinding, Dropout, Randomization, Rater
from tregsim.protocol.design import Design, Futility, SampleSizeReestimation
from tregsim.protocol.endpoints import (
    AE_ENDPOINT_KINDS,
    RESPONDER_KINDS,
    Analysis,
    Endpoint,
    EndpointKind,
)
from tregsim.protocol.population import Inclusion, Population
from tregsim.protocol.regimen import (
    DOSE_UNITS,
    ROUTES,
    Administration,
    Arm,
    Course,
    Dose,
    DoseUnit,
    Drug,
    Regimen,
    Route,
)
from tregsim.protocol.scenario import Scenario

__all__ = [
    "AE_ENDPOINT_KINDS",
    "DOSE_UNITS",
    "RESPONDER_KINDS",
    "ROUTES",
    "Administration",
    "Analysis",
    "Arm",
    "Assay",
    "Blinding",
    "Course",
    "Design",
    "Dose",
    "DoseUnit",
    "Dropout",
    "Drug",
    "Endpoint",
    "EndpointKind",
    "Futility",
    "Inclusion",
    "Population",
    "Randomization",
    "Rater",
    "Regimen",
    "Route",
    "SampleSizeReestimation",
    "Scenario",
]
