"""Where a campaign's chunks run: in this process, or as Dask futures (moved from run.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tregsim.campaign.chunks import Chunk, run_chunk


class _InProcess:
    """Chunks one after the other in this process: no start-up cost, best for small runs."""

    n_workers = 1

    def run(self, task: Callable[[Chunk], dict], chunks: list[Chunk], run_id: str):
        for chunk in chunks:
            yield task(chunk)

    def close(self) -> None:
        pass


class _Dask:
    """Chunks as Dask futures on a LocalCluster (processes) or an existing scheduler."""

    def __init__(self, workers: int | None, scheduler: str | None):
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout="30s")
        else:
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
                env={"NUMBA_NUM_THREADS": "1"},
            )
            self.client = Client(self.cluster)
        self.n_workers = max(1, sum(self.client.nthreads().values()))
        self._futures: list[Any] = []

    def run(self, task: Callable[[Chunk], dict], chunks: list[Chunk], run_id: str):
        from dask.distributed import as_completed

        self._futures = [
            self.client.submit(
                task, chunk, pure=False, retries=2, key=f"tregsim-chunk-{chunk.index:05d}-{run_id}"
            )
            for chunk in chunks
        ]
        for future in as_completed(self._futures):
            yield future.result()

    def close(self) -> None:
        try:
            if self._futures:
                self.client.cancel(self._futures)
        finally:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()


@dataclass(frozen=True)
class _ChunkTask:
    """Picklable callable sent to workers: one chunk with everything it needs."""

    scenario: Any
    seed: int
    run_dir: str
    scenario_hash: str
    replicate_fn: Callable[[Any, int, int], Any]

    def __call__(self, chunk: Chunk) -> dict[str, Any]:
        return run_chunk(
            self.scenario, self.seed, chunk, self.run_dir, self.scenario_hash, self.replicate_fn
        )
