"""Where a campaign's chunks run: one after the other in this process, or on Dask."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tregsim.campaign.chunks import Chunk
from tregsim.errors import TregsimInputError

#: Seconds to wait for a Dask scheduler given by address before giving up.
SCHEDULER_TIMEOUT_S = 5


class InProcess:
    """Chunks one after the other in this process: no start-up cost, best for small runs."""

    n_workers = 1

    def run(self, task: Callable[[Chunk], dict], chunks: list[Chunk], run_id: str):
        for chunk in chunks:
            yield task(chunk)

    def close(self) -> None:
        pass


class DaskCluster:
    """Chunks as Dask futures on a LocalCluster (processes) or an existing scheduler."""

    def __init__(self, workers: int | None, scheduler: str | None):
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S}s")
            except (OSError, TimeoutError) as error:
                raise TregsimInputError(
                    f"--scheduler {scheduler} did not answer within {SCHEDULER_TIMEOUT_S} s "
                    f"({type(error).__name__}); start the Dask scheduler there "
                    "(dask scheduler --port PORT) or run locally with --workers N",
                    field="--scheduler",
                ) from None
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
