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
    """CalibrationSettings (ABC) or EmulatorSettings from a command's (or the catalogue's)
    record (records written before the emulator have no ``method``: ABC)."""
    if record.get("method", "abc") == "emulator":
        from tregsim.calibration.waves import EmulatorSettings

        if record["quick"]:
            return EmulatorSettings.quick(seed=record["seed"])
        return EmulatorSettings(
            design=record["design"],
            refine=record["refine"],
            members=record["members"],
            seed=record["seed"],
            scale=record["scale"],
            max_minutes=record["max_minutes"],
        )
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

    settings = _settings(record)
    emulator = record.get("method", "abc") == "emulator"
    if emulator:
        from tregsim.calibration.emulator_posterior import run_emulator_calibration

        run_calibration = run_emulator_calibration
        steps = settings.total_simulations
    else:
        run_calibration = _app._require("tregsim.calibration", "run_calibration", "calibrate")
        steps = settings.generations
    out = Path(record["out_dir"])
    store = RunStore()
    if run_id is None:
        run_id = store.start_run(
            kind="calibration",
            name="calibration",
            run_dir=out,
            out_dir=out,
            seed=record["seed"],
            n_chunks_total=steps,
            command=shlex.join(["tregsim", *_app._ARGV]),
            resume=record,
        )
    else:
        store.reopen_run(run_id)
    started = time.monotonic()
    status = "failed"
    try:
        bars = _wave_progress(quiet, settings) if emulator else _progress(quiet, steps)
        with store.tracking(run_id), bars as bar:

            def wave_progress(wave: str, done: int, total: int) -> None:
                offsets = {"design": 0, "refine": settings.design}
                offsets["members"] = settings.design + settings.refine
                store.mark_progress(run_id, offsets[wave] + done)
                if bar is not None:
                    bar(wave, done, total)

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
                progress=wave_progress if emulator else progress,
            )
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        kept = (
            f"finished simulations are kept in {out}/design.jsonl"
            if emulator
            else f"finished generations are kept in {out}/abc.db (outputs written for the last one)"
        )
        raise typer.Abort(f"interrupted; {kept}; continue with: tregsim resume {run_id}") from None
    finally:
        done = steps if status == "done" else None
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
    checkpoint = _checkpoint(record.get("method", "abc"))
    if not (Path(record["out_dir"]) / checkpoint).exists():
        raise TregsimInputError(
            f"run {run_id} kept no checkpoint ({record['out_dir']}/{checkpoint} is missing); "
            "start a new calibration instead",
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


def _checkpoint(method: str) -> str:
    """The file a calibration run continues from."""
    return "design.jsonl" if method == "emulator" else "abc.db"


def _wave_progress(quiet: bool, settings):
    """A rich progress bar per wave of an emulator calibration (simulations done / total)."""
    import contextlib

    if quiet:
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "[bold]calibrate[/] {task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_console(stderr=True),
        ) as progress:
            sizes = {"design": settings.design, "refine": settings.refine}
            sizes["members"] = settings.members
            labels = {
                "design": "wave 1: prior design",
                "refine": "wave 2: refinement",
                "members": "posterior members (full size)",
            }
            tasks = {w: progress.add_task(labels[w], total=n) for w, n in sizes.items()}

            def update(wave: str, done: int, total: int) -> None:
                progress.update(tasks[wave], completed=done, total=total)

            yield update

    return bar()


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
        Path,
        typer.Option(
            "--out", help="Run folder: the checkpoint (design.jsonl or abc.db) and the outputs."
        ),
    ],
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="emulator (emulated likelihood + MCMC; reaches temperature 1) or abc (ABC-SMC).",
        ),
    ] = "emulator",
    quick: Annotated[
        bool, typer.Option("--quick", help="A 1-2 minute end-to-end run (4 cheap targets).")
    ] = False,
    design: Annotated[
        int, typer.Option("--design", help="emulator: prior design simulations (wave 1).")
    ] = 1600,
    refine: Annotated[
        int, typer.Option("--refine", help="emulator: refinement simulations (wave 2).")
    ] = 1200,
    members: Annotated[
        int, typer.Option("--members", help="emulator: posterior members, simulated in full.")
    ] = 200,
    population: Annotated[
        int, typer.Option("--population", help="abc: particles per generation.")
    ] = 200,
    generations: Annotated[
        int, typer.Option("--generations", help="abc: generations (the last at temperature 1).")
    ] = 6,
    scale: Annotated[
        float | None,
        typer.Option(
            "--scale",
            help="Factor on every simulated trial size, 0 < scale <= 1 (default: emulator design "
            "0.5, abc 1).",
            show_default=False,
        ),
    ] = None,
    max_minutes: Annotated[
        float | None,
        typer.Option(
            "--max-minutes",
            help="abc: start no generation after this; emulator: stop the design waves (the "
            "members are always simulated).",
        ),
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
        bool, typer.Option("--resume", help="Continue the run stored in OUT.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Bayesian calibration over the priors of src/tregsim/data/priors.yaml against every
    target of src/tregsim/data/targets.yaml, each simulated by the trial engine. Default
    (--method emulator): a prior design and a refinement wave of simulations fit regression
    emulators of every target's statistic; MCMC samples the posterior at temperature 1 through
    them; the thinned members are simulated in full for the predictive checks. --method abc:
    ABC-SMC with an exact-likelihood stochastic acceptor. Writes OUT/posterior.json (copy it to
    src/tregsim/data/ to ship it), checks.json, identifiability.csv, plots and calibration.md.
    Finished work is kept in OUT (design.jsonl or abc.db): after Ctrl-C (or SIGTERM) --resume
    (or tregsim resume RUN_ID) continues; the run is listed by tregsim runs.

    Example: tregsim calibrate --out results/calibration --workers 2
    """
    if method not in ("emulator", "abc"):
        raise TregsimInputError(
            f"--method {method!r} is unknown; use emulator or abc", field="--method"
        )
    _check_int("--population", population, 2, "use at least 2 particles, e.g. 200")
    _check_int("--generations", generations, 1, "run at least one generation, e.g. 6")
    _check_int("--design", design, 10, "use at least 10 design simulations, e.g. 1600")
    _check_int("--refine", refine, 0, "use 0 or more refinement simulations, e.g. 1200")
    _check_int("--members", members, 2, "ship at least 2 members, e.g. 200")
    _check_int("--seed", seed, 0, "use a non-negative integer seed")
    _check_int("--workers", workers, 1, "use at least one worker, e.g. --workers 2")
    if scale is None:
        scale = 0.5 if method == "emulator" else 1.0
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
    checkpoint = _checkpoint(method)
    if resume and not (out / checkpoint).exists():
        raise TregsimInputError(
            f"--resume: {out}/{checkpoint} does not exist; start a run without --resume first",
            field="--resume",
        )
    record = {
        "out_dir": str(out.absolute().resolve()),
        "method": method,
        "quick": quick,
        "design": design,
        "refine": refine,
        "members": members,
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
            f"Posterior: {doc['ensemble_size']} members, effective sample size "
            f"{doc['effective_sample_size']}; written to {out}"
        )
