"""The shipped calibrated ensemble: plausible population-level parameter sets.

``data/calibrated_ensemble.json`` is written by ``tregsim calibrate`` (see
:mod:`tregsim.calibration`); it records the seed, version and targets it was
made with. Each replicate trial draws one member (stream ``ensemble``), so
predictions carry the model uncertainty the targets leave.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import numpy as np

from tregsim.rng import patient_rng

ENSEMBLE_FILE = "calibrated_ensemble.json"


@cache
def load_ensemble() -> dict:
    """The shipped ensemble document (``members``: list of name -> value dicts).

    A missing file is an error: every trial draws its population parameters from it, and a
    silent fallback to uncalibrated values would give predictions that look calibrated.
    """
    path = resources.files("tregsim.data").joinpath(ENSEMBLE_FILE)
    if not path.is_file():
        raise FileNotFoundError(
            f"the calibrated ensemble tregsim/data/{ENSEMBLE_FILE} is missing from this "
            "installation; reinstall tregsim or regenerate it with `make calibrate`"
        )
    return json.loads(path.read_text())


def members() -> list[dict[str, float]]:
    """All members of the shipped ensemble."""
    return list(load_ensemble()["members"]) or [{}]


def member_for_replicate(seed: int, replicate: int) -> dict[str, float]:
    """The ensemble member used by replicate trial ``replicate`` of run ``seed``."""
    ms = members()
    index = int(patient_rng(seed, replicate, -1, "ensemble").integers(len(ms)))
    return dict(ms[index])


def ensemble_centre() -> dict[str, float]:
    """Member-wise median of the ensemble (the typical patient's population parameters)."""
    ms = members()
    keys = sorted({k for m in ms for k in m})
    return {k: float(np.median([m[k] for m in ms if k in m])) for k in keys}
