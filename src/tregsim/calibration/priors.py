"""The prior table (``data/priors.yaml``): one entry per inferred quantity, with its reasoning.

``lognormal`` priors (median ``V``, ``factor`` ``F``: the central 95% is ``[V/F, V*F]``) are
sampled on the log scale, so the ABC-SMC works in ``log(value)``; ``uniform`` priors on the
natural scale. :func:`to_natural` maps a sampled point back to parameter values.
"""

from __future__ import annotations

import math
from functools import cache
from importlib import resources

import numpy as np
import yaml

from ..errors import TregsimInputError

Z95 = 1.959963984540054


@cache
def load_priors() -> dict[str, dict]:
    """Name -> prior spec, in file order (checked)."""
    text = resources.files("tregsim.data").joinpath("priors.yaml").read_text()
    priors = dict(yaml.safe_load(text))
    for name, p in priors.items():
        check_prior(name, p)
    return priors


def check_prior(name: str, p: dict) -> None:
    """Raise TregsimInputError when a prior entry is malformed."""
    dist = p.get("dist")
    ok = (dist == "lognormal" and p.get("median", 0) > 0 and p.get("factor", 0) > 1) or (
        dist == "uniform" and float(p.get("high", 0)) > float(p.get("low", 0))
    )
    if not ok or not p.get("reason"):
        raise TregsimInputError(
            f"priors.{name}: give dist: lognormal with median > 0 and factor > 1, or dist: "
            "uniform with high > low, and a reason",
            field=f"priors.{name}",
        )


def log_sd(p: dict) -> float:
    """Log-scale SD of a lognormal prior."""
    return math.log(float(p["factor"])) / Z95


def pyabc_prior(priors: dict[str, dict]):
    """The prior as a ``pyabc.Distribution`` over the sampling scale."""
    from pyabc import RV, Distribution

    rvs = {}
    for name, p in priors.items():
        if p["dist"] == "lognormal":
            rvs[name] = RV("norm", math.log(float(p["median"])), log_sd(p))
        else:
            rvs[name] = RV("uniform", float(p["low"]), float(p["high"]) - float(p["low"]))
    return Distribution(**rvs)


def to_natural(point: dict, priors: dict[str, dict]) -> dict[str, float]:
    """Parameter values of a sampled point (exp of the lognormal coordinates)."""
    return {
        name: float(math.exp(point[name]) if priors[name]["dist"] == "lognormal" else point[name])
        for name in priors
    }


def prior_interval(p: dict, level: float = 0.95) -> tuple[float, float]:
    """Central interval of a prior on the natural scale."""
    if p["dist"] == "lognormal":
        z = float(np.sqrt(2) * __import__("scipy.special").special.erfinv(level))
        s = log_sd(p)
        return float(p["median"]) * math.exp(-z * s), float(p["median"]) * math.exp(z * s)
    lo, hi = float(p["low"]), float(p["high"])
    pad = (1 - level) / 2 * (hi - lo)
    return lo + pad, hi - pad


def sample_prior(priors: dict[str, dict], rng: np.random.Generator, size: int) -> list[dict]:
    """``size`` parameter sets from the prior (natural scale)."""
    out = []
    for _ in range(size):
        point = {}
        for name, p in priors.items():
            if p["dist"] == "lognormal":
                point[name] = float(p["median"]) * math.exp(log_sd(p) * rng.standard_normal())
            else:
                point[name] = float(rng.uniform(float(p["low"]), float(p["high"])))
        out.append(point)
    return out
