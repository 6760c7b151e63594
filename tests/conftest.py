"""Shared test helpers: run the ``tregsim`` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


def _run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TREGSIM_DEBUG"}
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "tregsim.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


@pytest.fixture
def tregsim_cli() -> Callable[..., subprocess.CompletedProcess]:
    """``tregsim_cli("run", "phrc-2016", "--out", d)`` -> CompletedProcess (text)."""
    return _run_cli
