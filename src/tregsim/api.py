"""The Python API's trial runner: many replicate trials of a scenario, and their outputs.

``run_trial`` composes the layers: the trial engine's replicate function
(:func:`tregsim.trial.simulate_replicate`) is handed to the campaign
(:func:`tregsim.campaign.run_campaign`), and :meth:`TrialResult.write` hands the result to
the store (:func:`tregsim.store.write_outputs`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tregsim.adae import make_adae
from tregsim.adam import adeff_table, make_adsl
from tregsim.campaign import run_campaign
from tregsim.paths import staged
from tregsim.protocol import Scenario
from tregsim.report import write_report
from tregsim.store import RunStore, write_csv, write_json
from tregsim.trial import simulate_replicate
from tregsim.trial.memory import check_memory

__all__ = ["OUTPUT_FILES", "TrialResult", "run_trial", "write_outputs"]

#: Files :func:`write_outputs` puts in an output folder.
OUTPUT_FILES = (
    "summary.json",
    "patients.parquet",
    "adsl.csv",
    "adeff.csv",
    "adae.csv",
    "report.html",
)


def _write_data_files(folder: Path, patients: pd.DataFrame) -> None:
    """``patients.parquet``, ``adsl.csv``, ``adeff.csv`` and ``adae.csv`` (adverse events,
    one row per reported event: :func:`tregsim.adae.make_adae`) into `folder`."""
    patients.to_parquet(folder / "patients.parquet", index=False)
    write_csv(make_adsl(patients), folder / "adsl.csv")
    write_csv(adeff_table(patients), folder / "adeff.csv")
    write_csv(make_adae(patients), folder / "adae.csv")


def write_outputs(
    out_dir: str | os.PathLike[str], summary: Mapping[str, Any], patients, scenario=None
) -> Path:
    """Write a run's outputs into `out_dir`, all or nothing: ``summary.json``,
    ``patients.parquet``, the ADaM datasets ``adsl.csv`` / ``adeff.csv`` / ``adae.csv`` and
    ``report.html`` (:func:`tregsim.report.write_report`; if drawing fails, a warning is
    issued and the data files are still written).

    Everything is written into a staging folder next to `out_dir` and moved into place only
    when all files are complete (:func:`tregsim.paths.staged`); files of an existing
    `out_dir` with the same names are replaced, others are left alone. Returns `out_dir`.
    """
    out = Path(out_dir)
    with staged(out, is_dir=True, merge=True) as folder:
        write_json(summary, folder / "summary.json")
        # The data files are Arrow and NumPy work that mostly runs outside the GIL: write
        # them in a thread while the report draws (matplotlib, in this thread).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tregsim-outputs") as pool:
            data_files = pool.submit(_write_data_files, folder, patients)
            try:
                write_report(dict(summary), patients, scenario, folder / "report.html")
            except Exception as error:  # noqa: BLE001 - the data outputs stay valid
                detail = " ".join(str(error).split())[:200]
                warnings.warn(
                    f"report.html was not written ({type(error).__name__}: {detail})",
                    stacklevel=2,
                )
            data_files.result()
    return out


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
        """Write summary.json, patients.parquet, adsl.csv, adeff.csv, adae.csv and
        report.html into ``out_dir``, all or nothing (see :func:`write_outputs`)."""
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
    replicate_fn: Callable[[Scenario, int, int], Any] = simulate_replicate,
    resume_record: dict | None = None,
) -> TrialResult:
    """Run ``replicates`` independent trials of ``scenario`` (the engine of ``tregsim run``).

    ``seed`` defaults to ``scenario.seed``. The replicates run in chunks through
    :func:`tregsim.campaign.run_campaign`: in this process when ``workers`` is None or 1,
    on a local Dask cluster of ``workers`` processes, or on the Dask cluster at
    ``scheduler`` ("tcp://host:port"); the summary is identical either way. The run is
    recorded in the run catalogue (``tregsim runs``; default ``$TREGSIM_HOME/runs.duckdb``)
    and ``resume=run_id`` finishes an interrupted run. ``progress``: True shows a progress
    bar on stderr, a callable gets ``progress(done_replicates, total)``, False is silent.
    ``replicate_fn`` runs one replicate trial (default
    :func:`tregsim.trial.simulate_replicate`; bind its seams with :func:`functools.partial`).
    ``resume_record``: what ``tregsim resume`` needs besides that (see ``run_campaign``).
    """
    check_memory(scenario, int(replicates))
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
        catalogue=catalogue if isinstance(catalogue, RunStore) else RunStore(catalogue),
        command=command,
        replicate_fn=replicate_fn,
        resume_record=resume_record,
    )
    return TrialResult(
        summary=result.summary,
        patients=result.patients,
        records=result.records,
        run_id=result.run_id,
        run_dir=result.run_dir,
        scenario=scenario,
    )
