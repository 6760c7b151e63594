"""Group-sequential efficacy boundaries, computed by recursive numerical integration.

Under the canonical joint distribution (Jennison & Turnbull 2000, *Group Sequential
Methods with Applications to Clinical Trials*, ch. 3), the standardized statistics
``Z_1 .. Z_K`` at information fractions ``t_1 < .. < t_K = 1`` are jointly normal with
``cov(Z_j, Z_k) = sqrt(t_j / t_k)`` (j <= k) and mean ``drift * sqrt(t_k)``. The
probability of first crossing an upper boundary ``b_k`` at look ``k`` is computed by the
recursion of Armitage, McPherson & Rowe (J R Stat Soc A 1969;132:235) on the grid and
Simpson weights of Jennison & Turnbull ch. 19 (``r`` = 32 points per unit: error far
below 1e-6 on the crossing probabilities).

Boundaries (one-sided level ``alpha``; a two-sided test at level 2 * alpha uses the
mirror-image lower boundary):

- :func:`spending_boundaries`: the error-spending approach of Lan & DeMets (Biometrika
  1983;70:659), with the O'Brien-Fleming-type function
  ``alpha(t) = 2 - 2 Phi(z_{1-alpha/2} / sqrt(t))`` (two-sided form; one-sided
  ``2 (1 - Phi(z_{1-alpha/2} / sqrt(t)))`` with alpha one-sided) or the Pocock-type
  function ``alpha(t) = alpha log(1 + (e - 1) t)`` (Lan & DeMets 1983; Kim & DeMets,
  Biometrics 1987;43:857). Each ``b_k`` solves ``P(first crossing at k) = alpha(t_k) -
  alpha(t_{k-1})``, so looks may fall at any information fractions.
- :func:`constant_shape_boundaries`: the classic Wang & Tsiatis (Biometrics 1987;43:193)
  family ``b_k = C t_k^(Delta - 1/2)``: O'Brien & Fleming (Biometrics 1979;35:549) with
  ``Delta = 0``, Pocock (Biometrika 1977;64:191) with ``Delta = 1/2``; ``C`` gives total
  crossing probability ``alpha``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.optimize import brentq
from scipy.stats import norm

__all__ = [
    "SPENDING_FUNCTIONS",
    "constant_shape_boundaries",
    "crossing_probabilities",
    "spent_alpha",
    "spending_boundaries",
]

#: Grid density of Jennison & Turnbull ch. 19 (points per unit of the standard deviation).
GRID_R = 32

#: Names of the Lan-DeMets spending functions :func:`spent_alpha` knows.
SPENDING_FUNCTIONS = ("obrien-fleming", "pocock")


def _check_fractions(fractions: Sequence[float]) -> np.ndarray:
    t = np.asarray(fractions, dtype=float)
    if t.ndim != 1 or t.size < 1 or np.any(~np.isfinite(t)):
        raise ValueError(f"information fractions must be a non-empty list, got {fractions!r}")
    if np.any(t <= 0) or np.any(t > 1) or np.any(np.diff(t) <= 0):
        raise ValueError(
            f"information fractions must increase strictly inside (0, 1], got {fractions!r}"
        )
    return t


def spent_alpha(t: float | np.ndarray, alpha: float, spending: str) -> np.ndarray:
    """Cumulative one-sided type I error spent by information fraction ``t``."""
    t = np.asarray(t, dtype=float)
    if spending == "obrien-fleming":
        with np.errstate(divide="ignore"):
            return 2.0 * norm.sf(norm.isf(alpha / 2.0) / np.sqrt(t))
    if spending == "pocock":
        return alpha * np.log1p((math.e - 1.0) * t)
    raise ValueError(f"unknown spending function {spending!r}; use one of {SPENDING_FUNCTIONS}")


def _grid(upper: float, mean: float, r: int = GRID_R) -> tuple[np.ndarray, np.ndarray]:
    """Points and Simpson weights on ``(-inf, upper]`` for a statistic of mean ``mean``
    (Jennison & Turnbull 2000, section 19.2.1: 6r - 1 points, dense near the mean)."""
    i = np.arange(1, 6 * r)
    x = np.where(
        i < r,
        -3.0 - 4.0 * np.log(r / np.maximum(i, 1)),
        np.where(i <= 5 * r, -3.0 + 3.0 * (i - r) / (2.0 * r), 3.0 + 4.0 * np.log(r / (6 * r - i))),
    )
    x = mean + x
    x = np.concatenate([x[x < upper], [upper]]) if upper < x[-1] else x
    mid = 0.5 * (x[:-1] + x[1:])
    z = np.empty(2 * x.size - 1)
    z[0::2], z[1::2] = x, mid
    w = np.empty_like(z)
    d = np.diff(x)
    w[1::2] = 4.0 * d / 6.0
    w[0::2] = 0.0
    w[0:-1:2] += d / 6.0
    w[2::2] += d / 6.0
    return z, w


def crossing_probabilities(
    bounds: Sequence[float], fractions: Sequence[float], drift: float = 0.0
) -> np.ndarray:
    """``P(first crossing of the upper boundary at look k)`` for each look, when
    ``E[Z_k] = drift * sqrt(t_k)`` (``drift`` = 0 is the null hypothesis)."""
    t = _check_fractions(fractions)
    b = np.asarray(bounds, dtype=float)
    if b.shape != t.shape:
        raise ValueError("bounds and fractions must have the same length")
    out = np.zeros(t.size)
    z, w, h = None, None, None
    for k in range(t.size):
        out[k], z, w, h = _step(b[k], t, k, drift, z, w, h)
    return out


def _step(bound, t, k, drift, z, w, h):
    """Crossing probability at look ``k`` and the sub-density of ``Z_k`` on its
    continuation grid (``z, w, h`` describe look ``k - 1``)."""
    mean_k = drift * math.sqrt(t[k])
    if k == 0:
        crossed = float(norm.sf(bound - mean_k))
        z_new, w_new = _grid(bound, mean_k)
        return crossed, z_new, w_new, norm.pdf(z_new - mean_k)
    delta = t[k] - t[k - 1]
    shift = drift * delta
    # Z_k sqrt(t_k) = Z_{k-1} sqrt(t_{k-1}) + N(drift * delta, delta)
    prev = z * math.sqrt(t[k - 1])
    crossed = float(
        np.sum(w * h * norm.sf((bound * math.sqrt(t[k]) - prev - shift) / math.sqrt(delta)))
    )
    z_new, w_new = _grid(bound, mean_k)
    scale = math.sqrt(t[k] / delta)
    arg = (z_new[:, None] * math.sqrt(t[k]) - prev[None, :] - shift) / math.sqrt(delta)
    h_new = scale * (norm.pdf(arg) @ (w * h))
    return crossed, z_new, w_new, h_new


def spending_boundaries(
    fractions: Sequence[float], alpha: float = 0.025, spending: str = "obrien-fleming"
) -> np.ndarray:
    """Upper boundaries ``z_k`` of a Lan-DeMets error-spending design (one-sided
    ``alpha``) at information fractions ``fractions`` (the last is usually 1)."""
    t = _check_fractions(fractions)
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must lie in (0, 0.5), got {alpha!r}")
    spent = spent_alpha(t, alpha, spending)
    increments = np.diff(np.concatenate([[0.0], spent]))
    bounds = np.empty(t.size)
    z = w = h = None
    for k in range(t.size):
        target = increments[k]
        if target <= 1e-15:  # nothing to spend: a boundary no statistic reaches
            bounds[k] = 40.0
        else:

            def excess(b, k=k, target=target, z=z, w=w, h=h):
                return _step(b, t, k, 0.0, z, w, h)[0] - target

            bounds[k] = brentq(excess, -10.0, 40.0, xtol=1e-10)
        _, z, w, h = _step(bounds[k], t, k, 0.0, z, w, h)
    return bounds


def constant_shape_boundaries(
    fractions: Sequence[float], alpha: float = 0.025, delta: float = 0.0
) -> np.ndarray:
    """Wang-Tsiatis boundaries ``C t_k^(delta - 1/2)`` with total one-sided crossing
    probability ``alpha`` (``delta`` 0: O'Brien-Fleming; 0.5: Pocock)."""
    t = _check_fractions(fractions)
    shape = t ** (delta - 0.5)

    def excess(c: float) -> float:
        return float(np.sum(crossing_probabilities(c * shape, t))) - alpha

    return brentq(excess, 0.5, 20.0, xtol=1e-10) * shape
