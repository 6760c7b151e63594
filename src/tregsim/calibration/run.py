"""``tregsim calibrate``: plausible parameter sets, selected against published targets.

The QSP virtual-population method (Allen, Rieger & Musante, CPT Pharmacometrics
Syst Pharmacol 2016;5:140, doi:10.1002/psp4.12063): candidate population-level
parameter sets are drawn from a prior box (scrambled Sobol, log-uniform), each
is simulated through the experiments behind every target of
``data/targets.yaml`` (cheapest first, stopping at the first miss), and every
candidate whose values all fall inside the stated tolerances is kept. The kept
sets form the ensemble; trial predictions sample from it, so their intervals
carry the uncertainty the targets leave.

Everything is keyed by the seed: the same seed gives the same ensemble whatever
the number of workers.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from scipy.stats import qmc

from .. import __version__
from ..population import PopulationSpec
from . import targets as T

#: Prior box (low, high) of the calibrated population-level parameters, around the
#: hand-found centre recorded in ``model/parameters.py`` and ``PopulationSpec``.
PRIOR_BOX: dict[str, tuple[float, float]] = {
    "treg_program_on": (1.85, 2.15),
    "treg_program_off": (1.68, 1.96),
    "treg_activation": (9.7, 11.3),
    "treg_proliferation": (0.011, 0.016),
    "treg_active_loss": (1.33, 1.55),
    "cd8_skin_expansion": (1.70, 1.95),
    "patchy_expansion_factor": (0.29, 0.37),
    "activity_sd": (0.28, 0.42),
    "expansion_cv": (0.90, 1.10),
    "bari_ic50_nm": (4.5, 7.5),
}

STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("treg", ("treg_dilt1d_ed10", "treg_dilfrequency_rise", "treg_hartemann_order")),
    ("natural_history", ("patchy_recovery_1y", "atau_recovery")),
    ("pilot", ("pilot_median_salt_m6", "pilot_partial_regrowth", "pilot_no_relapse_2y")),
    (
        "trials",
        ("placebo_allegro_w24", "placebo_brave_w36", "baricitinib_4mg_w36", "baricitinib_2mg_w36"),
    ),
)


@dataclass(frozen=True)
class CalibrationSettings:
    """Sizes of the calibration experiments (virtual patients per cohort)."""

    n_candidates: int = 400
    ensemble_size: int = 100
    seed: int = 2024
    natural_history_n: int = 200
    pilot_n: int = 100
    trial_n: int = 160
    prior_box: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(PRIOR_BOX))


def candidate_members(settings: CalibrationSettings) -> list[dict[str, float]]:
    """Candidate parameter sets: scrambled Sobol points, log-uniform in the prior box."""
    names = list(settings.prior_box)
    sampler = qmc.Sobol(d=len(names), scramble=True, seed=settings.seed)
    m = int(math.ceil(math.log2(max(settings.n_candidates, 2))))
    points = sampler.random_base2(m)[: settings.n_candidates]
    lo = np.log([settings.prior_box[n][0] for n in names])
    hi = np.log([settings.prior_box[n][1] for n in names])
    values = np.exp(lo + points * (hi - lo))
    return [dict(zip(names, map(float, row), strict=True)) for row in values]


def _stage_values(stage: str, spec: PopulationSpec, settings: CalibrationSettings) -> dict:
    if stage == "treg":
        return T.treg_targets(spec)
    if stage == "natural_history":
        return T.natural_history(spec, settings.natural_history_n, settings.seed)
    if stage == "pilot":
        return T.pilot(spec, settings.pilot_n, settings.seed)
    return T.placebo_and_baricitinib(spec, settings.trial_n, settings.seed)


def evaluate_member(member: dict[str, float], settings: CalibrationSettings) -> dict:
    """Target values of one candidate, stage by stage; stops at the first stage that misses."""
    spec = PopulationSpec().with_member(member)
    values: dict[str, float] = {}
    for stage, names in STAGES:
        values.update(_stage_values(stage, spec, settings))
        if not all(T.within(n, values[n]) for n in names):
            return {"values": values, "accepted": False, "failed_stage": stage}
    return {"values": values, "accepted": True, "failed_stage": None}


def _worker_init() -> None:
    import numba

    numba.set_num_threads(1)


def _evaluate_indexed(args):
    index, member, settings = args
    return index, evaluate_member(member, settings)


@dataclass(frozen=True)
class CalibrationResult:
    """Accepted members, every candidate's values, and how it was made."""

    settings: CalibrationSettings
    members: list[dict[str, float]]
    member_values: list[dict[str, float]]
    n_evaluated: int
    failed_stages: dict[str, int]

    def table(self) -> list[dict]:
        """target / source value / model median and range over the ensemble / tolerance / pass."""
        rows = []
        for name, target in T.load_targets().items():
            vals = np.array([v[name] for v in self.member_values if name in v], dtype=float)
            lo, hi = target["tolerance"]
            rows.append(
                {
                    "target": name,
                    "published": target["value"],
                    "model_median": float(np.median(vals)) if len(vals) else float("nan"),
                    "model_min": float(vals.min()) if len(vals) else float("nan"),
                    "model_max": float(vals.max()) if len(vals) else float("nan"),
                    "tolerance": [lo, hi],
                    "pass": bool(len(vals) and np.all((vals >= lo) & (vals <= hi))),
                    "source": target["source"],
                }
            )
        return rows

    def document(self) -> dict:
        """The JSON document shipped as ``data/calibrated_ensemble.json``."""
        status = "calibrated" if self.members and all(r["pass"] for r in self.table()) else "failed"
        settings = asdict(self.settings)
        settings["prior_box"] = {k: list(v) for k, v in self.settings.prior_box.items()}
        return {
            "status": status,
            "version": __version__,
            "seed": self.settings.seed,
            "method": "Sobol candidates in a prior box, rejection against data/targets.yaml "
            "(Allen, Rieger & Musante 2016, doi:10.1002/psp4.12063)",
            "settings": settings,
            "n_evaluated": self.n_evaluated,
            "failed_stages": self.failed_stages,
            "targets": self.table(),
            "members": self.members,
            "member_values": self.member_values,
        }


