"""Progress of a campaign: a rich bar on stderr, a callback, or nothing."""

from __future__ import annotations

import time


class ProgressBar:
    """A rich progress bar on stderr (``enabled=True``), a callback
    ``enabled(done_replicates, total_replicates)``, or nothing."""

    def __init__(
        self,
        enabled,
        description: str,
        total: int,
        completed: int,
        replicates: int = 0,
        replicates_done: int = 0,
    ):
        self.progress = None
        self.callback = enabled if callable(enabled) else None
        self.total_replicates = replicates
        self.replicates = replicates_done
        if self.callback is not None:
            self.callback(self.replicates, self.total_replicates)
            return
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("chunks"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.progress.start()
        self.task = self.progress.add_task(description, total=total, completed=completed, rate="")
        self.started = time.perf_counter()
        self.computed = 0

    def advance(self, replicates: int) -> None:
        self.replicates += replicates
        if self.callback is not None:
            self.callback(self.replicates, self.total_replicates)
        if self.progress is None:
            return
        self.computed += replicates
        rate = self.computed / max(time.perf_counter() - self.started, 1e-9)
        self.progress.update(self.task, advance=1, rate=f"{rate:.3g} replicates/s")

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
