"""The experiments behind the calibration targets, run by the trial engine.

Each target of ``data/targets.yaml`` names a built-in scenario (with ``set`` overrides), an
arm and an endpoint of that scenario or a derived ``quantity`` computed from the trial's
patient table. :func:`simulate_targets` runs every needed trial once per parameter set
(:func:`tregsim.calibration.ensemble.forced_member` makes the replicate use it) and returns,
per target, what its likelihood needs (:mod:`tregsim.calibration.likelihood`): a count and a
size for proportions, the per-patient values for medians, a value for normal statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from ..errors import TregsimInputError
from .ensemble import forced_member

#: Statistics a target may use.
STATISTICS = ("proportion", "median_of", "normal", "ordered")


#: The block of targets.yaml holding count targets written by the safety work (adverse
#: events); ``load_targets`` leaves it out, :func:`safety_targets` converts it.
SAFETY_BLOCK = "trial_targets"


@cache
def load_targets() -> dict[str, dict]:
    """The shipped calibration targets (name -> spec), in file order."""
    text = resources.files("tregsim.data").joinpath("targets.yaml").read_text()
    return {k: v for k, v in yaml.safe_load(text).items() if k != SAFETY_BLOCK}


def default_targets() -> dict[str, dict]:
    """The targets the default calibration uses (all but those marked ``calibrate: false``)."""
    return {k: v for k, v in load_targets().items() if v.get("calibrate", True)}


@cache
def load_trial_targets() -> tuple[dict, ...]:
    """The ``trial_targets`` block as written (scenario, arm, endpoint, statistic binomial,
    n, value = the count, source)."""
    text = resources.files("tregsim.data").joinpath("targets.yaml").read_text()
    return tuple(yaml.safe_load(text).get(SAFETY_BLOCK) or ())


def safety_targets() -> dict[str, dict]:
    """The adverse-event count targets in this module's format (the AE hook): a binomial
    count ``value`` of ``n`` becomes a ``proportion`` target on the arm's ``ae_*`` endpoint.
    Not in the default calibration (the AE link parameters are fitted by the safety work);
    ``CalibrationSettings(targets=...)`` can add them by name."""
    out = {}
    for t in load_trial_targets():
        out[t["name"]] = {
            "scenario": t["scenario"],
            "arm": t["arm"],
            "endpoint": t["endpoint"],
            "statistic": "proportion",
            "n": int(t["n"]),
            "value": float(t["value"]) / float(t["n"]),
            "sim_n": int(t["n"]),
            "stage": 1,
            "description": f"adverse events, {t['arm']}",
            "source": t["source"],
        }
    return out


def experiment_key(target: dict, scale: float = 1.0) -> tuple:
    """Targets with the same key share one simulated trial."""
    return (target["scenario"], tuple(_scaled_set(target, scale)))


def _scaled_set(target: dict, scale: float) -> list[str]:
    out = []
    for item in target.get("set", []):
        key, _, value = item.partition("=")
        if key.strip() == "population.n" and scale != 1.0:
            value = str(max(6, int(round(float(value) * scale))))
        out.append(f"{key}={value}")
    if scale != 1.0 and not any(i.startswith("population.n=") for i in out):
        from ..scenarios import load_scenario

        n = load_scenario(target["scenario"]).population.n
        out.append(f"population.n={max(6, int(round(n * scale)))}")
    return out


@cache
def _scenario(name: str, overrides: tuple[str, ...]):
    from ..scenarios import load_scenario

    return load_scenario(name, list(overrides))


# ---------------------------------------------------------------- derived quantities
def _arm_table(result, arm: str | None) -> pd.DataFrame:
    p = result.patients
    return p if arm is None else p[p["arm"] == arm]


def _by_week(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Patients x visit weeks of ``column``."""
    return table.pivot_table(index="subject", columns="visit_week", values=column, dropna=False)


def _salt_at(result, arm, week: float) -> np.ndarray:
    grid = _by_week(_arm_table(result, arm), "salt_observed")
    return grid[week].to_numpy(dtype=float)


