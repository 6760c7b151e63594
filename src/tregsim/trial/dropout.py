"""Dropout: who stops coming, and when.

Before each post-baseline visit a patient still in the trial drops out with probability
``per_visit``, plus ``non_responder_extra`` if they have not yet shown a >= 25 % SALT
improvement from baseline at any attended visit (patients who see no regrowth leave more
often; both rates are scenario ASSUMPTIONS). Missingness is monotone: once out, every
later visit is missing. Draws come from the per-patient stream ``"dropout"``.
"""

from __future__ import annotations

import numpy as np

from tregsim.rng import PatientStreams

__all__ = ["simulate_dropout"]

#: A SALT improvement of at least this fraction counts as "responding" for dropout.
RESPONSE_FRACTION = 0.25


def simulate_dropout(
    salt_observed: np.ndarray,
    seed: int,
    replicate: int,
    patients: np.ndarray | None = None,
    per_visit: float = 0.0,
    non_responder_extra: float = 0.0,
) -> np.ndarray:
    """Return ``missing (n_patients, n_visits)`` bool: True from the dropout visit on.

    Column 0 is the baseline visit and is never missing. The response status used for
    visit ``j`` is the one known at visit ``j - 1`` (observed SALT).
    """
    salt = np.asarray(salt_observed, dtype=float)
    if salt.ndim != 2:
        raise ValueError("salt_observed must be (n_patients, n_visits).")
    for name, value in (("per_visit", per_visit), ("non_responder_extra", non_responder_extra)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"dropout.{name}={value} must be a probability in [0, 1].")
    n, m = salt.shape
    ids = np.arange(n) if patients is None else np.asarray(patients, dtype=np.int64)
    uniforms = np.empty((n, m))
    streams = PatientStreams(seed, replicate, "dropout")
    for row, patient in enumerate(ids):
        uniforms[row] = streams.for_patient(int(patient)).random(m)
    baseline = salt[:, :1]
    with np.errstate(invalid="ignore", divide="ignore"):
        improved = (baseline - salt) / baseline >= RESPONSE_FRACTION
    improved &= np.isfinite(salt) & (baseline > 0)
    responded_before = np.zeros((n, m), dtype=bool)
    responded_before[:, 1:] = np.logical_or.accumulate(improved, axis=1)[:, :-1]
    prob = per_visit + non_responder_extra * ~responded_before
    event = uniforms < np.minimum(prob, 1.0)
    event[:, 0] = False
    return np.logical_or.accumulate(event, axis=1)
