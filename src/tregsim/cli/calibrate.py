"""``tregsim calibrate``: regenerate the calibrated ensemble."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tregsim.cli import _app
from tregsim.cli._app import _check_int, _check_out, _console, _progress_bar, _staged, app


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
    run_calibration = _app._require("tregsim.calibration", "run_calibration", "calibrate")
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
