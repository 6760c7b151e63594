"""How much memory a run needs, checked before any work.

A run keeps every patient-visit row of every replicate (the patients table, then the ADaM
tables written from it), and one replicate solves all its patients together. Both grow
with the scenario: the rows with ``replicates x population.n x visits``, the solver with
``population.n x visits x states``. :func:`check_memory` refuses a run whose estimate does
not fit in the memory available, naming the field to change, instead of dying part way
through with an internal MemoryError.
"""

from __future__ import annotations

import os

from tregsim.errors import TregsimInputError
from tregsim.model import MODEL
from tregsim.protocol import Scenario
from tregsim.trial.visits import visit_weeks

#: Bytes per patient-visit row kept for the whole run: the patients table (about 180 B a row
#: measured with pandas ``memory_usage(deep=True)`` on a phrc-2016 run), its Arrow copy for
#: Parquet, and the ADaM rows written from it (one per parameter); rounded up.
ROW_BYTES = 1_000
#: Bytes per patient, visit and state while one replicate is solved (the saved states and
#: the solver's work arrays; screening solves up to about twice the enrolled number).
SOLVER_BYTES = 8 * 8
#: Share of the available memory a run may plan to use.
USABLE_SHARE = 0.8


def available_memory() -> int | None:
    """Bytes of memory available now (``MemAvailable`` on Linux), or None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory_estimate(scenario: Scenario, replicates: int) -> tuple[int, int]:
    """(bytes kept for the whole run, bytes to solve one replicate)."""
    n = scenario.population.n
    visits = len(visit_weeks(scenario))
    run = int(replicates) * n * visits * ROW_BYTES
    replicate = 2 * n * visits * MODEL.n_states * SOLVER_BYTES
    return run, replicate


def check_memory(scenario: Scenario, replicates: int, available: int | None = None) -> None:
    """TregsimInputError naming ``population.n`` or ``--replicates`` when the run would not
    fit in the memory available (``available`` bytes; default: measured now)."""
    available = available_memory() if available is None else available
    if available is None:
        return
    usable = USABLE_SHARE * available
    run, replicate = memory_estimate(scenario, replicates)
    gib = 2.0**30
    n = scenario.population.n
    if replicate + run / max(int(replicates), 1) > usable:
        fits = max(1, int(n * usable / (replicate + run / max(int(replicates), 1))))
        raise TregsimInputError(
            f"population.n ({n}) needs about {(replicate + run / replicates) / gib:.1f} GiB per "
            f"replicate trial but {available / gib:.1f} GiB of memory is available; use at most "
            f"about population.n={fits} or a machine with more memory",
            field="population.n",
        )
    if run + replicate > usable:
        fits = max(1, int(usable - replicate) // max(run // int(replicates), 1))
        raise TregsimInputError(
            f"--replicates {replicates} keeps about {run / gib:.1f} GiB of patient rows but "
            f"{available / gib:.1f} GiB of memory is available; use at most about "
            f"--replicates {fits}, or run several smaller runs with different --seed values",
            field="--replicates",
        )
