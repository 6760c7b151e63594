"""The ``tregsim`` command line.

Every input is validated before any work starts. Bad input exits with code 2 and one plain
sentence on stderr naming the field and the fix; nothing is left in ``--out``. Results are
written into a temporary folder next to ``--out`` and moved into place at the end.
Unexpected internal errors exit with code 1 (``TREGSIM_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import shutil
import sys
import tempfile
import traceback
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from tregsim.errors import TregsimInputError

__all__ = ["app", "main"]

app = typer.Typer(
    name="tregsim",
    help=(
        "In-silico trials of low-dose IL-2 in alopecia areata.\n\n"
        "Example: tregsim run phrc-2016 --out results/phrc-2016"
    ),
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
scenarios_app = typer.Typer(
    help=(
        "List the built-in scenarios, or print one as YAML.\n\n"
        "Examples: tregsim scenarios | tregsim scenarios show phrc-2016"
    ),
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(scenarios_app, name="scenarios")


def _click_exception_modules() -> list[Any]:
    """click's exception modules: typer >= 0.20 vendors click as ``typer._click``."""
    modules = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        with contextlib.suppress(ImportError):
            modules.append(importlib.import_module(name))
    return modules


_CLICK = _click_exception_modules()
_NO_ARGS = tuple(m.NoArgsIsHelpError for m in _CLICK if hasattr(m, "NoArgsIsHelpError"))
_USAGE = tuple(m.UsageError for m in _CLICK)
_CLICK_ERROR = tuple(m.ClickException for m in _CLICK)
_ABORT = (KeyboardInterrupt, typer.Abort, *(m.Abort for m in _CLICK if hasattr(m, "Abort")))


class _Unavailable(Exception):
    """A part of tregsim that a command needs is not installed (exit 1)."""


# --------------------------------------------------------------------------- helpers


def _stderr(message: str) -> None:
    sys.stderr.write(" ".join(message.split()) + "\n")
    sys.stderr.flush()


def _debug() -> bool:
    return os.environ.get("TREGSIM_DEBUG", "").strip() not in ("", "0", "false", "no")


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _require(module: str, attribute: str, command: str) -> Callable[..., Any]:
    """Import ``module.attribute`` lazily; a missing tregsim part becomes a clear message."""
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing == module or module.startswith(missing + "."):
            raise _Unavailable(
                f"'tregsim {command}' needs {module}.{attribute}, which this installation of "
                "tregsim does not provide yet; update tregsim (nothing was written)"
            ) from None
        if missing.startswith("tregsim."):
            raise _Unavailable(
                f"'tregsim {command}' needs {missing} (imported by {module}), which this "
                "installation of tregsim does not provide yet; update tregsim (nothing was "
                "written)"
            ) from None
        raise
    function = getattr(loaded, attribute, None)
    if function is None:
        raise _Unavailable(
            f"'tregsim {command}' needs {module}.{attribute}, which this installation of "
            "tregsim does not provide yet; update tregsim (nothing was written)"
        )
    return function


def _load(scenario: str, sets: Sequence[str]) -> Any:
    from tregsim.scenarios import load_scenario

    return load_scenario(scenario, list(sets or ()))


def _check_int(option: str, value: int | None, minimum: int, fix: str) -> None:
    if value is not None and value < minimum:
        what = "a positive whole number" if minimum == 1 else f"at least {minimum}"
        raise TregsimInputError(f"{option} must be {what} (got {value}); {fix}", field=option)


def _check_float(option: str, value: float | None, fix: str) -> None:
    if value is None:
        return
    if not (value > 0) or value == float("inf"):
        raise TregsimInputError(
            f"{option} must be a positive number (got {value:g}); {fix}", field=option
        )


