"""``tregsim app``: serve the interactive trial explorer (Shiny) on this machine."""

from __future__ import annotations

import errno
import socket
from typing import Annotated

import typer

from tregsim.cli._app import _console, _stderr, app
from tregsim.errors import TregsimInputError


def _check_port(port: int, host: str) -> None:
    if not 1 <= port <= 65535:
        raise TregsimInputError(
            f"--port must be between 1 and 65535 (got {port}); use a free port, e.g. --port 8050",
            field="--port",
        )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                problem = "is already in use"
            elif exc.errno == errno.EACCES:
                problem = "needs administrator rights"
            else:
                problem = f"cannot be opened on {host} ({exc.strerror})"
            other = port + 1 if port < 65535 else 8050
            raise TregsimInputError(
                f"--port {port} {problem}; choose another port, e.g. --port {other}",
                field="--port",
            ) from None


@app.command("app")
def app_command(
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8050,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback only by default).")
    ] = "127.0.0.1",
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow a --host other than this machine (anyone who reaches it can run "
            "simulations; there is no login).",
        ),
    ] = False,
) -> None:
    """Serve the interactive trial explorer in your browser (Ctrl-C stops it).

    Edit a scenario, run replicate trials with progress and cancel, see the report's plots,
    the typical patient, compare designs, and export the YAML, command and data.

    Example: tregsim app --port 8050
    """
    from tregsim.app import is_loopback, serve

    if not host.strip():
        raise TregsimInputError("--host is empty; give an address such as 127.0.0.1", "--host")
    if not is_loopback(host):
        if not allow_remote:
            raise TregsimInputError(
                f"--host {host} is not this machine (loopback); the app has no login, so it "
                "serves 127.0.0.1 only unless you add --allow-remote",
                field="--host",
            )
        _stderr(
            f"warning: serving on {host} with --allow-remote: anyone who can reach this "
            "address can use the app and run simulations here (there is no login)."
        )
    _check_port(port, host)
    shown = f"[{host}]" if ":" in host else host
    _console(stderr=True).print(f"tregsim app: http://{shown}:{port} (Ctrl-C stops it)")
    serve(host=host, port=port)
