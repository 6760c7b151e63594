"""Adverse-event kinds declared as data (``tregsim/data/adverse_events.yaml``).

Each kind has a label, a grade distribution (CTCAE grades 1-5), a background probability
(per injection day or per study day; the only source of events in a placebo arm) and
drivers. A driver is keyed by drug name (``il2``, ``rezpegaldesleukin``, ...) and says
what drives the event:

- ``exposure: daily_auc``: the area under the simulated plasma concentration over each
  dosing day (:mod:`tregsim.safety.exposure`), from model state ``state`` divided by model
  parameter ``volume_parameter`` (x 1000: nmol/L -> pM);
- ``exposure: dose``: the amount injected, in ``dose_unit`` (local reactions).

The per-day probability is a Hill (log-logistic) link, ``emax * x^hill / (x^hill +
ec50^hill)``; its parameters carry value, unit, status (``calibrated`` with the target,
``assumed`` with a prior range and its reasoning) and source, like the model's parameters.
An event is dated ``onset_days`` after the exposure day.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import yaml

__all__ = ["AEKind", "Driver", "LinkParameter", "catalogue", "kind_names"]

_STATUSES = ("calibrated", "assumed", "published")


@dataclass(frozen=True)
class LinkParameter:
    """One number of an adverse-event declaration, with its provenance."""

    name: str
    value: float
    unit: str
    status: str
    source: str
    prior: tuple[float, float] | None = None
    reasoning: str = ""


@dataclass(frozen=True)
class Driver:
    """What drives a kind for one drug: exposure metric, link parameters, onset."""

    drug: str
    exposure: str  # daily_auc | dose
    parameters: dict[str, LinkParameter]
    state: str | None = None
    volume_parameter: str | None = None
    dose_unit: str | None = None
    onset_days: float = 0.0

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Per-day (per-exposure) event probability at exposure ``x`` (Hill link)."""
        p = {k: v.value for k, v in self.parameters.items()}
        x = np.maximum(np.asarray(x, dtype=float), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = (x / p["ec50"]) ** p["hill"]
        return p.get("emax", 1.0) * ratio / (1.0 + ratio)


@dataclass(frozen=True)
class AEKind:
    """An adverse-event kind: label, seriousness, grades, background and drivers."""

    name: str
    label: str
    serious: bool
    grades: tuple[int, ...]
    grade_probabilities: tuple[float, ...]
    grade_source: LinkParameter
    background: LinkParameter
    background_per: str  # injection_day | day
    drivers: dict[str, Driver]
    note: str = ""


def _parameter(name: str, raw: dict) -> LinkParameter:
    status = raw.get("status")
    if status not in _STATUSES:
        raise ValueError(f"adverse_events.yaml: {name} status {status!r} not in {_STATUSES}")
    prior = raw.get("prior")
    if status == "assumed" and (prior is None or not raw.get("reasoning")):
        raise ValueError(f"adverse_events.yaml: assumed {name} needs a prior and reasoning")
    return LinkParameter(
        name=name,
        value=float(raw["value"]),
        unit=str(raw.get("unit", "1")),
        status=status,
        source=str(raw.get("source", "")),
        prior=None if prior is None else (float(prior[0]), float(prior[1])),
        reasoning=str(raw.get("reasoning", "")),
    )


def _kind(name: str, raw: dict) -> AEKind:
    grades = raw["grades"]
    values = tuple(int(g) for g in grades["distribution"])
    probs = tuple(float(p) for p in grades["distribution"].values())
    if not np.isclose(sum(probs), 1.0) or any(g < 1 or g > 5 for g in values):
        raise ValueError(f"adverse_events.yaml: {name} grades must be 1-5 and sum to 1")
    drivers = {}
    for drug, d in (raw.get("drivers") or {}).items():
        drivers[drug] = Driver(
            drug=drug,
            exposure=str(d["exposure"]),
            parameters={k: _parameter(f"{name}.{drug}.{k}", v) for k, v in d["link"].items()},
            state=d.get("state"),
            volume_parameter=d.get("volume_parameter"),
            dose_unit=d.get("dose_unit"),
            onset_days=float(d.get("onset_days", 0.0)),
        )
    background = raw["background"]
    return AEKind(
        name=name,
        label=str(raw["label"]),
        serious=bool(raw.get("serious", False)),
        grades=values,
        grade_probabilities=probs,
        grade_source=_parameter(f"{name}.grades", {**grades, "value": 1.0}),
        background=_parameter(f"{name}.background", background),
        background_per=str(background.get("per", "injection_day")),
        drivers=drivers,
        note=str(raw.get("note", "")),
    )


@cache
def catalogue() -> dict[str, AEKind]:
    """Every declared adverse-event kind, in declaration order."""
    text = resources.files("tregsim.data").joinpath("adverse_events.yaml").read_text()
    raw = yaml.safe_load(text)
    return {name: _kind(name, spec) for name, spec in raw["kinds"].items()}


def kind_names() -> tuple[str, ...]:
    """Names of the declared kinds (endpoint kinds are ``ae_any`` and ``ae_<name>``)."""
    return tuple(catalogue())
