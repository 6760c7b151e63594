"""``tregsim calibrate``: Bayesian calibration (ABC-SMC) through the trial engine."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from tregsim.cli import _app
from tregsim.cli._app import _check_float, _check_int, _console, app
from tregsim.errors import TregsimInputError


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
    Every finished generation is kept in OUT/abc.db: after Ctrl-C the outputs of the last
    finished one are written, and --resume continues.

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
    settings_cls = _app._require("tregsim.calibration", "CalibrationSettings", "calibrate")
    run_calibration = _app._require("tregsim.calibration", "run_calibration", "calibrate")
    if quick:
        settings = settings_cls.quick(seed=seed)
    else:
        settings = settings_cls(
            population_size=population,
            generations=generations,
            seed=seed,
            scale=scale,
            max_minutes=max_minutes,
        )
    with _progress(quiet, settings.generations) as progress:
        try:
            doc = run_calibration(
                out,
                settings,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                progress=progress,
            )
        except KeyboardInterrupt:
            raise typer.Abort(
                f"interrupted; finished generations are kept in {out}/abc.db (outputs written "
                "for the last one); continue with --resume"
            ) from None
    if not quiet:
        _console().print(
            f"Posterior: {doc['ensemble_size']} particles, effective sample size "
            f"{doc['effective_sample_size']}; written to {out}"
        )
