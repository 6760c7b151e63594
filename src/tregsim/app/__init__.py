"""``tregsim app``: an interactive trial explorer in the browser (Shiny for Python).

Modules: :mod:`~tregsim.app.layout` (the page and the design form),
:mod:`~tregsim.app.server` (reactions to inputs), :mod:`~tregsim.app.form` (fields ->
``--set`` overrides -> validated scenario, the CLI's messages), :mod:`~tregsim.app.runner`
(background runs with progress and cancel), :mod:`~tregsim.app.typical` (the typical
patient), :mod:`~tregsim.app.uploads` (safe, size-limited YAML uploads),
:mod:`~tregsim.app.exports` (YAML, the ``tregsim run`` command, data) and
:mod:`~tregsim.app.views` (HTML of the results).

Public entry points: :func:`create_app` (a Shiny ``App``, an ASGI application) and
:func:`serve` (run it with uvicorn; ``tregsim app`` calls it).
"""

from __future__ import annotations

import ipaddress
import threading
from typing import Any

__all__ = ["DEFAULT_SCENARIO", "create_app", "is_loopback", "serve"]

#: The scenario the app opens with.
DEFAULT_SCENARIO = "phrc-2016"


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _thread_safe_solver() -> None:
    """Ask numba for a thread-safe parallel backend (runs and the typical patient solve in
    different threads); numba's fallback 'workqueue' layer is not safe for that."""
    import importlib

    import numba

    for module in ("numba.np.ufunc.tbbpool", "numba.np.ufunc.omppool"):
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        numba.config.THREADING_LAYER = "threadsafe"
        return


def create_app(default: str = DEFAULT_SCENARIO, warm: bool = True) -> Any:
    """The Shiny app; ``warm`` loads the compiled solver kernels in the background."""
    import matplotlib

    matplotlib.use("Agg")
    from shiny import App

    from tregsim.app.layout import page
    from tregsim.app.server import make_server
    from tregsim.app.typical import TrajectoryCache, warm_up
    from tregsim.scenarios import list_scenarios

    _thread_safe_solver()
    if warm:
        threading.Thread(target=warm_up, name="tregsim-app-warm-up", daemon=True).start()
    names = list_scenarios()
    return App(page(names, default), make_server(default, TrajectoryCache()))


def serve(host: str = "127.0.0.1", port: int = 8050, log_level: str = "warning") -> None:
    """Serve the app with uvicorn until Ctrl-C (checks of host and port: ``tregsim app``)."""
    import uvicorn

    uvicorn.run(create_app(), host=host, port=port, log_level=log_level)
