"""Measurement models: what a rater and a flow cytometer report.

- SALT as rated (Olsen et al., JAAD 2004;51:440): true SALT plus Normal(0, sd_salt) error
  per rater, averaged over raters, minus an optional unblinded optimism on treatment,
  rounded to a whole number and clipped to 0-100.
  ASSUMPTION: no peer-reviewed figure for SALT inter-/intra-rater error was found
  (docs/sources.md#alopecia-areata); ``sd_salt`` (scenario ``rater.sd_salt``, e.g. 4 points) and
  ``unblinded_optimism`` are assumptions of the scenario, not data.
- Treg % of CD4 by flow cytometry: true value times a lognormal factor with the given
  coefficient of variation, ``exp(sigma * z)`` with ``sigma = sqrt(log(1 + cv**2))``
  (median-unbiased, so geometric fold changes are unbiased). The CV is an assay assumption.

Random draws come from per-patient streams ``"rater"`` and ``"assay"`` keyed by
``(seed, replicate, patient)``; missing true values (failed simulations) stay missing.
"""

from __future__ import annotations

import numpy as np

from tregsim.rng import PatientStreams

__all__ = ["assay_factor", "measure_treg_pct", "rate_salt"]


def _patients(patients: np.ndarray | None, n: int) -> np.ndarray:
    ids = np.arange(n) if patients is None else np.asarray(patients, dtype=np.int64)
    if ids.shape != (n,):
        raise ValueError(f"patients has {ids.size} ids for {n} rows.")
    return ids


def rate_salt(
    salt_true: np.ndarray,
    seed: int,
    replicate: int,
    patients: np.ndarray | None = None,
    sd_salt: float = 4.0,
    raters: int = 1,
    unblinded_optimism: float = 0.0,
    on_treatment: np.ndarray | None = None,
) -> np.ndarray:
    """SALT (0-100) as scored by ``raters`` raters at each visit.

    ``salt_true`` is ``(n_patients, n_visits)``. Each rater adds Normal(0, sd_salt)
    (ASSUMED SD, see module docstring); the mean over raters is used, then
    ``unblinded_optimism * on_treatment`` points are subtracted (an open-label rater who
    knows the patient is treated sees a little more regrowth), the result is rounded to a
    whole number and clipped to [0, 100]. Returns float array (NaN where truth is NaN).
    """
    truth = np.asarray(salt_true, dtype=float)
    if truth.ndim != 2:
        raise ValueError("salt_true must be (n_patients, n_visits).")
    if sd_salt < 0 or raters < 1:
        raise ValueError(f"rater.sd_salt={sd_salt} must be >= 0 and raters={raters} >= 1.")
    n, m = truth.shape
    noise = np.empty((n, m))
    streams = PatientStreams(seed, replicate, "rater")
    for row, patient in enumerate(_patients(patients, n)):
        draws = streams.for_patient(int(patient)).standard_normal((m, raters))
        noise[row] = draws.mean(axis=1)
    scored = truth + sd_salt * noise
    if unblinded_optimism and on_treatment is not None:
        scored = scored - unblinded_optimism * np.broadcast_to(on_treatment, truth.shape)
    return np.clip(np.round(scored), 0.0, 100.0)


def assay_factor(
    seed: int, replicate: int, patients: np.ndarray | None, n_visits: int, cv: float
) -> np.ndarray:
    """``(n_patients, n_visits)`` multiplicative assay errors ``exp(sigma * z)`` of the flow
    cytometer (stream ``"assay"``), ``sigma = sqrt(log(1 + cv**2))``.

    One factor per blood sample: every Treg fraction read from the same sample (total,
    naive, activated) shares it, so compute it once and pass it to :func:`measure_treg_pct`.
    """
    if cv < 0:
        raise ValueError(f"assay.treg_cv={cv} must be >= 0.")
    ids = np.asarray(patients, dtype=np.int64)
    sigma = np.sqrt(np.log1p(cv**2))
    z = np.empty((ids.size, int(n_visits)))
    streams = PatientStreams(seed, replicate, "assay")
    for row, patient in enumerate(ids.tolist()):
        streams.for_patient(patient).standard_normal(out=z[row])
    return np.exp(sigma * z)


def measure_treg_pct(
    treg_true: np.ndarray,
    seed: int,
    replicate: int,
    patients: np.ndarray | None = None,
    cv: float = 0.1,
    factor: np.ndarray | None = None,
) -> np.ndarray:
    """Treg % of CD4 as measured by flow cytometry, lognormal error with CV ``cv``.

    ``observed = true * exp(sigma * z)``, ``sigma = sqrt(log(1 + cv**2))``, clipped to
    at most 100 %. The CV is an assumption of the scenario (``assay.treg_cv``). ``factor``:
    the samples' :func:`assay_factor` when already drawn (same values as drawing them here).
    """
    truth = np.asarray(treg_true, dtype=float)
    if truth.ndim != 2:
        raise ValueError("treg_true must be (n_patients, n_visits).")
    if cv < 0:
        raise ValueError(f"assay.treg_cv={cv} must be >= 0.")
    n, m = truth.shape
    if factor is None:
        factor = assay_factor(seed, replicate, _patients(patients, n), m, cv)
    elif np.shape(factor) != truth.shape:
        raise ValueError(f"factor has shape {np.shape(factor)}, treg_true {truth.shape}.")
    return np.minimum(truth * factor, 100.0)
