"""The shipped posterior: the parameter sets each replicate trial draws from (calib #14).

``data/posterior.json`` is written by ``tregsim calibrate`` (Bayesian ABC-SMC, see
:mod:`tregsim.calibration.abc` and docs/calibration.md): ``members`` (parameter sets) with
``weights`` (importance weights, summing to 1). Each replicate trial draws one member with
probability equal to its weight (stream ``ensemble``), so predictions carry the model
uncertainty the targets leave. A missing file is an error, not a fallback.

:func:`forced_member` makes every replicate use one given parameter set: the calibration
runs the trial engine with a particle's parameters this way (it sits here, below the
calibration layer, because the population reads it; :mod:`tregsim.calibration.ensemble`
re-exports it).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterator
from functools import cache
from importlib import resources

import numpy as np

from tregsim.rng import patient_rng

POSTERIOR_FILE = "posterior.json"
#: the file loaded (the posterior; a test points it elsewhere)
ENSEMBLE_FILE = POSTERIOR_FILE

#: Inferred quantities that are not model or population parameters (observation models):
#: they stay in the posterior file but are not passed to the population.
OBSERVATION_PARAMETERS = frozenset({"rater_optimism_ror"})

_FORCED: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar(
    "tregsim_forced_member", default=None
)


@cache
def load_ensemble() -> dict:
    """The shipped posterior document (``members``, ``weights``, ``version``, ...).

    A missing file is an error: every trial draws its population parameters from it, and a
    silent fallback to uncalibrated values would give predictions that look calibrated.
    """
    path = resources.files("tregsim.data").joinpath(ENSEMBLE_FILE)
    if not path.is_file():
        raise FileNotFoundError(
            f"the calibrated posterior tregsim/data/{ENSEMBLE_FILE} is missing from this "
            "installation; reinstall tregsim or regenerate it with `make calibrate`"
        )
    doc = json.loads(path.read_text())
    doc.setdefault("file", ENSEMBLE_FILE)
    return doc


def members() -> list[dict[str, float]]:
    """All members of the shipped posterior (observation parameters included)."""
    return list(load_ensemble()["members"]) or [{}]


def weights() -> np.ndarray:
    """Normalised member weights (equal when the file has none)."""
    ms = members()
    w = np.asarray(load_ensemble().get("weights") or np.ones(len(ms)), dtype=float)
    return w / w.sum()


def effective_sample_size() -> float:
    """Kish effective sample size of the weighted posterior, ``1 / sum(w**2)``, or the
    document's own ``effective_sample_size`` when lower (members thinned from an MCMC chain
    are equally weighted but only as independent as the chain allows)."""
    w = weights()
    kish = float(1.0 / np.sum(w * w))
    stated = load_ensemble().get("effective_sample_size")
    return min(kish, float(stated)) if stated else kish


def population_part(member: dict[str, float]) -> dict[str, float]:
    """The member without its observation-model parameters."""
    return {k: v for k, v in member.items() if k not in OBSERVATION_PARAMETERS}


@contextlib.contextmanager
def forced_member(member: dict[str, float]) -> Iterator[None]:
    """Within the block, every replicate uses ``member`` (calibration particles)."""
    token = _FORCED.set(dict(member))
    try:
        yield
    finally:
        _FORCED.reset(token)


def member_for_replicate(seed: int, replicate: int) -> dict[str, float]:
    """The posterior member used by replicate trial ``replicate`` of run ``seed``.

    Drawn with probability equal to its weight, from one uniform of the replicate's
    ``ensemble`` stream (inverse CDF), so the draw depends only on (seed, replicate).
    """
    forced = _FORCED.get()
    if forced is not None:
        return population_part(forced)
    ms = members()
    cdf = np.cumsum(weights())
    u = float(patient_rng(seed, replicate, -1, "ensemble").random())
    index = min(int(np.searchsorted(cdf, u * cdf[-1], side="right")), len(ms) - 1)
    return population_part(dict(ms[index]))


def ensemble_centre() -> dict[str, float]:
    """Weighted median of each parameter over the posterior (the typical patient's values)."""
    forced = _FORCED.get()
    if forced is not None:
        return population_part(forced)
    ms, w = members(), weights()
    keys = sorted({k for m in ms for k in m} - OBSERVATION_PARAMETERS)
    centre = {}
    for k in keys:
        rows = [(m[k], wi) for m, wi in zip(ms, w, strict=True) if k in m]
        values = np.array([r[0] for r in rows], dtype=float)
        ws = np.array([r[1] for r in rows], dtype=float)
        order = np.argsort(values)
        cum = np.cumsum(ws[order]) / ws.sum()
        centre[k] = float(values[order][np.searchsorted(cum, 0.5)])
    return centre