def _check_out(option: str, out: Path, want_dir: bool) -> None:
    """Fail before any work if ``out`` cannot be written."""
    text = str(out)
    if not text.strip():
        raise TregsimInputError(f"{option} is empty; give a path", field=option)
    if out.exists():
        if want_dir and not out.is_dir():
            raise TregsimInputError(
                f"{option} {text} is an existing file; give a directory path", field=option
            )
        if not want_dir and out.is_dir():
            raise TregsimInputError(
                f"{option} {text} is an existing directory; give a file path", field=option
            )
    ancestor = out.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise TregsimInputError(
            f"{option} {text} is inside {ancestor}, which is a file; choose another path",
            field=option,
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise TregsimInputError(
            f"{option} {text} cannot be written (no permission in {ancestor}); choose a "
            "writable location",
            field=option,
        )


@contextlib.contextmanager
def _staged(out: Path, is_dir: bool) -> Iterator[Path]:
    """Yield a temporary path next to ``out``; move it onto ``out`` only on success.

    If anything fails, the temporary path and any parent folders created for it are removed
    and an existing ``out`` is left untouched.
    """
    out = out.absolute()
    created: Path | None = None
    parent = out.parent
    if not parent.exists():
        created = parent
        while not created.parent.exists():
            created = created.parent
        parent.mkdir(parents=True)
    if is_dir:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
    else:
        handle, name = tempfile.mkstemp(
            prefix=f".{out.name}.partial-", suffix=out.suffix, dir=parent
        )
        os.close(handle)
        staging = Path(name)
    try:
        yield staging
        _publish(staging, out)
    except BaseException:
        if staging.is_dir():
            shutil.rmtree(staging, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                staging.unlink()
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise


def _publish(staging: Path, out: Path) -> None:
    if staging.is_dir() and out.is_dir():
        old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(out, old)
        try:
            os.replace(staging, out)
        except BaseException:
            os.replace(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out)


def _progress_bar(quiet: bool, label: str) -> contextlib.AbstractContextManager[Any]:
    """A context manager yielding ``progress(done, total)`` or ``None`` when quiet."""
    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar() -> Iterator[Callable[[int, int], None]]:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            f"[bold]{label}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_console(stderr=True),
            transient=True,
        ) as progress:
            task = progress.add_task(label, total=None)

            def update(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            yield update

    return bar()


#: ``tregsim run`` without --workers: a local cluster from this many replicates on (below,
#: the ~3 s cluster start-up is not worth it). phrc-2016, 1000 replicates, 2 cores: 108 s in
#: one process (numba's 2 threads in the solver only), 86 s with 2 workers.
AUTO_WORKERS_REPLICATES = 200
AUTO_WORKERS_MAX = 8


_SCHEDULER = re.compile(r"^tcp://[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.]*$")

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a scenario field, dotted.key=value (repeatable), e.g. population.n=120.",
        show_default=False,
    ),
]


def _times(days: float, step: float) -> Any:
    import numpy as np

    count = int(np.floor(days / step + 1e-9))
    times = np.arange(count + 1, dtype=float) * step
    if times[-1] < days - 1e-9:
        times = np.append(times, days)
    return times


# --------------------------------------------------------------------------- commands