def calibrate(
    settings: CalibrationSettings,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CalibrationResult:
    """Evaluate candidates (in candidate order) until ``ensemble_size`` are accepted."""
    candidates = candidate_members(settings)
    results: dict[int, dict] = {}
    needed = settings.ensemble_size

    def accepted_prefix() -> int:
        count = 0
        for i in range(len(candidates)):
            if i not in results:
                return -1
            count += results[i]["accepted"]
            if count >= needed:
                return i + 1
        return len(candidates)

    jobs = [(i, m, settings) for i, m in enumerate(candidates)]
    if workers and workers > 1:
        ctx = get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init) as pool:
            pending = {}
            it = iter(jobs)
            for job in [next(it, None) for _ in range(2 * workers)]:
                if job is not None:
                    pending[pool.submit(_evaluate_indexed, job)] = job[0]
            while pending:
                done = next(iter(_as_completed(pending)))
                pending.pop(done)
                index, value = done.result()
                results[index] = value
                if progress:
                    progress(len(results), len(candidates))
                _log_accepted(results)
                if accepted_prefix() > 0:
                    for f in pending:
                        f.cancel()
                    break
                job = next(it, None)
                if job is not None:
                    pending[pool.submit(_evaluate_indexed, job)] = job[0]
    else:
        for job in jobs:
            index, value = _evaluate_indexed(job)
            results[index] = value
            if progress:
                progress(len(results), len(candidates))
            if accepted_prefix() > 0:
                break
    stop = accepted_prefix()
    stop = len(candidates) if stop < 0 else stop
    kept = [i for i in range(stop) if results[i]["accepted"]]
    failed: dict[str, int] = {}
    for i in range(stop):
        stage = results[i]["failed_stage"]
        if stage:
            failed[stage] = failed.get(stage, 0) + 1
    return CalibrationResult(
        settings=settings,
        members=[candidates[i] for i in kept],
        member_values=[results[i]["values"] for i in kept],
        n_evaluated=stop,
        failed_stages=failed,
    )


def _log_accepted(results: dict[int, dict]) -> None:
    import logging

    accepted = sum(r["accepted"] for r in results.values())
    logging.getLogger("tregsim.calibration").info(
        "evaluated %d candidates, accepted %d", len(results), accepted
    )


def _as_completed(pending):
    from concurrent.futures import FIRST_COMPLETED, wait

    done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
    return sorted(done, key=lambda f: pending[f])


def print_table(result: CalibrationResult) -> None:
    """Print target / published / model (ensemble median and range) / tolerance / pass."""
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"Calibration: {len(result.members)} members from "
        f"{result.n_evaluated} candidates (seed {result.settings.seed})"
    )
    for col in ("target", "published", "model median [min, max]", "tolerance", "pass"):
        table.add_column(col)
    for row in result.table():
        table.add_row(
            row["target"],
            f"{row['published']:g}",
            f"{row['model_median']:.3g} [{row['model_min']:.3g}, {row['model_max']:.3g}]",
            f"[{row['tolerance'][0]:g}, {row['tolerance'][1]:g}]",
            "yes" if row["pass"] else "NO",
        )
    Console().print(table)


def run_calibration(
    out_dir: str | os.PathLike,
    n_candidates: int = 400,
    seed: int = 2024,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    ensemble_size: int = 100,
    settings: CalibrationSettings | None = None,
) -> CalibrationResult:
    """Run the calibration and write ``calibrated_ensemble.json`` into ``out_dir``.

    Copy that file to ``src/tregsim/data/`` to ship it (``make calibrate`` does).
    """
    settings = settings or CalibrationSettings(
        n_candidates=n_candidates, ensemble_size=ensemble_size, seed=seed
    )
    result = calibrate(settings, workers=workers, progress=progress)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "calibrated_ensemble.json").write_text(json.dumps(result.document(), indent=1) + "\n")
    print_table(result)
    return result
