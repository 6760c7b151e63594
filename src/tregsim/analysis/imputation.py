"""Missing-data rules for the endpoints.

- Non-responder imputation (NRI): a patient whose response cannot be assessed (dropped out,
  failed simulation) counts as a non-responder; the usual, conservative rule in AA trials
  (e.g. BRAVE-AA1, King et al., NEJM 2022).
- Last observation carried forward (LOCF): the last observed value at or before the visit
  stands in for a missing one (baseline included, so a patient with no post-baseline value
  has change 0). The model-based alternative, a random-intercept mixed model, is
  :func:`tregsim.analysis.statistics.random_intercept_model`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["nri", "locf"]


def nri(response: np.ndarray) -> np.ndarray:
    """Replace missing (NaN) responses by 0 (non-responder); returns float 0/1 array."""
    values = np.asarray(response, dtype=float)
    return np.where(np.isnan(values), 0.0, values)


def locf(wide: np.ndarray) -> np.ndarray:
    """Carry the last observed value forward along axis 1 (visits) of ``(n, m)`` data.

    Values before the first observation stay NaN.
    """
    values = np.asarray(wide, dtype=float)
    if values.ndim != 2:
        raise ValueError("locf expects (n_patients, n_visits) data.")
    n, m = values.shape
    observed = ~np.isnan(values)
    index = np.where(observed, np.arange(m)[None, :], 0)
    np.maximum.accumulate(index, axis=1, out=index)
    filled = values[np.arange(n)[:, None], index]
    seen = np.logical_or.accumulate(observed, axis=1)
    return np.where(seen, filled, np.nan)
