"""``tregsim validate``: the shipped posterior's predictions against observed results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tregsim.cli._app import _check_out, _console, _progress_bar, _staged, app
from tregsim.errors import TregsimInputError


@app.command()
def validate(
    cases: Annotated[
        Path | None,
        typer.Argument(help="Cases YAML (docs/dev/contracts.md); omit with --leave-one-out."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder (validation.json).")] = Path(
        "results/validation"
    ),
    leave_one_out: Annotated[
        bool,
        typer.Option(
            "--leave-one-out",
            help="Predict each calibration target from the posterior without it (an emulator "
            "posterior is re-sampled without the target; otherwise importance reweighting) and "
            "report the coverage.",
        ),
    ] = False,
    loo_target: Annotated[
        list[str] | None,
        typer.Option(
            "--loo-target",
            help="With --leave-one-out: only this target (repeatable; default every target).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Local worker processes (leave-one-out simulations)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Compare observed trial results with the posterior's 95% prediction intervals for a trial
    of the same size: writes validation.json with, per case, observed, predicted_mean, lo, hi,
    pit (share of replicate trials at or below the observed value) and inside.

    Example: tregsim validate examples/validation_cases.yaml --out results/validation
    """
    if cases is None and not leave_one_out:
        raise TregsimInputError("give a CASES file or --leave-one-out (or both)", field="CASES")
    _check_out("--out", out, want_dir=True)
    from tregsim.calibration.validation import load_cases, validate_cases

    checked = load_cases(cases) if cases is not None else []
    result: dict = {}
    with _staged(out, is_dir=True) as staging:
        if checked:
            with _progress_bar(quiet, "validation cases") as progress:
                result = validate_cases(checked, progress=progress)
        if leave_one_out:
            from tregsim.calibration.emulator_loo import emulator_leave_one_out, has_emulator
            from tregsim.calibration.ensemble import load_ensemble
            from tregsim.calibration.loo import leave_one_out as loo

            document = load_ensemble()
            names = list(loo_target) if loo_target else None
            known = set(document.get("settings", {}).get("targets", []))
            for name in names or []:
                if name not in known:
                    raise TregsimInputError(
                        f"--loo-target {name!r} is not a target of the shipped posterior; use "
                        "one of " + ", ".join(sorted(known)),
                        field="--loo-target",
                    )
            if has_emulator(document):
                with _progress_bar(quiet, "leave-one-out") as progress:
                    result["leave_one_out"] = emulator_leave_one_out(
                        document, names, workers=workers, progress=progress
                    )
            else:
                result["leave_one_out"] = loo(document, names)
        (staging / "validation.json").write_text(json.dumps(result, indent=1) + "\n")
    if not quiet:
        console = _console()
        for row in result.get("cases", []):
            console.print(
                f"{row['name']}: observed {row['observed']:.3g}, "
                f"predicted {row['predicted_mean']:.3g} "
                f"[{row['lo']:.3g}, {row['hi']:.3g}], PIT {row['pit']:.2f}, "
                f"{'inside' if row['inside'] else 'OUTSIDE'}"
            )
        if "leave_one_out" in result:
            loo_rows = result["leave_one_out"]
            console.print(
                f"leave-one-out: {sum(r['inside'] for r in loo_rows['cases'])} of "
                f"{loo_rows['n_cases']} targets inside their 95% interval"
            )
        console.print(f"Validation written to {out}/validation.json")
