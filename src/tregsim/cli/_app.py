"""The shared core of the ``tregsim`` command line: the typer app, input checks, staging.

Every command lives in its own module of this package and registers itself on :data:`app`.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from tregsim.errors import TregsimInputError
from tregsim.paths import publish, staged

app = typer.Typer(
    name="tregsim",
    help=(
        "In-silico trials of low-dose IL-2 in alopecia areata.\n\n"
        "Example: tregsim run phrc-2016 --out results/phrc-2016"
    ),
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _click_exception_modules() -> list[Any]:
    """click's exception modules: typer >= 0.20 vendors click as ``typer._click``."""
    modules = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        with contextlib.suppress(ImportError):
            modules.append(importlib.import_module(name))
    return modules


_CLICK = _click_exception_modules()
_NO_ARGS = tuple(m.NoArgsIsHelpError for m in _CLICK if hasattr(m, "NoArgsIsHelpError"))
_USAGE = tuple(m.UsageError for m in _CLICK)
_CLICK_ERROR = tuple(m.ClickException for m in _CLICK)
_ABORT = (KeyboardInterrupt, typer.Abort, *(m.Abort for m in _CLICK if hasattr(m, "Abort")))


class _Unavailable(Exception):
    """A part of tregsim that a command needs is not installed (exit 1)."""


# --------------------------------------------------------------------------- helpers


def _stderr(message: str) -> None:
    sys.stderr.write(" ".join(message.split()) + "\n")
    sys.stderr.flush()


def _debug() -> bool:
    return os.environ.get("TREGSIM_DEBUG", "").strip() not in ("", "0", "false", "no")


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _require(module: str, attribute: str, command: str) -> Callable[..., Any]:
    """Import ``module.attribute`` lazily; a missing tregsim part becomes a clear message."""
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing == module or module.startswith(missing + "."):
            raise _Unavailable(
                f"'tregsim {command}' needs {module}.{attribute}, which this installation of "
                "tregsim does not provide yet; update tregsim (nothing was written)"
            ) from None
        if missing.startswith("tregsim."):
            raise _Unavailable(
                f"'tregsim {command}' needs {missing} (imported by {module}), which this "
                "installation of tregsim does not provide yet; update tregsim (nothing was "
                "written)"
            ) from None
        raise
    function = getattr(loaded, attribute, None)
    if function is None:
        raise _Unavailable(
            f"'tregsim {command}' needs {module}.{attribute}, which this installation of "
            "tregsim does not provide yet; update tregsim (nothing was written)"
        )
    return function


def _load(scenario: str, sets: Sequence[str]) -> Any:
    from tregsim.scenarios import load_scenario

    return load_scenario(scenario, list(sets or ()))


def _check_int(option: str, value: int | None, minimum: int, fix: str) -> None:
    if value is not None and value < minimum:
        what = "a positive whole number" if minimum == 1 else f"at least {minimum}"
        raise TregsimInputError(f"{option} must be {what} (got {value}); {fix}", field=option)


def _check_float(option: str, value: float | None, fix: str) -> None:
    if value is None:
        return
    if not (value > 0) or value == float("inf"):
        raise TregsimInputError(
            f"{option} must be a positive number (got {value:g}); {fix}", field=option
        )


def _check_out(option: str, out: Path, want_dir: bool) -> None:
    """Fail before any work if ``out`` cannot be written."""
    text = str(out)
    if not text.strip():
        raise TregsimInputError(f"{option} is empty; give a path", field=option)
    if out.exists():
        if want_dir and not out.is_dir():
            raise TregsimInputError(
                f"{option} {text} is an existing file; give a directory path", field=option
            )
        if not want_dir and out.is_dir():
            raise TregsimInputError(
                f"{option} {text} is an existing directory; give a file path", field=option
            )
    ancestor = out.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise TregsimInputError(
            f"{option} {text} is inside {ancestor}, which is a file; choose another path",
            field=option,
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise TregsimInputError(
            f"{option} {text} cannot be written (no permission in {ancestor}); choose a "
            "writable location",
            field=option,
        )
    try:  # the only sure test (root, read-only or special file systems): write a file there
        handle, probe = tempfile.mkstemp(prefix=".tregsim-probe-", dir=ancestor)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise TregsimInputError(
            f"{option} {text} cannot be written ({error.strerror or type(error).__name__} in "
            f"{ancestor}); choose a writable location",
            field=option,
        ) from None


# The one atomic writer (tregsim.paths.staged), under the names the command modules use.
_staged = staged
_publish = publish


def _progress_bar(quiet: bool, label: str) -> contextlib.AbstractContextManager[Any]:
    """A context manager yielding ``progress(done, total)`` or ``None`` when quiet."""
    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar() -> Iterator[Callable[[int, int], None]]:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            f"[bold]{label}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_console(stderr=True),
            transient=True,
        ) as progress:
            task = progress.add_task(label, total=None)

            def update(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            yield update

    return bar()


#: ``tregsim run`` without --workers: a local cluster from this many replicates on (below,
#: the ~3 s cluster start-up is not worth it). phrc-2016, 1000 replicates, 2 cores: 108 s in
#: one process (numba's 2 threads in the solver only), 86 s with 2 workers.
AUTO_WORKERS_REPLICATES = 200
AUTO_WORKERS_MAX = 8


_SCHEDULER = re.compile(r"^tcp://[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.]*$")

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a scenario field, dotted.key=value (repeatable), e.g. population.n=120.",
        show_default=False,
    ),
]
SchedulerOption = Annotated[
    str | None, typer.Option("--scheduler", help="Dask scheduler address tcp://HOST:PORT.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def _times(days: float, step: float) -> Any:
    import numpy as np

    count = int(np.floor(days / step + 1e-9))
    times = np.arange(count + 1, dtype=float) * step
    if times[-1] < days - 1e-9:
        times = np.append(times, days)
    return times


# --------------------------------------------------------------------------- commands


_ARGV: list[str] = []
