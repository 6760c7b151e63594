"""``tregsim run``: simulate a scenario's replicate trials and write the results."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer

from tregsim.cli import _app
from tregsim.cli._app import (
    _RUN_ID,
    _SCHEDULER,
    AUTO_WORKERS_MAX,
    AUTO_WORKERS_REPLICATES,
    QuietOption,
    SchedulerOption,
    SetOption,
    _check_int,
    _check_out,
    _console,
    _load,
    _staged,
    _stderr,
    app,
)
from tregsim.cli._resume import DEFAULT_REPLICATES, new_run_record, plan_resume
from tregsim.errors import TregsimInputError
from tregsim.run_tracking import signals_as_interrupt


@app.command()
def run(
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="Built-in scenario name or YAML path (not needed with --resume).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output directory (replaced at the end; not needed with --resume).",
            show_default=False,
        ),
    ] = None,
    replicates: Annotated[
        int | None,
        typer.Option(
            "--replicates",
            "-r",
            help="Replicate trials (new patients and randomization each; default 100).",
            show_default=False,
        ),
    ] = None,
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
    scheduler: SchedulerOption = None,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume",
            help="Resume the unfinished run RUN_ID (see tregsim runs) as recorded; other "
            "arguments may be left out.",
        ),
    ] = None,
    quiet: QuietOption = False,
    null: Annotated[
        bool,
        typer.Option(
            "--null",
            help="Every active arm gets placebo (same virtual patients): reports type1_error.",
        ),
    ] = False,
) -> None:
    """Simulate a trial scenario and write summary.json, patients.parquet and the report.

    Example: tregsim run phrc-2016 --out results/phrc-2016 --replicates 200 --seed 1
    --set population.n=120 --workers 2
    """
    if resume is None and (scenario is None or out is None):
        missing = "SCENARIO" if scenario is None else "--out"
        raise TregsimInputError(
            f"{missing} is missing; give a scenario and an output folder, e.g. tregsim run "
            "phrc-2016 --out results/phrc-2016, or --resume RUN_ID to continue a recorded run",
            field=missing,
        )
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
    if resume is None:
        loaded = _load(scenario, sets or ())
        replicates = DEFAULT_REPLICATES if replicates is None else replicates
        chosen_seed = loaded.seed if seed is None else seed
        record = new_run_record(scenario, sets or (), out)
    else:
        plan = plan_resume(
            resume, scenario=scenario, sets=sets or (), out=out, replicates=replicates,
            seed=seed, workers=workers, scheduler=scheduler, null=null,
        )  # fmt: skip
        loaded, out, replicates, chosen_seed = plan.scenario, plan.out, plan.replicates, plan.seed
        workers, scheduler, record, null = plan.workers, plan.scheduler, plan.record, plan.null
    _check_out("--out", out, want_dir=True)
    run_trial = _app._require("tregsim.api", "run_trial", "run")
    if loaded.design is not None or null:  # group-sequential design and/or --null
        from functools import partial

        from tregsim.design import check_design, run_design

        check_design(loaded, null)
        run_trial = partial(run_design, run_trial=run_trial, null=null)
        record["null"] = null
    if workers is None and scheduler is None:
        workers = _auto_workers(replicates)

    try:  # Ctrl-C, SIGTERM, SIGHUP: the run is marked interrupted, nothing is half-written
        with signals_as_interrupt(), _staged(out, is_dir=True) as staging:
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
                resume_record=record,
            )
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result.write(staging)  # summary.json, patients.parquet, ADaM CSVs, report.html
            for warning in caught:
                _stderr(f"warning: {warning.message}.")
    except KeyboardInterrupt as stop:
        raise typer.Exit(128 + getattr(stop, "signum", 2)) from None  # 130, 143 or 129
    if not quiet:
        _print_run_summary(loaded, getattr(result, "summary", None), out)
        if null or loaded.design is not None:
            from tregsim.design.text import design_lines

            for line in design_lines(result.summary):
                _console().print(line)


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

    return shlex.join(["tregsim", *_app._ARGV])


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
