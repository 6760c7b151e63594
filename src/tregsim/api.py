"""The Python API's trial runner: many replicate trials of a scenario, and their outputs.

``run_trial`` composes the layers: the trial engine's replicate function
(:func:`tregsim.trial.simulate_replicate`) is handed to the campaign
(:func:`tregsim.campaign.run_campaign`), and :meth:`TrialResult.write` hands the result to
the store (:func:`tregsim.store.write_outputs`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["TrialResult", "run_trial"]


# ---------------------------------------------------------------- many replicates
@dataclass(frozen=True)
class TrialResult:
    """All replicates of a trial: ``summary`` (the summary.json content, built by
    :func:`tregsim.campaign.assemble_summary`), ``patients`` (every patient row, loaded
    from the run's chunk files), the per-replicate ``records``, and the campaign's
    ``run_id`` / ``run_dir`` (``tregsim runs`` lists it; ``resume=run_id`` finishes it)."""

    summary: dict
    patients: pd.DataFrame
    records: tuple[dict, ...] = field(default=(), repr=False)
    run_id: str | None = None
    run_dir: Path | None = None
    scenario: object = field(default=None, repr=False)

    def write(self, out_dir: str | os.PathLike) -> Path:
        """Write summary.json, patients.parquet, adsl.csv, adeff.csv and report.html into
        ``out_dir``, all or nothing (see :func:`tregsim.store.write_outputs`)."""
        from tregsim.store import write_outputs

        return write_outputs(out_dir, self.summary, self.patients, self.scenario)


def run_trial(
    scenario,
    replicates: int = 1,
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress=True,
    resume: str | None = None,
    *,
    chunk_size: int | None = None,
    run_dir: str | os.PathLike | None = None,
    catalogue=None,
    command: str | None = None,
) -> TrialResult:
    """Run ``replicates`` independent trials of ``scenario`` (the engine of ``tregsim run``).

    ``seed`` defaults to ``scenario.seed``. The replicates run in chunks through
    :func:`tregsim.campaign.run_campaign`: in this process when ``workers`` is None or 1,
    on a local Dask cluster of ``workers`` processes, or on the Dask cluster at
    ``scheduler`` ("tcp://host:port"); the summary is identical either way. The run is
    recorded in the run catalogue (``tregsim runs``; default ``$TREGSIM_HOME/runs.duckdb``)
    and ``resume=run_id`` finishes an interrupted run. ``progress``: True shows a progress
    bar on stderr, a callable gets ``progress(done_replicates, total)``, False is silent.
    """
    from tregsim.campaign import run_campaign

    result = run_campaign(
        scenario,
        int(replicates) if isinstance(replicates, (int, np.integer)) else replicates,
        seed,
        workers=workers,
        scheduler=scheduler,
        chunk_size=chunk_size,
        run_dir=run_dir,
        resume_run_id=resume,
        progress=progress,
        catalogue=catalogue,
        command=command,
    )
    return TrialResult(
        summary=result.summary,
        patients=result.patients,
        records=result.records,
        run_id=result.run_id,
        run_dir=result.run_dir,
        scenario=scenario,
    )
