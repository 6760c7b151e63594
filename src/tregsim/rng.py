"""Counter-based random streams.

Every random draw in tregsim comes from a Philox generator keyed by
(seed, replicate, patient, stream), so a number never depends on how work is
chunked, how many workers run it or in which order chunks finish
(Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC11,
doi:10.1145/2063384.2063405).
"""

from __future__ import annotations

import hashlib

import numpy as np

#: Named streams, so that adding draws to one part never shifts another part's numbers.
STREAMS = {
    "population": 1,
    "screening": 2,
    "randomization": 3,
    "fluctuation": 4,
    "rater": 5,
    "assay": 6,
    "dropout": 7,
    "calibration": 8,
    "ensemble": 9,
    "visit_window": 10,
}


def _key(seed: int, replicate: int, patient: int, stream: int) -> int:
    text = f"tregsim:{int(seed)}:{int(replicate)}:{int(patient)}:{int(stream)}"
    digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
    return int.from_bytes(digest, "little")


def stream_id(stream: str | int) -> int:
    """Return the integer id of a named stream (or pass an integer through)."""
    if isinstance(stream, str):
        return STREAMS[stream]
    return int(stream)


def patient_rng(seed: int, replicate: int, patient: int, stream: str | int) -> np.random.Generator:
    """A generator for one (seed, replicate, patient, stream); patient=-1 means trial level."""
    return np.random.Generator(
        np.random.Philox(key=_key(seed, replicate, patient, stream_id(stream)))
    )


def uniform_per_patient(
    seed: int, replicate: int, patients: np.ndarray, stream: str | int, size: int
) -> np.ndarray:
    """Draw `size` uniforms for each patient id; shape (len(patients), size)."""
    out = np.empty((len(patients), size))
    for row, patient in enumerate(np.asarray(patients, dtype=np.int64)):
        out[row] = patient_rng(seed, replicate, int(patient), stream).random(size)
    return out


def normal_per_patient(
    seed: int, replicate: int, patients: np.ndarray, stream: str | int, size: int
) -> np.ndarray:
    """Draw `size` standard normals for each patient id; shape (len(patients), size)."""
    out = np.empty((len(patients), size))
    for row, patient in enumerate(np.asarray(patients, dtype=np.int64)):
        out[row] = patient_rng(seed, replicate, int(patient), stream).standard_normal(size)
    return out
