"""``tregsim sensitivity``: which calibrated parameters drive a trial prediction."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated

import typer

from tregsim.cli._app import _check_int, _check_out, _console, _load, _progress_bar, _staged, app
from tregsim.errors import TregsimInputError


@app.command()
def sensitivity(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or YAML path.")],
    endpoint: Annotated[str, typer.Option("--endpoint", help="Endpoint name of the scenario.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    arm: Annotated[
        str | None, typer.Option("--arm", help="Arm (default: the first non-control arm).")
    ] = None,
    versus: Annotated[
        str | None, typer.Option("--versus", help="Analyse the difference arm - versus.")
    ] = None,
    sets: Annotated[
        list[str] | None, typer.Option("--set", help="Scenario override dotted.key=value.")
    ] = None,
    trajectories: Annotated[
        int, typer.Option("--trajectories", help="Morris trajectories (cost: r * (k + 1) trials).")
    ] = 8,
    seed: Annotated[int, typer.Option("--seed", help="Seed (common to every evaluation).")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Global sensitivity (Morris, SALib) of an endpoint, or of the difference between two arms,
    over the posterior: which parameters drive the prediction, that is, what one would need to
    measure to be sure. Writes sensitivity.json, sensitivity.csv and sensitivity.png.

    Example: tregsim sensitivity phrc-2016 --endpoint salt50_w52 --versus placebo --out results/sens
    """
    _check_int("--trajectories", trajectories, 2, "use at least 2 trajectories, e.g. 8")
    _check_int("--seed", seed, 0, "use a non-negative integer seed")
    _check_out("--out", out, want_dir=True)
    loaded = _load(scenario, sets or [])
    names = [a.name for a in loaded.arms]
    endpoints = [e.name for e in loaded.endpoints]
    if endpoint not in endpoints:
        raise TregsimInputError(
            f"--endpoint {endpoint!r} is not an endpoint of {scenario}; use one of "
            + ", ".join(endpoints),
            field="--endpoint",
        )
    for option, value in (("--arm", arm), ("--versus", versus)):
        if value is not None and value not in names:
            raise TregsimInputError(
                f"{option} {value!r} is not an arm of {scenario}; use one of {', '.join(names)}",
                field=option,
            )
    if arm is None:
        control = loaded.analysis.control_arm or versus
        arm = next((a for a in names if a != control and a != versus), names[0])
    if versus == arm:
        raise TregsimInputError("--versus must differ from --arm", field="--versus")
    from tregsim.calibration.sensitivity import morris, plot

    with _staged(out, is_dir=True) as staging:
        with _progress_bar(quiet, "sensitivity") as progress:
            result = morris(
                loaded, endpoint, arm, versus, trajectories, seed=seed, progress=progress
            )
        label = f"{scenario}: {endpoint} ({arm}{' - ' + versus if versus else ''})"
        result = {
            "scenario": scenario,
            "endpoint": endpoint,
            "arm": arm,
            "versus": versus,
            **result,
        }
        (staging / "sensitivity.json").write_text(json.dumps(result, indent=1) + "\n")
        with open(staging / "sensitivity.csv", "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(result["parameters"][0]))
            writer.writeheader()
            writer.writerows(result["parameters"])
        plot(result, staging / "sensitivity.png", label)
    if not quiet:
        console = _console()
        for row in result["parameters"][:5]:
            console.print(
                f"{row['parameter']}: mu* {row['mu_star']:.3g} (sigma {row['sigma']:.3g})"
            )
        console.print(f"Sensitivity written to {out}")
