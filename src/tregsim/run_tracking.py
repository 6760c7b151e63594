"""Is a recorded run still alive? Process identity, stale detection, heartbeats, SIGTERM.

A long run (a campaign, a calibration) records in the catalogue the process that drives it:
its ``pid``, the ``host`` it runs on and the process's start time (``pid_started``, so a pid
reused by another program is not mistaken for the run), and refreshes a ``heartbeat``
timestamp while it works. A row whose status is ``running`` is shown as ``stale`` when

- it runs on this host and its process is gone (or the pid now belongs to another process), or
- it runs on another host (or recorded no pid) and its heartbeat is older than
  :data:`STALE_AFTER_S`.

A stale run's finished chunks are on disk and it can be resumed like an interrupted one.

SIGTERM (a batch scheduler, ``kill``, the OOM killer's parent) and SIGHUP (a closed
terminal) are turned into :class:`Terminated`, a ``KeyboardInterrupt``, while
:func:`signals_as_interrupt` is active, so they end a run exactly like Ctrl-C: finished work
kept, run marked ``interrupted``. SIGKILL cannot be caught; such a run shows as ``stale``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

#: Seconds between heartbeats of a running run (:class:`Heartbeat`).
HEARTBEAT_S = 30.0
#: A running run whose heartbeat is older than this, and whose process cannot be checked
#: (another host, or no pid recorded), is shown as ``stale``: ten missed heartbeats.
STALE_AFTER_S = 10 * HEARTBEAT_S
#: Signals handled like Ctrl-C while :func:`signals_as_interrupt` is active.
TERMINATING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Terminated(KeyboardInterrupt):  # noqa: N818 - a KeyboardInterrupt, named as the event
    """SIGTERM or SIGHUP received while a run was going on (``signum`` says which)."""

    def __init__(self, signum: int):
        self.signum = int(signum)
        super().__init__(f"stopped by {signal.Signals(self.signum).name}")


def host_name() -> str:
    """This machine's host name, as recorded in the catalogue."""
    return socket.gethostname()


