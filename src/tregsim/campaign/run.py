"""`run_campaign`: many replicate trials of a scenario, in chunks, in process or on Dask."""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tregsim.campaign.chunks import (
    Chunk,
    chunk_paths,
    default_chunk_size,
    load_chunk,
    plan_chunks,
    run_chunk,
    write_json_atomic,
)
from tregsim.campaign.executors import DaskCluster, InProcess
from tregsim.campaign.progress import ProgressBar
from tregsim.campaign.summary import assemble_summary
from tregsim.errors import TregsimInputError
from tregsim.paths import new_run_id, tregsim_home
from tregsim.protocol import Scenario
from tregsim.run_tracking import Terminated

#: Seconds between catalogue updates of ``n_chunks_done`` while a run goes on.
CATALOGUE_UPDATE_S = 1.0


class CampaignInterrupted(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP during a campaign: finished chunks are on disk, the run is
    marked ``interrupted``; ``resume_command`` is the command that finishes it; ``signum``
    is the signal (``signal.SIGINT`` for Ctrl-C)."""

    def __init__(
        self, run_id: str, resume_command: str, chunks_done: int, n_chunks: int, signum: int = 2
    ):
        self.run_id = run_id
        self.resume_command = resume_command
        self.chunks_done = chunks_done
        self.n_chunks = n_chunks
        self.signum = int(signum)
        cause = "" if self.signum == 2 else f" ({Terminated(self.signum)})"
        super().__init__(
            f"Interrupted{cause}: {chunks_done} of {n_chunks} chunks of run {run_id} are saved; "
            f"finish it with: {resume_command}"
        )


@dataclass(frozen=True)
class CampaignResult:
    """A finished campaign: the summary, the per-replicate records (small) and the chunk
    Parquet files holding the patient rows (read lazily)."""

    run_id: str
    run_dir: Path
    summary: dict[str, Any]
    records: tuple[dict[str, Any], ...]
    chunk_files: tuple[Path, ...]
    chunks_computed: int
    chunks_loaded: int
    seconds: float
    scenario: Any = field(default=None, repr=False, compare=False)

    def summary_json(self) -> str:
        """The summary as the exact text written to ``summary.json``."""
        return json.dumps(self.summary, indent=2, allow_nan=False)

    def iter_patients(self, columns: list[str] | None = None) -> Iterator[Any]:
        """Patient rows chunk by chunk (pandas DataFrames, in replicate order)."""
        import pyarrow.parquet as pq

        for path in self.chunk_files:
            yield pq.read_table(path, columns=columns).to_pandas()

    @property
    def patients(self):
        """All patient rows as one DataFrame (loads every chunk; see `iter_patients`)."""
        import pandas as pd

        frames = [frame for frame in self.iter_patients() if len(frame.columns)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def resume_command(command: str, run_id: str) -> str:
    """`command` with any ``--resume X`` removed and ``--resume run_id`` appended."""
    tokens = shlex.split(command)
    kept: list[str] = []
    skip = False
    for token in tokens:
        if skip:
            skip = False
            continue
        if token == "--resume":
            skip = True
            continue
        if token.startswith("--resume="):
            continue
        kept.append(token)
    return shlex.join([*kept, "--resume", run_id])


def _default_command(name, run_dir, out_dir, replicates, seed, workers, scheduler) -> str:
    parts = ["tregsim", "run", name, "--out", str(out_dir or run_dir)]
    parts += ["--replicates", str(replicates), "--seed", str(seed)]
    if scheduler:
        parts += ["--scheduler", scheduler]
    elif workers:
        parts += ["--workers", str(workers)]
    return shlex.join(parts)


@dataclass(frozen=True)
class _ChunkTask:
    """Picklable callable sent to workers: one chunk with everything it needs."""

    scenario: Scenario
    seed: int
    run_dir: str
    scenario_hash: str
    replicate_fn: Callable[[Any, int, int], Any]

    def __call__(self, chunk: Chunk) -> dict[str, Any]:
        return run_chunk(
            self.scenario, self.seed, chunk, self.run_dir, self.scenario_hash, self.replicate_fn
        )


# -- the campaign -------------------------------------------------------------------------
def _validate(replicates, seed, workers, scheduler, chunk_size) -> None:
    if not isinstance(replicates, int) or isinstance(replicates, bool) or replicates < 1:
        raise ValueError(f"replicates must be a whole number >= 1, got {replicates!r}")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a whole number >= 1 or None, got {workers!r}")
    if scheduler is not None:
        if workers is not None:
            raise ValueError(
                "pass either workers (a local cluster) or scheduler (an existing cluster), not both"
            )
        if not isinstance(scheduler, str) or "://" not in scheduler:
            raise ValueError(
                f"scheduler must be an address such as tcp://HOST:8786, got {scheduler!r}"
            )
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise ValueError(f"chunk_size must be a whole number >= 1 or None, got {chunk_size!r}")


def _check_collaborators(replicate_fn, catalogue, out_dir, write_outputs) -> None:
    if not callable(replicate_fn):
        raise ValueError(
            "replicate_fn must be callable (tregsim.trial.simulate_replicate), "
            f"got {replicate_fn!r}"
        )
    needed = ("start_run", "finish_run", "tracking", "mark_progress", "resume_record", "reopen_run")
    if not all(hasattr(catalogue, m) for m in needed):
        raise ValueError(f"catalogue must be a tregsim.store.RunStore, got {catalogue!r}")
    if out_dir is not None and not callable(write_outputs):
        raise ValueError("out_dir needs write_outputs (tregsim.api.write_outputs)")


def run_campaign(
    scenario: Scenario,
    replicates: int,
    seed: int | None,
    *,
    replicate_fn: Callable[[Scenario, int, int], Any],
    catalogue: Any,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    resume_run_id: str | None = None,
    progress: bool | Callable[[int, int], None] = True,
    out_dir: str | os.PathLike[str] | None = None,
    write_outputs: Callable[..., Any] | None = None,
    command: str | None = None,
    resume_record: Mapping[str, Any] | None = None,
) -> CampaignResult:
    """Run `replicates` replicate trials of `scenario` in chunks and summarise them.

    Where it runs: in this process when `workers` is None or 1 (fastest for small runs); on a
    ``LocalCluster`` of `workers` processes (one thread each) when `workers` > 1; on an
    existing Dask cluster when `scheduler` is an address (``tcp://HOST:PORT``; workers must
    see `run_dir` on a shared filesystem and import tregsim).

    Each chunk's patient rows and per-replicate records are written atomically to
    ``run_dir/chunks`` (default `run_dir`: ``<tregsim home>/runs/<run_id>``); the run is
    recorded in `catalogue` (a :class:`tregsim.store.RunStore`; the campaign sits below the
    store and receives it).
    ``resume_run_id`` continues an earlier run: scenario hash, seed and replicates must match,
    finished chunks are loaded, only the missing ones are computed. The summary does not
    depend on `chunk_size`, `workers` or completion order. With `out_dir`, ``summary.json``,
    ``patients.parquet``, the ADaM CSVs and ``report.html`` are written there at the end
    by ``write_outputs(out_dir, summary, patients, scenario)``
    (:func:`tregsim.api.write_outputs`). `progress`: True for a progress bar on stderr, or a
    callable ``progress(done_replicates, total_replicates)``. `command` is the command line that
    started the run (for the resume hint printed on Ctrl-C). `replicate_fn(scenario, seed,
    replicate)` runs one replicate trial (:func:`tregsim.trial.simulate_replicate`; the
    campaign does not import the trial). `resume_record`: what a command needs besides the
    scenario, seed, replicates, workers and scheduler to continue the run by its id alone
    (``tregsim run`` stores the scenario source, overrides and ``out_dir``); kept in the
    catalogue (``RunStore.resume_record``).

    Ctrl-C, SIGTERM and SIGHUP raise :class:`CampaignInterrupted` (a KeyboardInterrupt) after
    marking the run ``interrupted``; any other failure marks it ``failed`` and re-raises. A
    run killed outright (SIGKILL) shows as ``stale`` in the catalogue; both resume.
    """
    if seed is None:
        seed = scenario.seed
    _validate(replicates, seed, workers, scheduler, chunk_size)
    _check_collaborators(replicate_fn, catalogue, out_dir, write_outputs)
    store = catalogue
    digest = scenario.content_hash()
    name = scenario.name

    if resume_run_id is not None:
        previous = store.resume_record(resume_run_id, kind="campaign")
        problems = []
        if previous["scenario_hash"] != digest:
            problems.append("the scenario differs (scenario hash)")
        if int(previous["seed"]) != seed:
            problems.append(f"seed {seed} differs from the run's seed {previous['seed']}")
        if int(previous["replicates"]) != replicates:
            problems.append(
                f"replicates {replicates} differs from the run's {previous['replicates']}"
            )
        if chunk_size is not None and chunk_size != int(previous["chunk_size"]):
            problems.append(
                f"chunk_size {chunk_size} differs from the run's {previous['chunk_size']}"
            )
        if run_dir is not None and Path(run_dir).resolve() != Path(previous["run_dir"]).resolve():
            problems.append(f"run_dir {run_dir} is not the run's {previous['run_dir']}")
        if problems:
            raise TregsimInputError(
                f"cannot resume run {resume_run_id}: " + "; ".join(problems) + "; pass the same "
                "scenario, overrides, seed and replicates as the original run",
                field="resume_run_id",
            )
        run_id = resume_run_id
        run_dir = Path(previous["run_dir"])
        chunk_size = int(previous["chunk_size"])
        command = command or previous.get("command")
        previous_seconds = float(previous["seconds"] or 0.0)
    else:
        run_id = new_run_id()
        run_dir = Path(run_dir) if run_dir is not None else tregsim_home() / "runs" / run_id
        marker = run_dir / "run.json"
        if marker.exists():
            other = json.loads(marker.read_text(encoding="utf-8")).get("run_id")
            raise ValueError(
                f"run_dir {run_dir} already holds run {other}; resume it with "
                f"resume_run_id={other!r} (--resume {other}) or choose another run_dir"
            )
        previous_seconds = 0.0
    command = command or _default_command(
        name, run_dir, out_dir, replicates, seed, workers, scheduler
    )

    record = {
        **(resume_record or {}),
        "workers": workers,
        "scheduler": scheduler,
        "out_dir": str(Path(out_dir).resolve())
        if out_dir
        else (resume_record or {}).get("out_dir"),
    }
    started = time.perf_counter()
    use_dask = scheduler is not None or (workers is not None and workers > 1)
    executor = DaskCluster(workers, scheduler) if use_dask else InProcess()
    try:
        if chunk_size is None:
            chunk_size = default_chunk_size(replicates, executor.n_workers)
        if resume_run_id is None:
            run_dir.mkdir(parents=True, exist_ok=True)
            store.start_run(
                scenario=scenario,
                seed=seed,
                replicates=replicates,
                chunk_size=chunk_size,
                run_dir=run_dir.resolve(),
                run_id=run_id,
                out_dir=record.get("out_dir"),
                command=command,
                kind="campaign",
                n_chunks_total=len(plan_chunks(replicates, chunk_size)),
                resume=record,
            )
            write_json_atomic(
                run_dir / "run.json",
                {
                    "run_id": run_id,
                    "scenario_hash": digest,
                    "seed": seed,
                    "replicates": replicates,
                    "chunk_size": chunk_size,
                    "scenario": scenario.payload(),
                },
            )
        else:
            store.reopen_run(run_id)
        return _drive(
            executor,
            scenario=scenario,
            seed=seed,
            replicates=replicates,
            chunk_size=chunk_size,
            run_dir=run_dir,
            run_id=run_id,
            digest=digest,
            replicate_fn=replicate_fn,
            store=store,
            progress=progress,
            out_dir=out_dir,
            write_outputs=write_outputs,
            command=command,
            started=started,
            previous_seconds=previous_seconds,
            hint=f"tregsim resume {run_id}" if resume_record else None,
        )
    finally:
        executor.close()


def _drive(
    executor,
    *,
    scenario,
    seed,
    replicates,
    chunk_size,
    run_dir,
    run_id,
    digest,
    replicate_fn,
    store,
    progress,
    out_dir,
    write_outputs,
    command,
    started,
    previous_seconds,
    hint,
) -> CampaignResult:
    chunks = plan_chunks(replicates, chunk_size)
    done: dict[int, list[dict[str, Any]]] = {}
    for chunk in chunks:
        payload = load_chunk(run_dir, chunk, seed, digest)
        if payload is not None:
            done[chunk.index] = payload["records"]
    loaded = len(done)
    missing = [chunk for chunk in chunks if chunk.index not in done]
    task = _ChunkTask(scenario, seed, str(run_dir), digest, replicate_fn)
    bar = ProgressBar(
        progress,
        f"{scenario.name} {run_id}",
        len(chunks),
        loaded,
        replicates,
        sum(len(records) for records in done.values()),
    )
    last_update = time.monotonic()

    def seconds() -> float:
        return previous_seconds + time.perf_counter() - started

    try:
        with store.tracking(run_id):  # heartbeat; SIGTERM and SIGHUP act as Ctrl-C
            for payload in executor.run(task, missing, run_id):
                index = int(payload["chunk"])
                if index in done:  # never count a chunk twice
                    continue
                done[index] = payload["records"]
                bar.advance(len(payload["records"]))
                if time.monotonic() - last_update >= CATALOGUE_UPDATE_S:
                    store.mark_progress(run_id, len(done))
                    last_update = time.monotonic()
    except KeyboardInterrupt as stop:
        bar.stop()
        store.finish_run(run_id, status="interrupted", seconds=seconds(), n_chunks_done=len(done))
        interrupted = CampaignInterrupted(
            run_id,
            hint or resume_command(command, run_id),
            len(done),
            len(chunks),
            signum=getattr(stop, "signum", 2),
        )
        print(str(interrupted), file=sys.stderr)
        raise interrupted from None
    except BaseException:
        bar.stop()
        store.finish_run(run_id, status="failed", seconds=seconds(), n_chunks_done=len(done))
        raise
    bar.stop()

    records = [record for index in sorted(done) for record in done[index]]
    summary = assemble_summary(scenario, seed, replicates, records)
    result = CampaignResult(
        run_id=run_id,
        run_dir=Path(run_dir),
        summary=summary,
        records=tuple(records),
        chunk_files=tuple(chunk_paths(run_dir, chunk.index)[0] for chunk in chunks),
        chunks_computed=len(chunks) - loaded,
        chunks_loaded=loaded,
        seconds=seconds(),
        scenario=scenario,
    )
    write_json_atomic(run_dir / "summary.json", summary)
    if out_dir is not None:
        write_outputs(out_dir, summary, result.patients, scenario)
    store.finish_run(
        run_id,
        status="done",
        seconds=result.seconds,
        n_chunks_done=len(done),
        out_dir=None if out_dir is None else Path(out_dir).resolve(),
    )
    return result
