"""Scenario access shared by the trial's stages (arms, placebo arms, control arm, endpoints)."""

from __future__ import annotations

from tregsim.analysis import AnalysisOptions, EndpointSpec


def _get(obj, name: str, default=None):
    """Field of a pydantic model, dataclass, namespace or dict (None -> default)."""
    if obj is None:
        return default
    value = obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)
    return default if value is None else value


def _arms(scenario) -> list[tuple[str, float, str | None]]:
    arms = [
        (str(_get(a, "name")), float(_get(a, "allocation", 1)), _get(a, "regimen"))
        for a in _get(scenario, "arms", [])
    ]
    if len(arms) < 1:
        raise ValueError("scenario.arms is empty; define at least one arm.")
    return arms


def _is_placebo(scenario, regimen_name) -> bool:
    if regimen_name is None:
        return True
    regimen = _get(_get(scenario, "regimens", {}), str(regimen_name))
    return regimen is None or str(_get(regimen, "drug", "placebo")) == "placebo"


def _control_arm(scenario, options: AnalysisOptions) -> str:
    names = [a[0] for a in _arms(scenario)]
    if options.control_arm is not None:
        if options.control_arm not in names:
            raise ValueError(
                f"analysis.control_arm={options.control_arm!r} is not an arm; use one of "
                f"{', '.join(names)}."
            )
        return options.control_arm
    placebo = [a[0] for a in _arms(scenario) if _is_placebo(scenario, a[2])]
    return placebo[0] if placebo else names[-1]


def _endpoints(scenario) -> list[EndpointSpec]:
    return [EndpointSpec.from_any(e) for e in _get(scenario, "endpoints", [])]