def _version(value: bool) -> None:
    if value:
        from tregsim import __version__

        typer.echo(f"tregsim {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """In-silico trials of low-dose IL-2 in alopecia areata.

    Example: tregsim run phrc-2016 --out results/phrc-2016
    """


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or YAML path.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory (replaced at the end).")],
    replicates: Annotated[
        int,
        typer.Option(
            "--replicates", "-r", help="Replicate trials (new patients and randomization each)."
        ),
    ] = 100,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Seed (default: the scenario's seed).", show_default=False),
    ] = None,
    sets: SetOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help=(
                "Local worker processes (default: this process for fewer than "
                f"{AUTO_WORKERS_REPLICATES} replicates, else one per CPU core, at most "
                f"{AUTO_WORKERS_MAX}; results do not depend on it)."
            ),
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address tcp://HOST:PORT."),
    ] = None,
    resume: Annotated[
        str | None,
        typer.Option("--resume", help="Resume the unfinished run RUN_ID (see tregsim runs)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Simulate a trial scenario and write summary.json, patients.parquet and the report.

    Example: tregsim run phrc-2016 --out results/phrc-2016 --replicates 200 --seed 1
    --set population.n=120 --workers 2
    """
    loaded = _load(scenario, sets or ())
    _check_int("--replicates", replicates, 1, "ask for at least one replicate trial")
    _check_int("--seed", seed, 0, "use a non-negative integer seed")
    _check_int("--workers", workers, 1, "use at least one worker, e.g. --workers 2")
    if workers is not None and scheduler is not None:
        raise TregsimInputError(
            "--workers and --scheduler were both given; use --workers for local processes or "
            "--scheduler for a Dask cluster, not both",
            field="--scheduler",
        )
    if scheduler is not None and not _SCHEDULER.match(scheduler):
        raise TregsimInputError(
            f"--scheduler '{scheduler}' is not a Dask address; write it as tcp://HOST:PORT, "
            "e.g. tcp://10.0.0.5:8786",
            field="--scheduler",
        )
    if resume is not None and not _RUN_ID.match(resume):
        raise TregsimInputError(
            f"--resume '{resume}' is not a run id; copy one from 'tregsim runs'", field="--resume"
        )
    _check_out("--out", out, want_dir=True)
    chosen_seed = loaded.seed if seed is None else seed
    run_trial = _require("tregsim.trial", "run_trial", "run")
    if workers is None and scheduler is None:
        workers = _auto_workers(replicates)

    with _staged(out, is_dir=True) as staging:
        # Chunks, the run catalogue (tregsim runs), Ctrl-C and --resume live in
        # tregsim.campaign.run_campaign, which run_trial drives; the Python API gives the
        # same numbers for the same seed.
        result = run_trial(
            loaded,
            replicates=replicates,
            seed=chosen_seed,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            progress=not quiet and sys.stderr.isatty(),
            command=_invocation(),
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result.write(staging)  # summary.json, patients.parquet, ADaM CSVs, report.html
        for warning in caught:
            _stderr(f"warning: {warning.message}.")
    if not quiet:
        _print_run_summary(loaded, getattr(result, "summary", None), out)


def _auto_workers(replicates: int) -> int | None:
    """Worker processes when --workers is not given (None: run in this process)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    if replicates < AUTO_WORKERS_REPLICATES or cores < 2:
        return None
    return min(cores, AUTO_WORKERS_MAX)


def _invocation() -> str:
    import shlex

    return shlex.join(["tregsim", *_ARGV])


def _format_value(kind: str, stats: dict) -> str:
    """``mean [lo, hi]``; responder proportions as percentages."""
    mean, lo, hi = (stats.get(k) for k in ("mean", "lo", "hi"))
    if kind == "time_to_salt_reduction":  # Kaplan-Meier medians; None = not reached

        def days(x: Any) -> str:
            return f"{x:.0f} d" if isinstance(x, int | float) else "not reached"

        return f"median {days(stats.get('median'))} [{days(lo)}, {days(hi)}]"
    if not isinstance(mean, int | float):
        return "n/a"
    percent = kind in ("salt_reduction", "salt_at_most")
    scale, unit = (100.0, "%") if percent else (1.0, "")
    text = f"{mean * scale:.3g}{unit}"
    if isinstance(lo, int | float) and isinstance(hi, int | float):
        text += f" [{lo * scale:.3g}, {hi * scale:.3g}]"
    return text


def _print_run_summary(scenario: Any, summary: Any, out: Path) -> None:
    """Results table per arm (mean and 95% range over replicates) and the primary power."""
    from rich.table import Table

    console = _console()
    summary = summary if isinstance(summary, dict) else {}
    arms = summary.get("arms", {})
    replicates = summary.get("replicates", "?")
    table = Table(
        "endpoint",
        *scenario.arm_names,
        title=f"{scenario.name}: predicted endpoints, mean [95% range] over {replicates} "
        "simulated trials",
    )
    for endpoint in scenario.endpoints:
        cells = [
            _format_value(
                endpoint.kind, arms.get(arm, {}).get("endpoints", {}).get(endpoint.name, {})
            )
            for arm in scenario.arm_names
        ]
        table.add_row(endpoint.name, *cells)
    if arms:
        console.print(table)
    primary = scenario.analysis.primary
    for key, comparison in summary.get("comparisons", {}).items():
        if comparison.get("endpoint", key) != primary or "power" not in comparison:
            continue
        alpha = comparison.get("alpha", summary.get("alpha"))
        console.print(
            f"Primary {primary}, {comparison.get('arm', '')} vs {comparison.get('control', '')} "
            f"({comparison.get('test', '')}, alpha {alpha}): "
            f"power {100 * comparison['power']:.0f}% over {replicates} simulated trials"
        )
    console.print(f"Results in {out}")
    report = out / "report.html"
    if report.exists():
        console.print(f"Report: {report}")


@scenarios_app.callback()
def scenarios(ctx: typer.Context) -> None:
    """List the built-in scenarios (name and description).

    Example: tregsim scenarios
    """
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table

    from tregsim.scenarios import list_scenarios, scenario_description

    table = Table("name", "description", title="Built-in scenarios")
    for name in list_scenarios():
        table.add_row(name, scenario_description(name))
    _console().print(table)


@scenarios_app.command("show")
def scenarios_show(
    name: Annotated[str, typer.Argument(help="Built-in scenario name.")],
) -> None:
    """Print a built-in scenario as YAML (a starting point for your own).

    Example: tregsim scenarios show phrc-2016 > my-trial.yaml
    """
    from tregsim.scenarios import scenario_yaml

    sys.stdout.write(scenario_yaml(name))


@app.command()
def trajectory(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or YAML path.")],
    arm: Annotated[str, typer.Option("--arm", help="Arm whose typical patient is simulated.")],
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    days: Annotated[
        float | None,
        typer.Option("--days", help="Simulated days (default: the follow-up).", show_default=False),
    ] = None,
    step: Annotated[float, typer.Option("--step", help="Output spacing in days.")] = 1.0,
    sets: SetOption = None,
) -> None:
    """Write the typical patient of an arm: every state at the requested times (CSV).

    Example: tregsim trajectory phrc-2016 --arm il2 --out il2.csv --days 112 --step 0.5
    """
    loaded = _load(scenario, sets or ())
    loaded.arm(arm)
    _check_float("--days", days, "give the simulated duration in days, e.g. --days 112")
    _check_float("--step", step, "give the output spacing in days, e.g. --step 0.5")
    horizon = loaded.follow_up_days if days is None else days
    if step > horizon:
        raise TregsimInputError(
            f"--step ({step:g}) is longer than the simulated {horizon:g} days; use a smaller step",
            field="--step",
        )
    if horizon / step > 1_000_000:
        raise TregsimInputError(
            f"--step ({step:g}) gives more than a million time points; use a larger step",
            field="--step",
        )
    _check_out("--out", out, want_dir=False)
    typical_trajectory = _require("tregsim.model.trajectory", "typical_trajectory", "trajectory")
    times = _times(horizon, step)
    frame = typical_trajectory(loaded, arm, times)
    import pandas as pd

    with _staged(out, is_dir=False) as staging:
        keep_index = not isinstance(frame.index, pd.RangeIndex)
        frame.to_csv(staging, index=keep_index)
    _console(stderr=True).print(f"Wrote {len(frame)} rows to {out}")


@app.command("export-sbml")
def export_sbml(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or YAML path.")],
    arm: Annotated[str, typer.Option("--arm", help="Arm whose typical patient is exported.")],
    out: Annotated[Path, typer.Option("--out", help="SBML file to write.")],
    sets: SetOption = None,
) -> None:
    """Export the typical patient of an arm as SBML Level 3 (doses as events).

    Example: tregsim export-sbml phrc-2016 --arm il2 --out il2.xml
    """
    loaded = _load(scenario, sets or ())
    loaded.arm(arm)
    _check_out("--out", out, want_dir=False)
    exporter = _require("tregsim.model.sbml", "export_sbml", "export-sbml")
    with _staged(out, is_dir=False) as staging:
        exporter(loaded, arm, staging)
    _console(stderr=True).print(f"Wrote {out}")


@app.command()
def plot(
    run_dir: Annotated[Path, typer.Argument(help="A directory written by tregsim run.")],
    figure: Annotated[
        str,
        typer.Option(
            "--figure",
            help="report, or one figure: protocol, salt, responders, treg, primary, scalp.",
        ),
    ] = "report",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="File to write (default: RUN_DIR/report.html or RUN_DIR/FIGURE.png).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Redraw the report, or one figure, of a finished run.

    Example: tregsim plot results/phrc-2016 --figure salt --out salt.svg
    """
    if not run_dir.is_dir():
        raise TregsimInputError(
            f"RUN_DIR {run_dir} is not a directory; give the --out directory of a tregsim run",
            field="RUN_DIR",
        )
    if not (run_dir / "summary.json").is_file():
        raise TregsimInputError(
            f"RUN_DIR {run_dir} has no summary.json; give the --out directory of a finished "
            "tregsim run",
            field="RUN_DIR",
        )
    figures = tuple(_require("tregsim.report", "FIGURES", "plot"))
    if figure != "report" and figure not in figures:
        raise TregsimInputError(
            f"--figure '{figure}' is not a figure; use report or one of {', '.join(figures)}",
            field="--figure",
        )
    default = "report.html" if figure == "report" else f"{figure}.png"
    target = out if out is not None else run_dir / default
    allowed = (".html",) if figure == "report" else (".png", ".svg", ".pdf")
    if target.suffix.lower() not in allowed:
        raise TregsimInputError(
            f"--out {target} must end in {' or '.join(allowed)} for --figure {figure}; rename it",
            field="--out",
        )
    _check_out("--out", target, want_dir=False)
    plot_cli = _require("tregsim.report", "plot_cli", "plot")
    with _staged(target, is_dir=False) as staging:
        plot_cli(run_dir, figure, staging)
    _console(stderr=True).print(f"Wrote {target}")


@app.command()
def calibrate(
    out: Annotated[Path, typer.Option("--out", help="Output directory (replaced at the end).")],
    candidates: Annotated[
        int,
        typer.Option(
            "--candidates",
            help="Most candidate parameter sets to try (stops at --ensemble-size accepted).",
        ),
    ] = 512,
    ensemble_size: Annotated[
        int, typer.Option("--ensemble-size", help="Accepted parameter sets to keep.")
    ] = 100,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed (2024 made the shipped ensemble).")
    ] = 2024,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Local worker processes.", show_default=False),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Regenerate the calibrated ensemble: plausible parameter sets kept only if they meet
    every published target (src/tregsim/data/targets.yaml); prints target / model / tolerance
    / pass and writes calibrated_ensemble.json (copy it to src/tregsim/data/ to ship it).

    Example: tregsim calibrate --out results/calibration --workers 2
    """
    _check_int("--candidates", candidates, 1, "ask for at least one candidate, e.g. 512")
    _check_int("--ensemble-size", ensemble_size, 1, "keep at least one parameter set, e.g. 100")
    _check_int("--seed", seed, 0, "use a non-negative integer seed")
    _check_int("--workers", workers, 1, "use at least one worker, e.g. --workers 2")
    _check_out("--out", out, want_dir=True)
    run_calibration = _require("tregsim.calibration", "run_calibration", "calibrate")
    with _staged(out, is_dir=True) as staging:
        with _progress_bar(quiet, "calibration") as progress:
            run_calibration(
                out_dir=staging,
                n_candidates=candidates,
                ensemble_size=ensemble_size,
                seed=seed,
                workers=workers,
                progress=progress,
            )
    if not quiet:
        _console().print(f"Calibration written to {out}")


@app.command()
def runs(
    catalogue: Annotated[
        Path | None,
        typer.Option(
            "--catalogue",
            help="DuckDB catalogue (default: $TREGSIM_HOME/runs.duckdb).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Newest runs to show.")] = 20,
) -> None:
    """List recorded runs, newest first.

    Example: tregsim runs --limit 5
    """
    _check_int("--limit", limit, 1, "show at least one run, e.g. --limit 5")
    if catalogue is not None and not catalogue.is_file():
        raise TregsimInputError(
            f"--catalogue {catalogue} does not exist; give the path of a runs.duckdb file or "
            "leave it out",
            field="--catalogue",
        )
    list_runs = _require("tregsim.store", "list_runs", "runs")
    frame = list_runs(catalogue)
    from rich.table import Table

    wanted = ["run_id", "scenario", "status", "created", "replicates", "seed", "out_dir"]
    columns = [c for c in wanted if c in getattr(frame, "columns", ())] or list(
        getattr(frame, "columns", ())
    )
    table = Table(*columns, title="tregsim runs")
    for _, row in frame.head(limit).iterrows():
        table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
    _console().print(table)


# --------------------------------------------------------------------------- entry point


def _usage_message(exc: Any) -> str:
    message = " ".join(exc.format_message().split()).rstrip(".")
    ctx = exc.ctx
    command = ctx.command_path if ctx is not None else "tregsim"
    return f"error: {message}; run '{command} --help' for an example."


_ARGV: list[str] = []


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``tregsim`` command (exit codes: 0 ok, 1 internal error, 2 bad input)."""
    _ARGV[:] = list(argv) if argv is not None else sys.argv[1:]
    command = typer.main.get_command(app)
    code = 0
    try:
        result = command.main(
            args=list(argv) if argv is not None else None,
            prog_name="tregsim",
            standalone_mode=False,
        )
        code = result if isinstance(result, int) else 0
    except TregsimInputError as exc:
        _stderr(f"error: {exc}")
        code = 2
    except _NO_ARGS as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
        code = 0
    except _USAGE as exc:
        _stderr(_usage_message(exc))
        code = 2
    except _CLICK_ERROR as exc:
        _stderr(f"error: {exc.format_message()}")
        code = exc.exit_code
    except _ABORT as exc:
        detail = " ".join(str(exc).split())
        _stderr(f"error: {detail}" if detail else "error: interrupted; nothing was written.")
        code = 130
    except _Unavailable as exc:
        _stderr(f"error: {exc}.")
        code = 1
    except BrokenPipeError:
        code = 1
    except ModuleNotFoundError as exc:
        if _debug():
            traceback.print_exc()
        if not (exc.name or "").startswith("tregsim"):
            _stderr(
                f"error: the Python package {exc.name} is missing; run 'make install' (or pip "
                "install -e .) to install tregsim's dependencies."
            )
        else:
            _stderr(
                f"error: this installation of tregsim lacks {exc.name}; update tregsim "
                "(nothing was written)."
            )
        code = 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if _debug():
            traceback.print_exc()
        detail = " ".join(str(exc).split())[:200]
        _stderr(
            f"error: internal error ({type(exc).__name__}: {detail}); rerun with "
            "TREGSIM_DEBUG=1 for the traceback and report it."
        )
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
