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


@pytest.fixture
def ctrl_c_raises():
    """Python's default Ctrl-C handler for the test, whatever the launcher left: a shell
    that starts pytest in the background (``make test &``) makes it ignore SIGINT, and a
    test that sends itself SIGINT would then see nothing."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)
