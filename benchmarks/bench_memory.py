"""Peak memory of a million patient-years: the issue-#4 bound (peak RSS under 4 GiB).

Not a test. Run from the repository root::

    .venv/bin/python benchmarks/bench_memory.py            # 502,000 patients x 104 weeks
    .venv/bin/python benchmarks/bench_memory.py --patients 50000   # a quick look

The pilot-2014 workload of ``bench_solver.py`` (20 IL-2 doses, disease-activity events
every 60 days, 11 visits over 2 years; ``workload.py``) for ``--patients`` patients, solved
by ``solve_in_chunks`` (working memory bounded by the chunk) saving the states that SALT is
computed from at the visits. Prints wall time, peak resident memory (``ru_maxrss``, the
whole process: inputs, event table, outputs) and the failed count; appends a line to
``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=502_000)  # x 1.993 y = 1.0e6
    parser.add_argument("--chunk-size", type=int, default=20_000)
    parser.add_argument("--results", default=str(ROOT / "benchmarks" / "results.md"))
    a = parser.parse_args(argv)

    from workload import pilot_workload

    from tregsim.model import MODEL
    from tregsim.solve import solve_in_chunks

    t = time.perf_counter()
    w = pilot_workload(a.patients)
    built = time.perf_counter() - t
    si = MODEL.state_index
    saved = [
        si[s]
        for s in ("anagen", "anagen_regrowing", "catagen", "telogen", "telogen_empty", "dystrophic")
    ]
    t = time.perf_counter()
    sol = solve_in_chunks(
        w.params, w.y0, w.events, w.save_times, save_states=saved, chunk_size=a.chunk_size
    )
    solved = time.perf_counter() - t
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
    years = a.patients * w.years
    line = (
        f"{a.patients:,} patients x {w.years:.2f} years = {years:,.0f} patient-years, "
        f"{len(w.events):,} events, chunks of {a.chunk_size:,}: inputs built in {built:.1f} s, "
        f"solved in {solved:.1f} s ({solved / a.patients * 1e6:.0f} us/patient), "
        f"peak RSS {peak_gib:.2f} GiB, failed {sol.n_failed}"
    )
    print(line)
    if a.results:
        import datetime
        import platform

        with open(a.results, "a") as fh:
            fh.write(
                f"\n## {datetime.date.today().isoformat()}, {platform.node()}: "
                f"bench_memory.py {' '.join(argv if argv is not None else sys.argv[1:])}\n\n"
                f"{line}\n"
            )


if __name__ == "__main__":
    main()
