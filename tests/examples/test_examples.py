"""Every script in examples/ runs, in its quick mode, and writes what it promises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def test_design_grid_quick(tmp_path):
    env = {
        **os.environ,
        "TREGSIM_HOME": str(tmp_path / "home"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    out = tmp_path / "grid"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "design_grid.py"), "--quick", "--out", str(out)],
        check=True,
        env=env,
        timeout=600,
        capture_output=True,
    )
    table = pd.read_csv(out / "power.csv")
    assert list(table["n"]) == [12, 12] and table["power"].between(0, 1).all()
    assert (out / "pilot-n12" / "summary.json").is_file()


def test_every_example_has_a_test():
    scripts = {p.stem for p in (ROOT / "examples").glob("*.py")}
    tested = {"design_grid"}
    assert scripts == tested, f"add a quick-mode test for {sorted(scripts - tested)}"
