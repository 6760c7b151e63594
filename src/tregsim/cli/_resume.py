"""Resuming a ``tregsim run`` campaign from the catalogue's record, by its id alone.

``tregsim run`` stores what it needs in the catalogue (``RunStore.resume_record``): the
scenario as given (built-in name or absolute YAML path), the ``--set`` overrides, the output
folder, the seed, the replicates, and the workers or scheduler. ``tregsim resume RUN_ID`` and
``tregsim run --resume RUN_ID`` read it back; any other argument must agree with it (an
input error naming the field otherwise), except ``--workers`` / ``--scheduler``, which do
not change the results and may differ (a resumed run may use a bigger machine).

A run with a ``design`` section or ``--null`` also records ``null``: its catalogue holds the
scenario the engine simulated (every arm on placebo, ``max_n`` patients), so the scenario
as given is read again from the record's source and overrides, and must still simulate to
the recorded one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tregsim.errors import TregsimInputError

#: ``tregsim run`` without --replicates.
DEFAULT_REPLICATES = 100


@dataclass(frozen=True)
class CampaignPlan:
    """Everything ``tregsim run`` needs, from the command line or the catalogue."""

    scenario: Any
    out: Path
    replicates: int
    seed: int
    workers: int | None
    scheduler: str | None
    record: dict[str, Any]
    null: bool = False


def scenario_source(scenario: str) -> str:
    """The scenario as the record keeps it: a YAML path made absolute (so a resume works
    from any folder), a built-in name as it is."""
    path = Path(scenario).expanduser()
    return str(path.resolve()) if path.is_file() else scenario


def new_run_record(scenario: str, sets: Sequence[str], out: Path) -> dict[str, Any]:
    """The part of the resume record only the command line knows (see module docstring)."""
    out_dir = str(out.absolute().resolve())
    return {"source": scenario_source(scenario), "overrides": list(sets), "out_dir": out_dir}


def _contradiction(run_id: str, option: str, given: Any, recorded: Any) -> TregsimInputError:
    return TregsimInputError(
        f"{option} {given} contradicts run {run_id}, which was started with {option} "
        f"{recorded}; leave {option} out to resume the run as recorded (tregsim resume {run_id})",
        field=option,
    )


def _recorded_scenario(row: dict[str, Any]) -> Any:
    """The run's scenario exactly as it ran (``run.json`` in its run folder)."""
    from tregsim.protocol import Scenario
    from tregsim.store import scenario_hash

    marker = Path(row["run_dir"]) / "run.json"
    if not marker.is_file():
        raise TregsimInputError(
            f"run {row['run_id']} cannot be resumed: its run folder {row['run_dir']} (with the "
            "finished chunks) is gone; start the run again with tregsim run",
            field="RUN_ID",
        )
    scenario = Scenario.model_validate(json.loads(marker.read_text(encoding="utf-8"))["scenario"])
    if scenario_hash(scenario) != row["scenario_hash"]:
        raise TregsimInputError(
            f"run {row['run_id']} cannot be resumed by this tregsim: its scenario reads "
            "differently now; resume it with the tregsim version that started it "
            f"({row['version']})",
            field="RUN_ID",
        )
    return scenario


def plan_resume(
    run_id: str,
    *,
    scenario: str | None = None,
    sets: Sequence[str] = (),
    out: Path | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    null: bool = False,
) -> CampaignPlan:
    """The plan that continues campaign `run_id` from its catalogue record; arguments given
    (not None / not empty) must agree with the record. Input errors (exit 2) otherwise, or
    when the run is unknown, done, still running, or was not started by ``tregsim run``."""
    from tregsim.scenarios import load_scenario
    from tregsim.store import RunStore

    row = RunStore().resume_record(run_id, kind="campaign")
    record = row["resume"]
    if "source" not in record:
        return _plan_without_record(
            row, scenario, sets, out, replicates, seed, workers, scheduler, null
        )
    designed = "null" in record  # a design section or --null: see the module docstring
    if null and not record.get("null", False):
        raise TregsimInputError(
            f"--null contradicts run {run_id}, which was started without --null; leave --null "
            f"out to resume the run as recorded (tregsim resume {run_id})",
            field="--null",
        )
    null = bool(record.get("null", False))
    if scenario is not None or sets:
        given = load_scenario(scenario or record["source"], list(sets) or record["overrides"])
        if _simulated_hash(given, null) != row["scenario_hash"]:
            shown = " ".join([scenario or record["source"], *(f"--set {s}" for s in sets)])
            recorded = " ".join([record["source"], *(f"--set {s}" for s in record["overrides"])])
            raise _contradiction(run_id, "SCENARIO", f"'{shown}'", f"'{recorded}'")
    if seed is not None and seed != row["seed"]:
        raise _contradiction(run_id, "--seed", seed, row["seed"])
    if replicates is not None and replicates != row["replicates"]:
        raise _contradiction(run_id, "--replicates", replicates, row["replicates"])
    recorded_out = Path(record["out_dir"])
    if out is not None and out.absolute().resolve() != recorded_out:
        raise _contradiction(run_id, "--out", out, recorded_out)
    if workers is None and scheduler is None:
        workers, scheduler = record.get("workers"), record.get("scheduler")
    return CampaignPlan(
        scenario=_designed_scenario(row, record) if designed else _recorded_scenario(row),
        out=recorded_out,
        replicates=int(row["replicates"]),
        seed=int(row["seed"]),
        workers=workers,
        scheduler=scheduler,
        record=record,
        null=null,
    )


def _simulated_hash(scenario: Any, null: bool) -> str:
    """The hash of the scenario the engine runs for `scenario` (its design, ``--null``)."""
    from tregsim.design.evaluate import simulation_scenario
    from tregsim.store import scenario_hash

    if scenario.design is None and not null:
        return scenario_hash(scenario)
    return scenario_hash(simulation_scenario(scenario, null))


def _designed_scenario(row: dict[str, Any], record: dict[str, Any]) -> Any:
    """The scenario as given to a design or ``--null`` run, read again from its source."""
    from tregsim.scenarios import load_scenario

    _recorded_scenario(row)  # its run folder is still there
    scenario = load_scenario(record["source"], record["overrides"])
    if _simulated_hash(scenario, bool(record["null"])) != row["scenario_hash"]:
        raise TregsimInputError(
            f"run {row['run_id']} cannot be resumed: its scenario {record['source']} (with its "
            "design or --null) reads differently now than when the run started; start the "
            "run again with tregsim run",
            field="RUN_ID",
        )
    return scenario


def _plan_without_record(row, scenario, sets, out, replicates, seed, workers, scheduler, null):
    """A run recorded without a resume record (by an older tregsim, or started from Python):
    resumable with its original arguments, which ``run_campaign`` checks against the run."""
    from tregsim.scenarios import load_scenario

    run_id, command = row["run_id"], row.get("command")
    if scenario is None or out is None:
        how = (
            f"repeat its command with --resume: {command} --resume {run_id}"
            if command and command.startswith("tregsim run ")
            else f"use run_campaign(..., resume_run_id='{run_id}') in Python"
        )
        raise TregsimInputError(
            f"run {run_id} was recorded without what tregsim resume needs (started from Python "
            f"or by an older tregsim); {how}",
            field="RUN_ID",
        )
    loaded = load_scenario(scenario, list(sets))
    return CampaignPlan(
        scenario=loaded,
        out=out,
        replicates=int(row["replicates"]) if replicates is None else replicates,
        seed=loaded.seed if seed is None else seed,
        workers=workers,
        scheduler=scheduler,
        record=new_run_record(scenario, sets, out),
        null=null,
    )
