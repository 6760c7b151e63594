"""The ``tregsim`` command line.

Every input is validated before any work starts. Bad input exits with code 2 and one plain
sentence on stderr naming the field and the fix; nothing is left in ``--out``. Results are
written into a temporary folder next to ``--out`` and moved into place at the end.
Unexpected internal errors exit with code 1 (``TREGSIM_DEBUG=1`` shows the traceback).

One module per command group; each registers its commands on :data:`tregsim.cli._app.app`
when imported below.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from tregsim.cli import app as _app_command  # noqa: F401 - register
from tregsim.cli import (  # noqa: F401 - register
    calibrate,
    compare,
    plot,
    resume,
    run,
    runs,
    scenarios,
    sensitivity,  # calib (#14)
    typical,
    validate,  # calib (#14)
)
from tregsim.cli._app import (
    _ABORT,
    _ARGV,
    _CLICK_ERROR,
    _NO_ARGS,
    _USAGE,
    _debug,
    _stderr,
    _Unavailable,
    app,
)
from tregsim.errors import TregsimInputError

__all__ = ["app", "main"]


def _version(value: bool) -> None:
    if value:
        from tregsim import __version__

        typer.echo(f"tregsim {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """In-silico trials of low-dose IL-2 in alopecia areata.

    Example: tregsim run phrc-2016 --out results/phrc-2016
    """


def _usage_message(exc: Any) -> str:
    message = " ".join(exc.format_message().split()).rstrip(".")
    ctx = exc.ctx
    command = ctx.command_path if ctx is not None else "tregsim"
    return f"error: {message}; run '{command} --help' for an example."


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``tregsim`` command (exit codes: 0 ok, 1 internal error, 2 bad input)."""
    _ARGV[:] = list(argv) if argv is not None else sys.argv[1:]
    command = typer.main.get_command(app)
    code = 0
    try:
        result = command.main(
            args=list(argv) if argv is not None else None,
            prog_name="tregsim",
            standalone_mode=False,
        )
        code = result if isinstance(result, int) else 0
    except TregsimInputError as exc:
        _stderr(f"error: {exc}")
        code = 2
    except _NO_ARGS as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
        code = 0
    except _USAGE as exc:
        _stderr(_usage_message(exc))
        code = 2
    except _CLICK_ERROR as exc:
        _stderr(f"error: {exc.format_message()}")
        code = exc.exit_code
    except _ABORT as exc:
        detail = " ".join(str(exc).split())
        _stderr(f"error: {detail}" if detail else "error: interrupted; nothing was written.")
        code = 130
    except _Unavailable as exc:
        _stderr(f"error: {exc}.")
        code = 1
    except BrokenPipeError:
        code = 1
    except ModuleNotFoundError as exc:
        if _debug():
            traceback.print_exc()
        if not (exc.name or "").startswith("tregsim"):
            _stderr(
                f"error: the Python package {exc.name} is missing; run 'make install' (or pip "
                "install -e .) to install tregsim's dependencies."
            )
        else:
            _stderr(
                f"error: this installation of tregsim lacks {exc.name}; update tregsim "
                "(nothing was written)."
            )
        code = 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if _debug():
            traceback.print_exc()
        detail = " ".join(str(exc).split())[:200]
        _stderr(
            f"error: internal error ({type(exc).__name__}: {detail}); rerun with "
            "TREGSIM_DEBUG=1 for the traceback and report it."
        )
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
