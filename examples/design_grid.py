"""Power of SALT50 at week 52 by sample size and IL-2 regimen (a design-grid campaign).

    python examples/design_grid.py --replicates 500 --workers 2 --out results/grid
    python examples/design_grid.py --quick --out /tmp/grid   # 2 cells, 2 replicates (a test)

Each cell (sample size x regimen) is one campaign in the run catalogue; all cells share the
seed, so the grid is a common-random-numbers design. See docs/campaigns.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from tregsim import load_scenario, run_trial

SIZES = [40, 80, 120, 160, 200]
REGIMENS = {
    "pilot": [],  # courses as in the scenario: 1.5 MIU, then 3 MIU
    "flat_3miu": ["regimens.il2_pilot.courses.0.dose=3.0"],
}


def main() -> None:
    """Run every cell of the grid and write power.csv."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--out", type=Path, default=Path("results/grid"))
    parser.add_argument(
        "--quick", action="store_true", help="one small size, 2 replicates, in process"
    )
    args = parser.parse_args()
    sizes = [12] if args.quick else SIZES
    if args.quick:
        args.replicates, args.workers = 2, None
    rows, start = [], time.perf_counter()
    for regimen, overrides in REGIMENS.items():
        for n in sizes:
            scenario = load_scenario("phrc-2016", [f"population.n={n}", *overrides])
            result = run_trial(
                scenario, args.replicates, args.seed, workers=args.workers, progress=False
            )
            result.write(args.out / f"{regimen}-n{n}")
            primary = next(c for c in result.summary["comparisons"].values() if c["primary"])
            rows.append(
                {
                    "regimen": regimen,
                    "n": n,
                    "power": primary["power"],
                    "power_se": primary["power_se"],
                    "effect_mean": primary["estimate_mean"],
                    "run_id": result.run_id,
                }
            )
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "power.csv", index=False)
    print(table.pivot(index="n", columns="regimen", values="power"))
    print(
        f"{len(rows)} campaigns x {args.replicates} replicates in "
        f"{time.perf_counter() - start:.0f} s"
    )


if __name__ == "__main__":
    main()
