"""``tregsim trajectory`` and ``tregsim export-sbml``: one arm's typical patient."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tregsim.cli import _app
from tregsim.cli._app import (
    SetOption,
    _check_float,
    _check_out,
    _console,
    _load,
    _staged,
    _times,
    app,
)
from tregsim.errors import TregsimInputError


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
    typical_trajectory = _app._require(
        "tregsim.population.exports", "typical_trajectory", "trajectory"
    )
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
    exporter = _app._require("tregsim.population.exports", "export_sbml", "export-sbml")
    with _staged(out, is_dir=False) as staging:
        exporter(loaded, arm, staging)
    _console(stderr=True).print(f"Wrote {out}")
