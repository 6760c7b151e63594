"""``tregsim runs``: the run catalogue, as a table that fits the terminal or as JSON.

Run ids are never cut: they come first and keep their full width; the other columns fold
(long folders wrap) or, in a narrow terminal, are left out, least useful first.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from tregsim.cli import _app
from tregsim.cli._app import _check_int, _console, app
from tregsim.errors import TregsimInputError

runs_app = typer.Typer(
    help=(
        "List recorded runs (campaigns, calibrations), or show one run's record.\n\n"
        "Examples: tregsim runs | tregsim runs show RUN_ID | tregsim runs --json"
    ),
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(runs_app, name="runs")

CatalogueOption = Annotated[
    Path | None,
    typer.Option(
        "--catalogue",
        help="DuckDB catalogue (default: $TREGSIM_HOME/runs.duckdb).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON for scripts instead of a table.")]

#: Table columns, most useful first: (header, catalogue field, folds onto several lines).
#: Only the output folder folds, taking the width the others leave; in a narrow terminal
#: the last columns are left out until the table fits.
COLUMNS = (
    ("run_id", "run_id", False),
    ("status", "status", False),
    ("chunks", "progress", False),
    ("scenario", "scenario", False),
    ("out_dir", "out_dir", True),
    ("created", "created", False),
    ("kind", "kind", False),
    ("replicates", "replicates", False),
    ("seed", "seed", False),
)
_FOLDED_MIN = 16  # narrowest the output folder column gets
_PER_COLUMN = 3  # a border and two spaces of padding per column (rich's default box)


def _check_catalogue(catalogue: Path | None) -> None:
    if catalogue is not None and not catalogue.is_file():
        raise TregsimInputError(
            f"--catalogue {catalogue} does not exist; give the path of a runs.duckdb file or "
            "leave it out",
            field="--catalogue",
        )


def _plain(value: Any) -> Any:
    """A catalogue value as JSON-able data (timestamps as ISO text, NaN as None)."""
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if hasattr(value, "item"):  # numpy / pandas scalars
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _record(row: dict[str, Any]) -> dict[str, Any]:
    """One run for display and JSON: plain values, ``progress`` as done/total, ``resume``
    parsed."""
    record = {key: _plain(value) for key, value in row.items()}
    done, total = record.get("n_chunks_done"), record.get("n_chunks_total")
    record["progress"] = f"{done or 0}/{total}" if total is not None else str(done or 0)
    if isinstance(record.get("resume"), str):
        record["resume"] = json.loads(record["resume"])
    return record


def _cell(record: dict[str, Any], field: str) -> str:
    value = record.get(field)
    if value is None:
        return ""
    if field == "created":
        return str(value)[:16]  # to the minute
    if field == "out_dir":  # shorter with ~ for the home folder (runs show prints it whole)
        home = str(Path.home())
        text = str(value)
        return "~" + text[len(home) :] if text.startswith(home + "/") else text
    return str(value)


def fitting_columns(rows: list[dict[str, Any]], width: int) -> list[tuple[str, str, bool]]:
    """The columns of :data:`COLUMNS` that fit in `width` characters, in order; the run id
    always (at full width)."""
    chosen, used = [], 1
    for header, field, folds in COLUMNS:
        natural = max([len(header), *(len(_cell(r, field)) for r in rows)])
        need = (min(natural, _FOLDED_MIN) if folds else natural) + _PER_COLUMN
        if chosen and used + need > width:
            continue
        chosen.append((header, field, folds))
        used += need
    return chosen


def _table(records: list[dict[str, Any]], width: int) -> Any:
    from rich.table import Table

    table = Table(title="tregsim runs", title_justify="left", expand=False)
    columns = fitting_columns(records, width)
    for header, _, folds in columns:
        if folds:
            table.add_column(header, overflow="fold", ratio=1)
        else:
            table.add_column(header, no_wrap=True)
    for record in records:
        table.add_row(*(_cell(record, field) for _, field, _ in columns))
    return table


@runs_app.callback()
def runs(
    ctx: typer.Context,
    catalogue: CatalogueOption = None,
    limit: Annotated[int, typer.Option("--limit", help="Newest runs to show.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """List recorded runs, newest first: id, status (a run whose process is gone shows as
    stale and can be resumed), chunks done / total, scenario, output folder.

    Example: tregsim runs --limit 5
    """
    if ctx.invoked_subcommand is not None:
        return
    _check_int("--limit", limit, 1, "show at least one run, e.g. --limit 5")
    _check_catalogue(catalogue)
    list_runs = _app._require("tregsim.store", "list_runs", "runs")
    frame = list_runs(catalogue)
    records = [_record(row) for row in frame.head(limit).to_dict("records")]
    if as_json:
        sys.stdout.write(json.dumps(records, indent=2) + "\n")
        return
    console = _console()
    if not records:
        console.print("No runs recorded yet; tregsim run starts one.")
        return
    console.print(_table(records, console.width))
    resumable = [r["run_id"] for r in records if r["status"] in ("interrupted", "stale", "failed")]
    if resumable:
        console.print(f"Resume one with: tregsim resume {resumable[0]}", soft_wrap=True)


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (tregsim runs lists them).")],
    catalogue: CatalogueOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print one run's record: status, progress, scenario, seed, folders, command, resume
    record.

    Example: tregsim runs show 20261202-143821-3fa2c1
    """
    _check_catalogue(catalogue)
    from tregsim.store import RunStore

    record = _record(RunStore(catalogue).get_run(run_id))
    if as_json:
        sys.stdout.write(json.dumps(record, indent=2) + "\n")
        return
    for key, value in record.items():
        shown = json.dumps(value) if isinstance(value, dict | list) else value
        sys.stdout.write(f"{key}: {'' if shown is None else shown}\n")
    if record["status"] in ("interrupted", "stale", "failed"):
        sys.stdout.write(f"Resume it with: tregsim resume {run_id}\n")
