"""Liveness of recorded runs (stale detection), SIGTERM as Ctrl-C, heartbeats."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading

import pytest

from tregsim.errors import TregsimInputError
from tregsim.run_tracking import (
    STALE_AFTER_S,
    Heartbeat,
    Terminated,
    check_resumable,
    effective_status,
    host_name,
    interrupts_deferred,
    process_identity,
    signals_as_interrupt,
)


def _gone_pid() -> int:
    """The pid of a process that has exited and been collected."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _row(**fields):
    return {"run_id": "r1", "status": "running", **fields}


def test_a_running_run_whose_process_is_gone_is_stale():
    assert effective_status(_row(**process_identity())) == "running"
    assert effective_status(_row(pid=_gone_pid(), host=host_name())) == "stale"
    reused = {**process_identity(), "pid_started": "not-this-process"}
    assert effective_status(_row(**reused)) == "stale"  # the pid now belongs to another
    for status in ("interrupted", "done", "failed"):
        assert effective_status(_row(status=status, pid=_gone_pid(), host=host_name())) == status


def test_a_zombie_driver_counts_as_gone():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        while True:  # exited but not collected: a zombie
            with open(f"/proc/{proc.pid}/stat") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
        assert effective_status(_row(pid=proc.pid, host=host_name())) == "stale"
    finally:
        proc.wait()


def test_other_hosts_are_judged_by_their_heartbeat():
    now = dt.datetime(2026, 12, 2, 12, 0, 0)
    fresh = now - dt.timedelta(seconds=STALE_AFTER_S - 1)
    old = now - dt.timedelta(seconds=STALE_AFTER_S + 1)
    remote = {"pid": 1, "host": host_name() + "-elsewhere"}
    assert effective_status(_row(**remote, heartbeat=fresh), now) == "running"
    assert effective_status(_row(**remote, heartbeat=old), now) == "stale"
    # a row recorded before pids and heartbeats were: judged by its creation time
    assert effective_status(_row(created=old), now) == "stale"


def test_sigterm_and_sighup_raise_terminated_then_handlers_come_back():
    before = signal.getsignal(signal.SIGTERM)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        with pytest.raises(Terminated) as info, signals_as_interrupt():
            os.kill(os.getpid(), signum)
            for _ in range(10**6):  # the handler runs between bytecodes
                pass
        assert info.value.signum == signum
        assert isinstance(info.value, KeyboardInterrupt)
    assert signal.getsignal(signal.SIGTERM) == before


def test_an_ignored_sighup_stays_ignored():
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with signals_as_interrupt():
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            assert callable(signal.getsignal(signal.SIGTERM))
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_sigterm_during_a_catalogue_operation_takes_effect_after_it():
    finished = []
    with pytest.raises(Terminated), signals_as_interrupt():
        with interrupts_deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(10**5):
                pass
            finished.append(True)
    assert finished == [True]


def test_heartbeat_beats_until_stopped():
    beats = threading.Semaphore(0)
    heart = Heartbeat(beats.release, every_s=0.01).start()
    assert beats.acquire(timeout=30) and beats.acquire(timeout=30)
    heart.stop()
    assert not heart._thread.is_alive()


@pytest.mark.parametrize(
    ("row", "kind", "match"),
    [
        ({"status": "done", "out_dir": "/"}, None, "already done .* in /\\)"),
        ({"status": "running", "pid": 7, "host": "h"}, None, "still running .*7 on h"),
        ({"status": "interrupted", "kind": "calibration"}, "campaign", "is a calibration run"),
    ],
)
def test_check_resumable_refuses_with_a_sentence(row, kind, match):
    with pytest.raises(TregsimInputError, match=match):
        check_resumable({"run_id": "r1", **row}, kind)
    check_resumable({"run_id": "r1", "status": "stale"}, "campaign")  # a legacy row is one


def test_a_done_run_whose_output_folder_is_missing_can_be_resumed(tmp_path):
    check_resumable({"run_id": "r1", "status": "done", "out_dir": str(tmp_path / "gone")})
    with pytest.raises(TregsimInputError, match="already done"):
        check_resumable({"run_id": "r1", "status": "done", "out_dir": str(tmp_path)})
