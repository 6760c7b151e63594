"""``tregsim runs``: the run catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tregsim.cli import _app
from tregsim.cli._app import _check_int, _console, app
from tregsim.errors import TregsimInputError


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
    list_runs = _app._require("tregsim.store", "list_runs", "runs")
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