def _proc_stat(pid: int) -> list[str] | None:
    """Fields 3.. of Linux ``/proc/PID/stat`` (state first); None where it cannot be read
    (another OS, no such process)."""
    try:
        with open(f"/proc/{int(pid)}/stat", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    return text[text.rfind(")") + 2 :].split()


def process_started(pid: int) -> str | None:
    """Start time of process `pid` in clock ticks since boot (``/proc/PID/stat`` field 22),
    as text; None where it cannot be read."""
    fields = _proc_stat(pid)
    return fields[19] if fields is not None and len(fields) > 19 else None


def process_identity() -> dict[str, Any]:
    """``{"pid", "host", "pid_started"}`` of this process, for the catalogue."""
    pid = os.getpid()
    return {"pid": pid, "host": host_name(), "pid_started": process_started(pid)}


def _process_exists(pid: int) -> bool:
    """Whether process `pid` exists and has not exited (a zombie, exited but not yet
    collected by its parent, counts as gone)."""
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        pass
    fields = _proc_stat(pid)
    return not (fields and fields[0] in ("Z", "X"))


def is_alive(row: Mapping[str, Any], now: _dt.datetime | None = None) -> bool:
    """Whether the process that drives the run in `row` (a catalogue row) still runs."""
    pid, host = row.get("pid"), row.get("host")
    if pid is not None and host == host_name():
        if not _process_exists(pid):
            return False
        recorded, current = row.get("pid_started"), process_started(pid)
        return recorded is None or current is None or recorded == current
    beat = row.get("heartbeat") or row.get("created")
    if beat is None:
        return False
    now = now or _dt.datetime.now()
    return (now - beat).total_seconds() <= STALE_AFTER_S


def effective_status(row: Mapping[str, Any], now: _dt.datetime | None = None) -> str:
    """The status to show: the recorded one, or ``stale`` for a ``running`` run whose
    process is gone (see :func:`is_alive`)."""
    status = row.get("status")
    if status == "running" and not is_alive(row, now):
        return "stale"
    return str(status)


@contextlib.contextmanager
def signals_as_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Terminated` (a KeyboardInterrupt) in the main thread
    while the block runs; the previous handlers come back after it. A signal that is ignored
    (``nohup`` ignores SIGHUP) stays ignored. Outside the main thread this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_terminated(signum: int, frame: Any) -> None:
        raise Terminated(signum)

    previous: dict[int, Any] = {}
    try:
        for signum in TERMINATING_SIGNALS:
            current = signal.getsignal(signum)
            if current != signal.SIG_IGN:
                previous[signum] = signal.signal(signum, raise_terminated)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def check_resumable(row: Mapping[str, Any], kind: str | None = None) -> None:
    """Raise TregsimInputError (exit 2) unless the run in `row` (a catalogue row, status as
    shown) can be resumed: it must be of `kind` (when given), not running, and not done
    (unless its recorded output folder is missing: it was stopped while writing it)."""
    from tregsim.errors import TregsimInputError

    run_id, status = row["run_id"], row["status"]
    if kind is not None and (row.get("kind") or "campaign") != kind:
        raise TregsimInputError(
            f"run {run_id} is a {row.get('kind')} run, not a {kind}; resume it with "
            f"'tregsim resume {run_id}'",
            field="RUN_ID",
        )
    out_dir = row.get("out_dir")
    if status == "done" and out_dir and not os.path.exists(out_dir):
        return  # stopped while writing its outputs: resuming loads every chunk and writes them
    if status == "done":
        where = f"in {out_dir}" if out_dir else "written"
        raise TregsimInputError(
            f"run {run_id} is already done (its results are {where}); start a new run instead "
            "of resuming it",
            field="RUN_ID",
        )
    if status == "running":
        raise TregsimInputError(
            f"run {run_id} is still running (process {row.get('pid')} on {row.get('host')}); "
            "wait for it or stop it (Ctrl-C or kill PID) before resuming it",
            field="RUN_ID",
        )


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back until the block is done, then deliver it.

    duckdb turns a SIGINT that arrives during a query into its own ``RuntimeError("Query
    interrupted")``, or drops it when the query ends first (seen under load: a campaign
    then ran to the end after Ctrl-C). A catalogue write is short, so the driver lets it
    finish and raises ``KeyboardInterrupt`` right after, where the campaign's handler
    marks the run interrupted. SIGTERM and SIGHUP are held back the same way while
    :func:`signals_as_interrupt` turns them into KeyboardInterrupt. Only in the main thread
    (the only one that gets Python's signal handlers); elsewhere the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    # SIGTERM / SIGHUP too, while signals_as_interrupt handles them.
    deferred = [signal.SIGINT] + [s for s in TERMINATING_SIGNALS if callable(signal.getsignal(s))]
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in deferred}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(caught):
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)  # the default SIGINT handler raises KeyboardInterrupt
            elif signum == signal.SIGINT and handler != signal.SIG_IGN:
                raise KeyboardInterrupt


class Heartbeat:
    """A daemon thread calling ``beat()`` every `every_s` seconds until :meth:`stop`
    (``RunStore.heartbeat(run_id)`` in practice); a failing beat is skipped, never fatal
    (the catalogue may be locked for a moment by another process)."""

    def __init__(self, beat: Callable[[], None], every_s: float = HEARTBEAT_S):
        self._beat = beat
        self._every_s = float(every_s)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tregsim-heartbeat", daemon=True)

    def _loop(self) -> None:
        while not self._stopped.wait(self._every_s):
            with contextlib.suppress(Exception):
                self._beat()

    def start(self) -> Heartbeat:
        """Start beating (the first beat comes after `every_s` seconds); returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop beating; returns once the thread has finished its current beat."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()
