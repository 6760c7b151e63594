"""``tregsim compare``: designs or scenario variants on common random numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tregsim.cli import _app
from tregsim.cli._app import (
    SetOption,
    _check_int,
    _check_out,
    _console,
    _load,
    _staged,
    _stderr,
    app,
)


@app.command()
def compare(
    scenarios: Annotated[
        list[str], typer.Argument(help="Scenario names or YAML paths (with or without design).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Output directory (replaced at the end).")],
    replicates: Annotated[
        int, typer.Option("--replicates", "-r", help="Replicate trials per variant.")
    ] = 100,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Seed shared by every variant (default: the first's)."),
    ] = None,
    sets: SetOption = None,
    grid: Annotated[
        list[str] | None,
        typer.Option(
            "--grid",
            help="KEY=V1,V2 values to cross (repeatable: dose x schedule x n), e.g. "
            "population.n=40,80.",
            show_default=False,
        ),
    ] = None,
    safety_endpoint: Annotated[
        str | None,
        typer.Option(
            "--safety-endpoint",
            help="Endpoint whose treated-arm mean is the safety axis of the front "
            "(e.g. an nk_fold / cd8_fold or ae_* endpoint).",
            show_default=False,
        ),
    ] = None,
    type1: Annotated[
        bool,
        typer.Option("--type1/--no-type1", help="Also run every variant on placebo."),
    ] = True,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Local worker processes per run.", show_default=False),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
) -> None:
    """Compare designs or scenario variants on the same virtual patients: table, plots
    and compare.html with power, type I error, expected N and duration.

    Example: tregsim compare phrc-2016 examples/designs/phrc-2016-gs.yaml --out cmp
    --replicates 200 --grid population.n=60,80 --safety-endpoint treg_fold_w12
    """
    from tregsim.design.compare import build_variants, compare_variants
    from tregsim.design.compare_page import write_comparison

    loaded = [_load(name, sets or ()) for name in scenarios]
    _check_int("--replicates", replicates, 1, "ask for at least one replicate trial")
    _check_int("--seed", seed, 0, "use a non-negative integer seed")
    _check_int("--workers", workers, 1, "use at least one worker, e.g. --workers 2")
    _check_out("--out", out, want_dir=True)
    variants = build_variants(loaded, grid or ())
    chosen_seed = loaded[0].seed if seed is None else seed

    def say(label: str) -> None:
        if not quiet:
            _stderr(f"running {label}")

    with _staged(out, is_dir=True) as staging:
        comparison = compare_variants(
            variants,
            replicates,
            chosen_seed,
            type1=type1,
            safety_endpoint=safety_endpoint,
            run_trial=_app._require("tregsim.api", "run_trial", "compare"),
            run_options={"workers": workers, "progress": False},
            progress=say,
        )
        write_comparison(staging, comparison)
    if not quiet:
        from rich.markup import escape
        from rich.table import Table

        table = Table("P(success)", "type I error", "expected N", "months", "front")
        table.add_column("variant", overflow="fold")
        for row in comparison["rows"]:
            cells = [row["power"], row["type1_error"], row["expected_n"]]
            cells.append(row["expected_duration_months"])
            table.add_row(
                *("n/a" if v is None else f"{v:.3g}" for v in cells),
                "yes" if row["on_front"] else "",
                escape(row["variant"]),
            )
        _console().print(table)
        _console().print(escape(f"Comparison in {out / 'compare.html'}"))
