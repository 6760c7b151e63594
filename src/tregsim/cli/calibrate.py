"""``tregsim calibrate``: Bayesian calibration (ABC-SMC) through the trial engine."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Annotated

import typer

from tregsim.cli import _app
from tregsim.cli._app import _check_float, _check_int, _console, app
from tregsim.errors import TregsimInputError


def _settings(record: dict):
    """CalibrationSettings from a command's (or the catalogue's) record."""
    settings_cls = _app._require("tregsim.calibration", "CalibrationSettings", "calibrate")
    if record["quick"]:
        return settings_cls.quick(seed=record["seed"])
    return settings_cls(
        population_size=record["population"],
        generations=record["generations"],
        seed=record["seed"],
        scale=record["scale"],
        max_minutes=record["max_minutes"],
    )


def _run_recorded(record: dict, *, resume: bool, run_id: str | None, quiet: bool) -> dict:
    """Run (or continue) a calibration and keep the run catalogue truthful: a ``calibration``
    row with this process as driver (heartbeat; ``tregsim runs`` shows it stale if the process
    dies), generations done / total as progress, SIGTERM / SIGHUP handled like Ctrl-C (finished
    generations kept in OUT/abc.db, run marked interrupted) and ``tregsim resume RUN_ID``
    continuing it from the record alone (:data:`tregsim.cli.resume.RESUMERS`)."""
    import time

    from tregsim.store import RunStore

    run_calibration = _app._require("tregsim.calibration", "run_calibration", "calibrate")
    settings = _settings(record)
    out = Path(record["out_dir"])
    store = RunStore()
    if run_id is None:
        run_id = store.start_run(
            kind="calibration",
            name="calibration",
            run_dir=out,
            out_dir=out,
            seed=record["seed"],
            n_chunks_total=settings.generations,
            command=shlex.join(["tregsim", *_app._ARGV]),
            resume=record,
        )
    else:
        store.reopen_run(run_id)
    started = time.monotonic()
    status = "failed"
    try:
        with store.tracking(run_id), _progress(quiet, settings.generations) as bar:

            def progress(message: str) -> None:
                if m := re.match(r"t: (\d+),", message):
                    store.mark_progress(run_id, int(m.group(1)))
                if bar is not None:
                    bar(message)

            doc = run_calibration(
                out,
                settings,
                workers=record["workers"],
                scheduler=record["scheduler"],
                resume=resume,
                progress=progress,
            )
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise typer.Abort(
            f"interrupted; finished generations are kept in {out}/abc.db (outputs written for "
            f"the last one); continue with: tregsim resume {run_id}"
        ) from None
    finally:
        done = settings.generations if status == "done" else None
        store.finish_run(
            run_id, status=status, seconds=time.monotonic() - started, n_chunks_done=done
        )
    return doc


def resume_calibration(run_id: str, workers: int | None, scheduler: str | None, quiet: bool):
    """``tregsim resume RUN_ID`` for a calibration: the recorded settings and folder, continued
    from OUT/abc.db; only --workers / --scheduler may differ (results do not depend on them)."""
    from tregsim.store import RunStore

    row = RunStore().resume_record(run_id, kind="calibration")
    record = dict(row["resume"])
    if not record:
        where = row.get("out_dir")
        fix = (
            f"continue it with tregsim calibrate --out {where} --resume"
            if where
            else "start a new calibration with tregsim calibrate --out DIR"
        )
        raise TregsimInputError(f"run {run_id} has no resume record; {fix}", field="RUN_ID")
    if not (Path(record["out_dir"]) / "abc.db").exists():
        raise TregsimInputError(
            f"run {run_id} kept no checkpoint ({record['out_dir']}/abc.db is missing); start a "
            "new calibration instead",
            field="RUN_ID",
        )
    record["workers"] = workers if workers is not None else record.get("workers")
    record["scheduler"] = scheduler if scheduler is not None else record.get("scheduler")
    doc = _run_recorded(record, resume=True, run_id=run_id, quiet=quiet)
    if not quiet:
        _console().print(
            f"Posterior: {doc['ensemble_size']} particles, effective sample size "
            f"{doc['effective_sample_size']}; written to {record['out_dir']}"
        )


def _progress(quiet: bool, generations: int):
    """A rich progress bar over generations: temperature (epsilon) and acceptance rate."""
    import contextlib

    if quiet:
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "[bold]ABC-SMC[/] {task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_console(stderr=True),
        ) as progress:
            task = progress.add_task("starting", total=generations)
            state = {"t": -1, "eps": "", "acc": ""}

            def update(message: str) -> None:
                if m := re.match(r"t: (\d+), eps: ([^ ,]+)", message):
                    if state["t"] >= 0:
                        progress.advance(task)
                    state["t"], state["eps"] = int(m.group(1)), m.group(2).rstrip(".")
                elif m := re.search(r"= ([0-9.e+-]+)", message):
                    state["acc"] = m.group(1).rstrip(",.")
                progress.update(
                    task,
                    description=f"generation {state['t']} temperature {state['eps']} "
                    f"acceptance {state['acc'] or '-'}",
                )

            yield update
            progress.update(task, completed=generations)

    return bar()


@app.command()
def calibrate(
    out: Annotated[
        Path, typer.Option("--out", help="Run folder: abc.db (the checkpoint) and the outputs.")
    ],
    quick: Annotated[
        bool, typer.Option("--quick", help="A ~2-minute end-to-end run (4 cheap targets).")
    ] = False,
    population: Annotated[
        int, typer.Option("--population", help="Particles per generation.")
    ] = 200,
    generations: Annotated[
        int, typer.Option("--generations", help="Generations (the last at temperature 1).")
    ] = 6,
    scale: Annotated[
        float,
        typer.Option("--scale", help="Factor on every simulated trial size (0 < scale <= 1)."),
    ] = 1.0,
    max_minutes: Annotated[
        float | None,
        typer.Option("--max-minutes", help="Start no generation after this many minutes."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed.")] = 2024,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Local worker processes.", show_default=False)
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Dask scheduler address (tcp://host:port).", show_default=False
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the run stored in OUT/abc.db.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Bayesian calibration: ABC-SMC over the priors of src/tregsim/data/priors.yaml against
    every target of src/tregsim/data/targets.yaml, each simulated by the trial engine, with an
    exact-likelihood acceptance kernel. Writes OUT/posterior.json (copy it to
    src/tregsim/data/ to ship it), checks.json, identifiability.csv, plots and calibration.md.
    Every finished generation is kept in OUT/abc.db: after Ctrl-C (or SIGTERM) the outputs of
    the last finished one are written, and --resume (or tregsim resume RUN_ID) continues; the
    run is listed by tregsim runs.

    Example: tregsim calibrate --out results/calibration --workers 2 --population 200
    """
    _check_int("--population", population, 2, "use at least 2 particles, e.g. 200")
    _check_int("--generations", generations, 1, "run at least one generation, e.g. 6")
    _check_int("--seed", seed, 0, "use a non-negative integer seed")
    _check_int("--workers", workers, 1, "use at least one worker, e.g. --workers 2")
    _check_float("--scale", scale, "give a number in (0, 1], e.g. 0.5")
    if not 0.0 < scale <= 1.0:
        raise TregsimInputError(
            f"--scale {scale:g} must be in (0, 1]: simulated trials are at most the published size",
            field="--scale",
        )
    if scheduler is not None and not scheduler.startswith(("tcp://", "tls://")):
        raise TregsimInputError(
            f"--scheduler {scheduler!r} is not a Dask address; write it as tcp://host:port",
            field="--scheduler",
        )
    if out.exists() and not out.is_dir():
        raise TregsimInputError(f"--out {out} is a file; give a folder", field="--out")
    if resume and not (out / "abc.db").exists():
        raise TregsimInputError(
            f"--resume: {out}/abc.db does not exist; start a run without --resume first",
            field="--resume",
        )
    record = {
        "out_dir": str(out.absolute().resolve()),
        "quick": quick,
        "population": population,
        "generations": generations,
        "scale": scale,
        "max_minutes": max_minutes,
        "seed": seed,
        "workers": workers,
        "scheduler": scheduler,
    }
    doc = _run_recorded(record, resume=resume, run_id=None, quiet=quiet)
    if not quiet:
        _console().print(
            f"Posterior: {doc['ensemble_size']} particles, effective sample size "
            f"{doc['effective_sample_size']}; written to {out}"
        )
