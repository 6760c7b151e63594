"""Validation of the shipped posterior against observed trial results (``tregsim validate``).

A case (docs/dev/contracts.md, "Validation cases") names a scenario, an arm (optionally
``versus`` another arm: the case is the difference arm - versus), an endpoint as in
scenarios and the observed value with its per-arm ``n``. The scenario is run ``replicates``
times by the trial engine with the population resized so that the arm has ``n`` patients
(unless ``set`` gives ``population.n``); each replicate draws one posterior member, so the
spread of the replicate values is the 95% prediction interval for a trial of that size.
``pit`` is the share of replicates at or below the observed value.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import yaml

from ..errors import TregsimInputError
from ..protocol import Endpoint

CASE_FIELDS = (
    "name",
    "scenario",
    "set",
    "arm",
    "versus",
    "endpoint",
    "observed",
    "replicates",
    "seed",
)


def _fail(field: str, message: str) -> TregsimInputError:
    return TregsimInputError(message, field=field)


def load_cases(path: str | Path) -> list[dict]:
    """Read and check a cases file; every problem raises TregsimInputError naming the field."""
    path = Path(path)
    if not path.is_file():
        raise _fail(
            "CASES", f"cases file {path} does not exist; give a YAML file with a 'cases' list"
        )
    try:
        data = yaml.safe_load(path.read_text())
    except (yaml.YAMLError, UnicodeDecodeError):
        raise _fail("CASES", f"cases file {path} is not valid YAML; fix its syntax") from None
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list) or not cases:
        raise _fail("cases", f"{path} has no 'cases' list; add at least one case")
    checked = [check_case(i, c) for i, c in enumerate(cases)]
    names = [c["name"] for c in checked]
    if len(set(names)) != len(names):
        raise _fail("cases.name", "two cases share a name; give every case its own name")
    return checked


def check_case(index: int, case) -> dict:
    """One case, checked against its scenario (arm, versus and endpoint exist; value in range)."""
    from ..scenarios import load_scenario

    where = f"cases.{index}"
    if not isinstance(case, dict):
        raise _fail(
            where, f"{where} is not a mapping; write name, scenario, arm, endpoint, observed"
        )
    unknown = set(case) - set(CASE_FIELDS)
    if unknown:
        raise _fail(
            f"{where}.{sorted(unknown)[0]}",
            f"{where}: unknown field {sorted(unknown)[0]!r}; use " + ", ".join(CASE_FIELDS),
        )
    for key in ("name", "scenario", "arm", "endpoint", "observed"):
        if key not in case:
            raise _fail(
                f"{where}.{key}", f"{where} has no {key}; add it (see docs/dev/contracts.md)"
            )
    where = f"cases.{case['name']}"
    sets = case.get("set") or []
    if not isinstance(sets, list):
        raise _fail(f"{where}.set", f"{where}.set must be a list of dotted.key=value strings")
    try:
        scenario = load_scenario(str(case["scenario"]), [str(s) for s in sets])
    except TregsimInputError as exc:
        raise _fail(f"{where}.scenario", f"{where}.scenario: {exc}") from None
    arms = [a.name for a in scenario.arms]
    for key in ("arm", "versus"):
        if case.get(key) is not None and case[key] not in arms:
            raise _fail(
                f"{where}.{key}",
                f"{where}.{key}={case[key]!r} is not an arm of "
                f"{case['scenario']}; use one of {', '.join(arms)}",
            )
    try:
        spec = Endpoint.model_validate({"name": "validation_case", **dict(case["endpoint"])})
    except (ValueError, TypeError, AttributeError) as exc:
        raise _fail(
            f"{where}.endpoint", f"{where}.endpoint is not a valid endpoint ({exc})"
        ) from None
    if spec.week is not None and spec.week > scenario.follow_up_weeks:
        raise _fail(
            f"{where}.endpoint.week",
            f"{where}.endpoint.week={spec.week:g} is after the "
            f"scenario's follow-up ({scenario.follow_up_weeks:g} weeks)",
        )
    observed = case["observed"]
    if not isinstance(observed, dict) or "value" not in observed or "n" not in observed:
        raise _fail(f"{where}.observed", f"{where}.observed needs value and n (patients per arm)")
    n = observed["n"]
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise _fail(
            f"{where}.observed.n", f"{where}.observed.n={n!r} must be a positive whole number"
        )
    value = observed["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(f"{where}.observed.value", f"{where}.observed.value={value!r} must be a number")
    lo = -1.0 if case.get("versus") else 0.0
    if spec.type == "responder" and not lo <= value <= 1.0:
        raise _fail(
            f"{where}.observed.value",
            f"{where}.observed.value={value} is a proportion"
            f"{' difference' if lo < 0 else ''}; give a number in {lo:g} to 1",
        )
    replicates = case.get("replicates", 100)
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 10:
        raise _fail(f"{where}.replicates", f"{where}.replicates={replicates!r}: use at least 10")
    return {**case, "set": list(sets), "replicates": replicates, "seed": int(case.get("seed", 1))}


def case_scenario(case: dict):
    """The case's scenario: its endpoint added, the population sized for ``observed.n``."""
    from ..scenarios import load_scenario

    sets = list(case["set"])
    scenario = load_scenario(str(case["scenario"]), sets)
    if not any(s.split("=")[0].strip() == "population.n" for s in sets):
        alloc = {a.name: float(a.allocation) for a in scenario.arms}
        share = alloc[case["arm"]] / sum(alloc.values())
        sets.append(f"population.n={max(2, int(round(case['observed']['n'] / share)))}")
    data = load_scenario(str(case["scenario"]), sets).model_dump(mode="json")
    data["endpoints"] = [{"name": "validation_case", **dict(case["endpoint"])}]
    data["analysis"]["primary"] = "validation_case"
    return type(scenario).from_dict(data, source=f"validation case {case['name']}")


def replicate_values(case: dict, replicates: int | None = None) -> np.ndarray:
    """The case's statistic in each replicate trial (posterior member drawn per replicate)."""
    from ..trial import simulate_replicate

    scenario = case_scenario(case)
    out = []
    for r in range(replicates or case["replicates"]):
        result = simulate_replicate(scenario, case["seed"], r)
        value = result.endpoints[case["arm"]]["validation_case"]
        if case.get("versus"):
            value -= result.endpoints[case["versus"]]["validation_case"]
        out.append(value)
    return np.asarray(out, dtype=float)


def summarise(observed: float, values: np.ndarray) -> dict:
    """predicted_mean, lo, hi (2.5/97.5 percentiles), pit, inside."""
    v = values[np.isfinite(values)]
    lo, hi = (float(x) for x in np.percentile(v, [2.5, 97.5]))
    return {
        "observed": float(observed),
        "predicted_mean": float(v.mean()),
        "lo": lo,
        "hi": hi,
        "pit": float(np.mean(v <= observed)),
        "inside": bool(lo <= observed <= hi),
        "replicates": int(len(v)),
    }


def validate_cases(cases: list[dict], progress=None) -> dict:
    """validation.json's content for checked cases."""
    rows = []
    for i, case in enumerate(cases):
        values = replicate_values(case)
        rows.append({"name": case["name"], **summarise(case["observed"]["value"], values)})
        if progress:
            progress(i + 1, len(cases))
    inside = [r["inside"] for r in rows]
    return {"cases": rows, "coverage": float(np.mean(inside)), "n_cases": len(rows)}
