"""Runs started from the app: replicate trials in a background thread, with progress and
cancel, and the report's figures drawn from the results.

A :class:`TrialJob` runs one or more designs (2-4 for a comparison) through
:func:`tregsim.run_trial` with one seed and replicate count, so every design sees the same
virtual patients (randomness is keyed by seed, replicate and patient: ``tregsim.rng``).
Cancel takes effect between chunks: ``run_trial`` calls the progress callback after each
chunk, and the callback raises :class:`RunCancelled` once :meth:`TrialJob.cancel` was
called; the campaign stops there (it records the run as failed in the app's private
catalogue, which is deleted with it; a KeyboardInterrupt would make it print a
``--resume`` hint for a run that no longer exists).

The app's runs live in a private temporary folder (run directory and run catalogue per
run), removed when the run has been read back, so they never lock or clutter the user's
``tregsim runs`` catalogue. Figures are the report's own (:func:`tregsim.report.plot_figure`).
"""

from __future__ import annotations

import math
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "FIGURE_LOCK",
    "RESULT_FIGURES",
    "DesignResult",
    "JobOutcome",
    "RunCancelled",
    "TrialJob",
    "chunk_size_for",
]

#: Report figures shown after a run, in order (``tregsim.report.FIGURES`` names).
RESULT_FIGURES: tuple[str, ...] = ("salt", "responders", "treg", "primary", "scalp")
#: Report figures shown per design in a comparison.
COMPARE_FIGURES: tuple[str, ...] = ("salt", "primary")
#: Figures are drawn with pyplot, whose global state is not thread-safe.
FIGURE_LOCK = threading.Lock()
#: Dots per inch of the figures shown in the browser.
SCREEN_DPI = 80


class RunCancelled(Exception):  # noqa: N818 - a request, not an error
    """Raised from the progress callback to stop a run between chunks."""


def chunk_size_for(replicates: int) -> int:
    """Replicates per chunk: about 20 chunks (so cancel answers quickly), 1 to 10 each."""
    return max(1, min(10, math.ceil(replicates / 20)))


@dataclass(frozen=True)
class DesignResult:
    """One design's run: its label, scenario, summary, patient rows and figure PNGs."""

    label: str
    scenario: Any
    summary: dict[str, Any]
    patients: Any
    figures: dict[str, bytes]
    seconds: float


@dataclass(frozen=True)
class JobOutcome:
    """How a job ended: ``status`` is done, cancelled or failed; ``message`` says why."""

    status: str
    message: str
    results: tuple[DesignResult, ...] = ()
    replicates: int = 0
    seed: int = 0


@dataclass
class TrialJob:
    """Replicate trials of ``designs`` (``(label, scenario)`` pairs), run by :meth:`execute`
    in a worker thread; :meth:`snapshot` and :meth:`cancel` are safe from any thread."""

    designs: list[tuple[str, Any]]
    replicates: int
    seed: int
    figures: tuple[str, ...] = RESULT_FIGURES
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _done: int = 0
    _phase: str = "waiting"
    _started: float = field(default_factory=time.perf_counter)

    @property
    def total(self) -> int:
        """Replicate trials in the job (all designs)."""
        return self.replicates * len(self.designs)

    def cancel(self) -> None:
        """Ask the job to stop after the chunk in progress."""
        self._cancel.set()
        with self._lock:
            self._phase = "cancelling after the current chunk"

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancel.is_set()

    def snapshot(self) -> tuple[int, int, str, float]:
        """``(done replicates, total, phase, seconds elapsed)``."""
        with self._lock:
            return self._done, self.total, self._phase, time.perf_counter() - self._started

    def _set(self, done: int | None = None, phase: str | None = None) -> None:
        with self._lock:
            if done is not None:
                self._done = done
            if phase is not None and not self._cancel.is_set():
                self._phase = phase

    def execute(self) -> JobOutcome:
        """Run every design, then draw its figures; never raises."""
        from tregsim import run_trial

        results: list[DesignResult] = []
        for index, (label, scenario) in enumerate(self.designs):
            offset = index * self.replicates
            if self.cancelled:
                break
            self._set(offset, f"simulating {label}")

            def progress(done: int, total: int, offset: int = offset) -> None:
                self._set(offset + done)
                if self.cancelled and done < total:
                    raise RunCancelled

            workdir = Path(tempfile.mkdtemp(prefix="tregsim-app-"))
            started = time.perf_counter()
            try:
                result = run_trial(
                    scenario,
                    replicates=self.replicates,
                    seed=self.seed,
                    progress=progress,
                    chunk_size=chunk_size_for(self.replicates),
                    run_dir=workdir / "run",
                    catalogue=workdir / "runs.duckdb",
                    command="tregsim app",
                )
                seconds = time.perf_counter() - started
                self._set(phase=f"drawing the figures of {label}")
                figures = draw_figures(self.figures, result.summary, result.patients, scenario)
            except RunCancelled:
                break
            except Exception as exc:  # noqa: BLE001 - reported on screen, the server goes on
                return JobOutcome(
                    "failed", _failure(exc), tuple(results), self.replicates, self.seed
                )
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            results.append(
                DesignResult(label, scenario, result.summary, result.patients, figures, seconds)
            )
        if self.cancelled and len(results) < len(self.designs):
            done, total, _, _ = self.snapshot()
            return JobOutcome(
                "cancelled",
                f"Cancelled after {done} of {total} replicate trials; nothing is shown for the "
                "unfinished design.",
                tuple(results),
                self.replicates,
                self.seed,
            )
        self._set(phase="done")
        return JobOutcome("done", "", tuple(results), self.replicates, self.seed)


def _failure(exc: Exception) -> str:
    from tregsim.errors import TregsimInputError

    if isinstance(exc, TregsimInputError):
        return exc.message
    detail = " ".join(str(exc).split())[:200]
    return f"The run failed ({type(exc).__name__}: {detail}); the app goes on, report it."


def draw_figures(
    names: tuple[str, ...], summary: dict, patients: Any, scenario: Any
) -> dict[str, bytes]:
    """The report figures ``names`` as PNG bytes (via :func:`tregsim.report.plot_figure`)."""
    from tregsim.report import plot_figure

    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="tregsim-app-fig-") as folder:
        for name in names:
            path = Path(folder) / f"{name}.png"
            with FIGURE_LOCK:
                plot_figure(name, summary, patients, scenario, path, dpi=SCREEN_DPI)
            out[name] = path.read_bytes()
    return out
