"""``tregsim plot``: redraw the report, or one figure, of a finished run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tregsim.cli import _app
from tregsim.cli._app import _check_out, _console, _staged, app
from tregsim.errors import TregsimInputError


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
    figures = tuple(_app._require("tregsim.report", "FIGURES", "plot"))
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
    plot_cli = _app._require("tregsim.report", "plot_cli", "plot")
    with _staged(target, is_dir=False) as staging:
        plot_cli(run_dir, figure, staging)
    _console(stderr=True).print(f"Wrote {target}")