def _treg_rise_by_arm(result, max_day: float) -> dict[str, float]:
    """Mean over patients of the largest true Treg % rise in days 1..max_day, per arm."""
    out = {}
    for arm, table in result.patients.groupby("arm"):
        grid = table.pivot_table(index="subject", columns="day", values="treg_pct_cd4")
        days = np.array(grid.columns, dtype=float)
        base = grid[0.0].to_numpy()
        later = grid.loc[:, (days > 0) & (days <= max_day)].to_numpy()
        out[str(arm)] = float(np.nanmean(np.nanmax(later, axis=1) / base - 1.0))
    return out


def ed10_from_rises(rises: dict[str, float]) -> dict:
    """Single dose (MIU/m2) giving a +10% placebo-corrected Treg peak, interpolated on log
    dose between the dose arms (``il2_<dose>``: rise); ``censor`` -1 / +1 when the ED10 lies
    below / above the dose range (the value is then the range's end)."""
    doses = {a: float(a.removeprefix("il2_").replace("p", ".")) for a in rises}
    order = sorted(doses, key=doses.get)
    x = np.log([doses[a] for a in order])
    y = np.array([rises[a] for a in order])
    above = np.flatnonzero(y >= 0.10)
    if len(above) == 0:
        return {"value": float(np.exp(x[-1])), "censor": 1.0}
    i = int(above[0])
    if i == 0:
        return {"value": float(np.exp(x[0])), "censor": -1.0}
    frac = (0.10 - y[i - 1]) / (y[i] - y[i - 1])
    return {"value": float(np.exp(x[i - 1] + frac * (x[i] - x[i - 1]))), "censor": 0.0}


def treg_ed10(result, target) -> dict:
    """The DILT1D ED10 (:func:`ed10_from_rises`) from the arms' mean Treg rise within 7 days,
    placebo-corrected; the rises are kept (``rise_<arm>``) for the emulators."""
    rise = _treg_rise_by_arm(result, 7.0)
    placebo = rise.pop("placebo", 0.0)
    corrected = {a: r - placebo for a, r in rise.items()}
    return {**ed10_from_rises(corrected), **{f"rise_{a}": r for a, r in corrected.items()}}


def treg_steady_rise(result, target) -> dict:
    """Geometric mean Treg fold over weeks 3-6 (arm values), minus 1."""
    values = result.endpoints[next(iter(result.endpoints))]
    folds = [values[k] for k in sorted(values) if k.startswith("treg_fold_w")]
    return {"value": float(np.exp(np.mean(np.log(folds))) - 1.0), "censor": 0.0}


def treg_dose_order(result, target) -> dict:
    """1 when true Treg fold rises with dose at week 1 and at week 2 (placebo < 0.33 < 1 < 3)."""
    order = ["placebo", "il2_0p33", "il2_1", "il2_3"]
    ok = True
    for week in (1.0, 2.0):
        means = []
        for arm in order:
            grid = _by_week(_arm_table(result, arm), "treg_pct_cd4")
            means.append(float(np.nanmean(grid[week] / grid[0.0])))
        ok &= bool(np.all(np.diff(means) > 0))
    return {"value": float(ok)}


def salt_rated_w0(result, target) -> dict:
    return {"samples": _salt_at(result, target.get("arm"), 0.0)}


def salt_rated_w26(result, target) -> dict:
    arm = target.get("arm")
    return {"samples": _salt_at(result, arm, 26.0), "baseline": _salt_at(result, arm, 0.0)}


def partial_regrowth_w26(result, target) -> dict:
    arm = target.get("arm")
    base, w26 = _salt_at(result, arm, 0.0), _salt_at(result, arm, 26.0)
    ok = np.isfinite(w26)
    return {"k": float(np.sum(w26[ok] <= base[ok] - 5.0)), "n": float(ok.sum())}


