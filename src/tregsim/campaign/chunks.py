"""Chunks of replicate trials: the plan, the work a worker does, the files it leaves.

Chunk ``i`` covers replicates ``[i * chunk_size, min((i + 1) * chunk_size, replicates))``.
A finished chunk is two files in ``run_dir/chunks``:

- ``chunk-00012.parquet``: the patient rows of its replicates;
- ``chunk-00012.json``: its per-replicate records (see :mod:`tregsim.campaign.summary`),
  with the seed, scenario hash and replicate range it was computed for.

Both are written atomically (a temporary file in the same folder, then ``os.replace``), the
Parquet file first: the JSON file is the commit marker, so a chunk counts as finished exactly
when its JSON file exists and matches the run.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tregsim.campaign.summary import replicate_record
from tregsim.protocol import Scenario

#: Version of the chunk JSON layout.
CHUNK_FORMAT = 1


@dataclass(frozen=True)
class Chunk:
    """One unit of work: chunk `index` covers replicates `start` (inclusive) to `stop`."""

    index: int
    start: int
    stop: int

    @property
    def replicates(self) -> range:
        """The replicate indices of this chunk."""
        return range(self.start, self.stop)


def plan_chunks(replicates: int, chunk_size: int) -> list[Chunk]:
    """Split replicates 0..replicates-1 into consecutive chunks of `chunk_size`."""
    if replicates < 1 or chunk_size < 1:
        raise ValueError(f"replicates and chunk_size must be >= 1, got {replicates}, {chunk_size}")
    n_chunks = math.ceil(replicates / chunk_size)
    return [
        Chunk(i, i * chunk_size, min((i + 1) * chunk_size, replicates)) for i in range(n_chunks)
    ]


def default_chunk_size(replicates: int, n_workers: int) -> int:
    """About four chunks per worker for load balance, at most 50 replicates a chunk."""
    return max(1, min(50, math.ceil(replicates / (4 * max(1, n_workers)))))


def chunk_paths(run_dir: str | os.PathLike[str], index: int) -> tuple[Path, Path]:
    """(parquet, json) paths of chunk `index` in `run_dir`."""
    base = Path(run_dir) / "chunks" / f"chunk-{index:05d}"
    return base.with_suffix(".parquet"), base.with_suffix(".json")


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_json_atomic(path: str | os.PathLike[str], payload: Any) -> None:
    """Write `payload` as JSON to `path` atomically (temporary file + os.replace)."""

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(payload, handle)
            handle.flush()
            os.fsync(handle.fileno())

    _atomic_write(Path(path), write)


def run_chunk(
    scenario: Scenario,
    seed: int,
    chunk: Chunk,
    run_dir: str,
    scenario_hash: str,
    replicate_fn: Callable[[Scenario, int, int], Any],
) -> dict[str, Any]:
    """Run the replicates of `chunk`, write its two files, return its JSON payload.

    This is what a Dask worker executes; it touches no catalogue, only the chunk files.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = []
    frames = []
    arm_names = scenario.arm_names
    for replicate in chunk.replicates:
        result = replicate_fn(scenario, int(seed), int(replicate))
        records.append(replicate_record(replicate, result, arm_names))
        patients = result.patients
        if patients is not None and len(patients):
            if "replicate" not in patients.columns:
                patients = patients.assign(replicate=replicate)
            frames.append(patients)
    patients = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    table = pa.Table.from_pandas(patients, preserve_index=False)
    parquet_path, json_path = chunk_paths(run_dir, chunk.index)
    _atomic_write(parquet_path, lambda tmp: pq.write_table(table, tmp))
    payload = {
        **_chunk_header(chunk, seed, scenario_hash),
        "n_patient_rows": int(table.num_rows),
        "records": records,
    }
    write_json_atomic(json_path, payload)
    return payload


def _chunk_header(chunk: Chunk, seed: int, scenario_hash: str) -> dict[str, Any]:
    """What identifies a chunk's results: written with them, checked before reuse."""
    return {
        "format": CHUNK_FORMAT,
        "chunk": chunk.index,
        "start": chunk.start,
        "stop": chunk.stop,
        "seed": int(seed),
        "scenario_hash": scenario_hash,
    }


def load_chunk(
    run_dir: str | os.PathLike[str], chunk: Chunk, seed: int, scenario_hash: str
) -> dict[str, Any] | None:
    """The payload of a finished chunk on disk, or None if it is missing, unreadable or was
    computed for another seed, scenario or replicate range (then it is recomputed)."""
    parquet_path, json_path = chunk_paths(run_dir, chunk.index)
    if not (json_path.exists() and parquet_path.exists()):
        return None
    try:
        with open(json_path, encoding="utf-8") as handle:
            payload = json.load(handle)
    except (OSError, ValueError):
        return None
    expected = _chunk_header(chunk, seed, scenario_hash)
    if any(payload.get(key) != value for key, value in expected.items()):
        return None
    if [rec.get("replicate") for rec in payload.get("records", [])] != list(chunk.replicates):
        return None
    return payload
