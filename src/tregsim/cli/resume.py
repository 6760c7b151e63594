"""``tregsim resume RUN_ID``: continue an interrupted or stale run from its catalogue record.

The catalogue says what kind of run it is; :data:`RESUMERS` maps each kind to the function
that continues it (``campaign``: ``tregsim run --resume``). A command whose runs can be
resumed adds itself here (``RESUMERS["calibration"] = ...``), so there is one catalogue
and one way to resume whatever ran.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from tregsim.cli._app import _RUN_ID, QuietOption, SchedulerOption, app
from tregsim.errors import TregsimInputError


def _resume_campaign(run_id: str, workers: int | None, scheduler: str | None, quiet: bool):
    from tregsim.cli.run import run

    run(
        scenario=None, out=None, replicates=None, seed=None, sets=None, workers=workers,
        scheduler=scheduler, resume=run_id, quiet=quiet,
    )  # fmt: skip


def _resume_calibration(run_id: str, workers: int | None, scheduler: str | None, quiet: bool):
    from tregsim.cli.calibrate import resume_calibration

    resume_calibration(run_id, workers, scheduler, quiet)


#: Run kind -> ``resume(run_id, workers, scheduler, quiet)``.
RESUMERS: dict[str, Callable[[str, int | None, str | None, bool], None]] = {
    "campaign": _resume_campaign,
    "calibration": _resume_calibration,
}


@app.command()
def resume(
    run_id: Annotated[str, typer.Argument(help="Run id (tregsim runs lists them).")],
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Local worker processes (default: as recorded; results do not depend on it).",
            show_default=False,
        ),
    ] = None,
    scheduler: SchedulerOption = None,
    quiet: QuietOption = False,
) -> None:
    """Continue an interrupted or stale run exactly as recorded: same scenario, overrides,
    seed, replicates and output folder; finished chunks are kept.

    Example: tregsim resume 20261202-143821-3fa2c1
    """
    if not _RUN_ID.match(run_id):
        raise TregsimInputError(
            f"RUN_ID '{run_id}' is not a run id; copy one from 'tregsim runs'", field="RUN_ID"
        )
    from tregsim.store import RunStore

    kind = RunStore().get_run(run_id)["kind"] or "campaign"
    resumer = RESUMERS.get(kind)
    if resumer is None:
        raise TregsimInputError(
            f"run {run_id} is a {kind} run, which this tregsim cannot resume; resume it with "
            f"the command that started it (tregsim runs show {run_id} prints it)",
            field="RUN_ID",
        )
    resumer(run_id, workers, scheduler, quiet)
