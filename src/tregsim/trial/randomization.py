"""Permuted-block randomization, optionally stratified.

Each stratum gets its own sequence of blocks; a block holds every arm exactly
``ratio * (block_size / sum(ratios))`` times in a random order, so after every
complete block the allocation matches the ratios exactly (Zelen, J Chronic Dis
1974;27:365; Matts & Lachin, Control Clin Trials 1988;9:327).

Randomness comes from one trial-level stream,
``tregsim.rng.patient_rng(seed, replicate, -1, "randomization")``, so the
allocation of replicate ``r`` depends only on ``(seed, r)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tregsim.rng import patient_rng

__all__ = ["permuted_block", "randomize"]


def _check_ratios(ratios: Sequence[float]) -> np.ndarray:
    values = np.asarray(ratios, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("allocation ratios must be a non-empty list, e.g. [1, 1].")
    if np.any(values <= 0) or np.any(values != np.round(values)):
        raise ValueError(
            f"allocation ratios {list(ratios)} must be positive whole numbers; "
            "write 3:2:2 as [3, 2, 2]."
        )
    return values.astype(np.int64)


def permuted_block(
    n: int,
    ratios: Sequence[float],
    rng: np.random.Generator,
    block_size: int | None = None,
    strata: Sequence | np.ndarray | None = None,
) -> np.ndarray:
    """Assign ``n`` patients (in enrolment order) to arms by permuted blocks.

    Parameters
    ----------
    n: number of patients.
    ratios: positive whole-number allocation ratio per arm (arm ``k`` gets ratio[k] shares).
    rng: the generator used for every shuffle (strata are processed in sorted label order).
    block_size: a multiple of ``sum(ratios)``; default ``2 * sum(ratios)``.
    strata: optional label per patient; each stratum is randomized with its own blocks.

    Returns
    -------
    ``(n,)`` int array of arm indices into ``ratios``.
    """
    ratio = _check_ratios(ratios)
    total = int(ratio.sum())
    size = 2 * total if block_size is None else int(block_size)
    if size <= 0 or size % total != 0:
        raise ValueError(
            f"randomization.block_size={block_size} must be a positive multiple of the sum "
            f"of the allocation ratios ({total}); use e.g. {2 * total}."
        )
    if n < 0:
        raise ValueError(f"n={n} must be >= 0.")
    block = np.repeat(np.arange(ratio.size), ratio * (size // total))
    labels = np.zeros(n, dtype=np.int64) if strata is None else np.asarray(strata)
    if labels.shape != (n,):
        raise ValueError(f"strata has {labels.shape[0]} labels for {n} patients.")
    out = np.empty(n, dtype=np.int64)
    for label in sorted(set(labels.tolist()), key=str):
        where = np.flatnonzero(labels == label)
        n_blocks = -(-where.size // size)
        sequence = np.concatenate([rng.permutation(block) for _ in range(n_blocks)])
        out[where] = sequence[: where.size]
    return out


def randomize(
    n: int,
    ratios: Sequence[float],
    seed: int,
    replicate: int,
    block_size: int | None = None,
    strata: Sequence | np.ndarray | None = None,
) -> np.ndarray:
    """Permuted-block allocation for one replicate trial, from its own random stream.

    Same as :func:`permuted_block` with ``rng = patient_rng(seed, replicate, -1,
    "randomization")``; reproducible from ``(seed, replicate)`` alone.
    """
    rng = patient_rng(seed, replicate, -1, "randomization")
    return permuted_block(n, ratios, rng, block_size=block_size, strata=strata)


def cohort_strata(covariates: pd.DataFrame) -> np.ndarray:
    """Each patient's randomization stratum: the cohort's ``stratum`` column, else the
    severity class of the screening SALT."""
    if "stratum" in covariates:
        return covariates["stratum"].astype(str).to_numpy()
    salt = covariates["salt_screening"].to_numpy(dtype=float)
    # Olsen 2004 severity classes: S3 50-74, S4 75-99, S5 100 (S1/S2 below inclusion).
    return np.select([salt >= 100, salt >= 75, salt >= 50], ["S5", "S4", "S3"], "S1-S2")