def no_relapse_w104(result, target) -> dict:
    arm = target.get("arm")
    base, w26 = _salt_at(result, arm, 0.0), _salt_at(result, arm, 26.0)
    w104 = _salt_at(result, arm, 104.0)
    responders = np.isfinite(w104) & (w26 <= 0.75 * base)
    return {"k": float(np.sum(w104[responders] < base[responders])), "n": float(responders.sum())}


QUANTITIES: dict[str, Callable] = {
    "treg_ed10": treg_ed10,
    "treg_steady_rise": treg_steady_rise,
    "treg_dose_order": treg_dose_order,
    "salt_rated_w0": salt_rated_w0,
    "salt_rated_w26": salt_rated_w26,
    "partial_regrowth_w26": partial_regrowth_w26,
    "no_relapse_w104": no_relapse_w104,
}


def target_values(result, target: dict) -> dict:
    """What the likelihood of ``target`` needs, from one simulated trial."""
    if "quantity" in target:
        return QUANTITIES[target["quantity"]](result, target)
    arm, endpoint = target["arm"], target["endpoint"]
    n_arm = int(result.n_per_arm.get(arm, 0))
    value = float(result.endpoints[arm][endpoint])
    if target["statistic"] == "normal":
        return {"value": value, "censor": 0.0}
    return {"k": float(round(value * n_arm)), "n": float(n_arm)}


def simulate_targets(
    member: dict[str, float],
    targets: dict[str, dict],
    seed: int,
    replicate: int,
    scale: float = 1.0,
    stop: Callable[[dict[str, dict]], bool] | None = None,
) -> dict[str, dict]:
    """Run every experiment the targets need with parameter set ``member``.

    Experiments run in ``stage`` order, each trial once (targets sharing scenario and
    overrides share it). ``stop(values_so_far)`` returning True ends early (the caller
    rejects the particle). A trial that cannot run (too few eligible candidates, a failed
    simulation) gives ``{"failed": 1.0}`` for its targets.
    """
    from ..trial import simulate_replicate

    out: dict[str, dict] = {}
    cache_: dict[tuple, object] = {}
    ordered = sorted(targets, key=lambda name: targets[name].get("stage", 9))
    with forced_member(member):
        for name in ordered:
            target = targets[name]
            key = experiment_key(target, scale)
            if key not in cache_:
                try:
                    scenario = _scenario(*key)
                    result = simulate_replicate(scenario, seed, replicate)
                    cache_[key] = result if result.n_failed == 0 else None
                except (TregsimInputError, ValueError, FloatingPointError):
                    cache_[key] = None
            result = cache_[key]
            try:
                out[name] = {"failed": 1.0} if result is None else target_values(result, target)
            except (KeyError, ValueError, ZeroDivisionError, IndexError):
                out[name] = {"failed": 1.0}
            if stop is not None and stop(out):
                break
    return out


def validate_targets(targets: dict[str, dict]) -> None:
    """Check the targets file's fields before any simulation (TregsimInputError otherwise)."""
    for name, t in targets.items():
        where = f"targets.{name}"
        if t.get("statistic") not in STATISTICS:
            raise TregsimInputError(
                f"{where}.statistic={t.get('statistic')!r} is unknown; use one of "
                + ", ".join(STATISTICS),
                field=f"{where}.statistic",
            )
        if "quantity" in t and t["quantity"] not in QUANTITIES:
            raise TregsimInputError(
                f"{where}.quantity={t['quantity']!r} is unknown; use one of "
                + ", ".join(QUANTITIES),
                field=f"{where}.quantity",
            )
        if not (isinstance(t.get("n"), int) and t["n"] > 0):
            raise TregsimInputError(
                f"{where}.n={t.get('n')!r} must be a positive whole number (the published size)",
                field=f"{where}.n",
            )
        if t["statistic"] == "proportion" and not 0.0 <= float(t.get("value", -1)) <= 1.0:
            raise TregsimInputError(
                f"{where}.value={t.get('value')!r} is a proportion; give a number in 0-1",
                field=f"{where}.value",
            )
