"""The run store: one directory per run and a DuckDB catalogue of all runs.

The store persists and does not render: :func:`tregsim.api.write_outputs` decides what a
run's output folder holds and writes it all or nothing (:func:`tregsim.paths.staged`),
with the file writers here (:func:`write_csv`, :func:`write_json`).

The catalogue is a single DuckDB file (default ``~/.local/share/tregsim/runs.duckdb``;
``$TREGSIM_HOME/runs.duckdb`` when the environment variable ``TREGSIM_HOME`` is set, or any
path passed as ``catalogue``) with one table::

    runs(run_id, scenario, scenario_hash, seed, replicates, chunk_size, version, status,
         created, finished, seconds, n_chunks_done, out_dir, run_dir, command,
         kind, n_chunks_total, pid, host, pid_started, heartbeat, resume)

``status`` is one of ``running``, ``interrupted``, ``done``, ``failed``; reads show a
``running`` run whose process is gone as ``stale`` (:mod:`tregsim.run_tracking`). ``kind``
says what ran (``campaign``, ``calibration``, ...); ``resume`` is the JSON record a command
needs to continue the run by its id alone (:meth:`RunStore.resume_record`).

A long job (a campaign, a calibration) uses it through :meth:`RunStore.start_run`,
:meth:`~RunStore.tracking`, :meth:`~RunStore.mark_progress`, :meth:`~RunStore.finish_run`,
:meth:`~RunStore.resume_record` and :meth:`~RunStore.reopen_run`; docs/runs.md shows how.

DuckDB lets one process at a time open a file for writing, so only the campaign driver writes
the catalogue (workers only write chunk files), and every operation opens the file, does its
work and closes it again; a second ``tregsim runs`` or a second driver waits briefly for the
lock instead of failing.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from tregsim.errors import TregsimInputError
from tregsim.paths import new_run_id, tregsim_home
from tregsim.protocol import Scenario
from tregsim.run_tracking import (
    HEARTBEAT_S,
    Heartbeat,
    check_resumable,
    effective_status,
    interrupts_deferred,
    process_identity,
    signals_as_interrupt,
)

#: Values a run's ``status`` takes.
STATUSES = ("running", "interrupted", "done", "failed")

#: Columns added after the first release: catalogues without them gain them when next opened
#: for writing (older rows read as NULL).
_ADDED_COLUMNS = {
    "kind": "VARCHAR",
    "n_chunks_total": "BIGINT",
    "pid": "BIGINT",
    "host": "VARCHAR",
    "pid_started": "VARCHAR",
    "heartbeat": "TIMESTAMP",
    "resume": "VARCHAR",
}
_COLUMNS = (
    "run_id",
    "scenario",
    "scenario_hash",
    "seed",
    "replicates",
    "chunk_size",
    "version",
    "status",
    "created",
    "finished",
    "seconds",
    "n_chunks_done",
    "out_dir",
    "run_dir",
    "command",
    *_ADDED_COLUMNS,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    scenario VARCHAR,
    scenario_hash VARCHAR,
    seed BIGINT,
    replicates BIGINT,
    chunk_size BIGINT,
    version VARCHAR,
    status VARCHAR,
    created TIMESTAMP,
    finished TIMESTAMP,
    seconds DOUBLE,
    n_chunks_done BIGINT,
    out_dir VARCHAR,
    run_dir VARCHAR,
    command VARCHAR
)
"""
_interrupts_deferred = interrupts_deferred  # its former name
#: One catalogue operation at a time in this process (the heartbeat thread and the driver).
_LOCK = threading.RLock()


def default_catalogue_path(home: str | os.PathLike[str] | None = None) -> Path:
    """Path of the DuckDB catalogue file: ``<tregsim_home(home)>/runs.duckdb``."""
    return tregsim_home(home) / "runs.duckdb"


def scenario_payload(scenario: Any) -> Any:
    """The scenario as plain JSON-able data (a Scenario's own :meth:`~Scenario.payload`;
    a dataclass or mapping as it is)."""
    if isinstance(scenario, Scenario):
        return scenario.payload()
    if is_dataclass(scenario) and not isinstance(scenario, type):
        return asdict(scenario)
    if isinstance(scenario, Mapping):
        return dict(scenario)
    raise TypeError(
        f"scenario must be a tregsim Scenario, a dataclass or a mapping, got {type(scenario)!r}"
    )


def canonical_scenario_json(scenario: Any) -> str:
    """Canonical JSON text of a scenario (:meth:`Scenario.canonical_json`, which owns it)."""
    if isinstance(scenario, Scenario):
        return scenario.canonical_json()
    return json.dumps(
        scenario_payload(scenario), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def scenario_hash(scenario: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of the scenario (:meth:`Scenario.content_hash`)."""
    if isinstance(scenario, Scenario):
        return scenario.content_hash()
    return hashlib.sha256(canonical_scenario_json(scenario).encode("utf-8")).hexdigest()


def _now() -> _dt.datetime:
    return _dt.datetime.now()


class RunStore:
    """The DuckDB catalogue of runs at `catalogue` (a file path; default
    :func:`default_catalogue_path`). Each call opens and closes the file."""

    def __init__(self, catalogue: str | os.PathLike[str] | None = None, *, lock_timeout_s=30.0):
        self.path = Path(catalogue).expanduser() if catalogue else default_catalogue_path()
        self.lock_timeout_s = float(lock_timeout_s)

    def __repr__(self) -> str:
        return f"RunStore({str(self.path)!r})"

    # -- connection -----------------------------------------------------------------------
    def _connect(self, read_only: bool = False):
        import duckdb

        if read_only and not self.path.exists():
            read_only = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout_s
        delay = 0.02
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=read_only)
                break
            except duckdb.IOException as exc:  # another process holds the file lock
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        if not read_only:
            try:
                con.execute(_SCHEMA)
                _add_missing_columns(con)
            except BaseException:  # e.g. Ctrl-C: never leave a connection open behind it
                con.close()
                raise
        return con

    @contextmanager
    def _connection(self, read_only: bool = False) -> Iterator[Any]:
        """An open connection for one catalogue operation, closed after it; Ctrl-C during the
        operation takes effect right after it (:func:`tregsim.run_tracking.interrupts_deferred`);
        one operation at a time in this process."""
        with _LOCK, interrupts_deferred():
            con = self._connect(read_only=read_only)
            try:
                yield con
            finally:
                con.close()

    def _execute(self, sql: str, params: list[Any]) -> None:
        with self._connection() as con:
            con.execute(sql, params)

    # -- writes (driver only) -------------------------------------------------------------
    def start_run(
        self,
        *,
        run_dir: str | os.PathLike[str],
        scenario: Any = None,
        seed: int | None = None,
        replicates: int | None = None,
        chunk_size: int | None = None,
        run_id: str | None = None,
        out_dir: str | os.PathLike[str] | None = None,
        command: str | None = None,
        version: str | None = None,
        kind: str = "campaign",
        name: str | None = None,
        n_chunks_total: int | None = None,
        resume: Mapping[str, Any] | None = None,
    ) -> str:
        """Record a new run with status ``running`` and this process as its driver (pid,
        host, start time, heartbeat); returns its run id. `kind` names what runs
        (``campaign``, ``calibration``); `name` defaults to the scenario's name;
        `n_chunks_total` is the number of units of work (progress shows done / total);
        `resume` is any JSON-able record the command needs to resume the run by id."""
        if version is None:
            from tregsim import __version__ as version
        run_id = run_id or new_run_id()
        fields = {
            "run_id": run_id,
            "scenario": name or (_scenario_name(scenario) if scenario is not None else kind),
            "scenario_hash": None if scenario is None else scenario_hash(scenario),
            "seed": None if seed is None else int(seed),
            "replicates": None if replicates is None else int(replicates),
            "chunk_size": None if chunk_size is None else int(chunk_size),
            "version": version,
            "status": "running",
            "created": _now(),
            "seconds": 0.0,
            "n_chunks_done": 0,
            "out_dir": None if out_dir is None else str(out_dir),
            "run_dir": str(run_dir),
            "command": command,
            "kind": kind,
            "n_chunks_total": None if n_chunks_total is None else int(n_chunks_total),
            **process_identity(),
            "heartbeat": _now(),
            "resume": None if resume is None else json.dumps(dict(resume), sort_keys=True),
        }
        names = ", ".join(fields)
        marks = ", ".join("?" * len(fields))
        self._execute(f"INSERT INTO runs ({names}) VALUES ({marks})", list(fields.values()))
        return run_id

    def mark_progress(self, run_id: str, done: int, total: int | None = None) -> None:
        """Set how many units of work (chunks, generations) a run has finished, and the
        total if given (absolute counts: repeating a call never counts twice); refreshes
        the heartbeat."""
        sets, params = "n_chunks_done = ?, heartbeat = ?", [int(done), _now()]
        if total is not None:
            sets, params = sets + ", n_chunks_total = ?", [*params, int(total)]
        self._execute(f"UPDATE runs SET {sets} WHERE run_id = ?", [*params, run_id])

    def mark_chunk_done(self, run_id: str, n_chunks_done: int) -> None:
        """Set the number of finished chunks of a run (:meth:`mark_progress`)."""
        self.mark_progress(run_id, n_chunks_done)

    def heartbeat(self, run_id: str) -> None:
        """Record that the run's driver is alive now."""
        self._execute(
            "UPDATE runs SET heartbeat = ? WHERE run_id = ? AND status = 'running'",
            [_now(), run_id],
        )

    @contextmanager
    def tracking(self, run_id: str, every_s: float = HEARTBEAT_S) -> Iterator[None]:
        """While the block runs: a heartbeat every `every_s` seconds, and SIGTERM / SIGHUP
        raise KeyboardInterrupt like Ctrl-C (:mod:`tregsim.run_tracking`); the caller marks
        the run interrupted in its ``except KeyboardInterrupt``."""
        beat = Heartbeat(lambda: self.heartbeat(run_id), every_s).start()
        try:
            with signals_as_interrupt():
                yield
        finally:
            beat.stop()

    def reopen_run(self, run_id: str) -> None:
        """Mark a resumed run ``running`` again, driven by this process."""
        identity = process_identity()
        self._execute(
            "UPDATE runs SET status = 'running', finished = NULL, pid = ?, host = ?, "
            "pid_started = ?, heartbeat = ? WHERE run_id = ?",
            [identity["pid"], identity["host"], identity["pid_started"], _now(), run_id],
        )

    def resume_record(self, run_id: str, kind: str | None = None) -> dict[str, Any]:
        """The catalogue row of a run that can be resumed, with ``resume`` parsed into a dict
        (``{}`` for runs recorded without one). TregsimInputError (exit 2 on the command
        line) when the run is unknown, of another `kind`, done, or still running."""
        row = self.get_run(run_id)
        check_resumable(row, kind)
        row["resume"] = json.loads(row["resume"]) if row["resume"] else {}
        return row

    def set_status(self, run_id: str, status: str, *, seconds: float | None = None) -> None:
        """Set a run's status (one of :data:`STATUSES`), and its total seconds if given."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
        finished = _now() if status != "running" else None
        if seconds is None:
            self._execute(
                "UPDATE runs SET status = ?, finished = ? WHERE run_id = ?",
                [status, finished, run_id],
            )
        else:
            self._execute(
                "UPDATE runs SET status = ?, finished = ?, seconds = ? WHERE run_id = ?",
                [status, finished, float(seconds), run_id],
            )

    def finish_run(
        self,
        run_id: str,
        *,
        status: str = "done",
        seconds: float | None = None,
        n_chunks_done: int | None = None,
        out_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        """Close a run: status (default ``done``), finish time, seconds, chunks, out_dir."""
        if status not in STATUSES or status == "running":
            raise ValueError(f"finish status must be done, interrupted or failed, got {status!r}")
        sets = ["status = ?", "finished = ?"]
        params: list[Any] = [status, _now()]
        for column, value in (
            ("seconds", None if seconds is None else float(seconds)),
            ("n_chunks_done", None if n_chunks_done is None else int(n_chunks_done)),
            ("out_dir", None if out_dir is None else str(out_dir)),
        ):
            if value is not None:
                sets.append(f"{column} = ?")
                params.append(value)
        params.append(run_id)
        self._execute(f"UPDATE runs SET {', '.join(sets)} WHERE run_id = ?", params)

    # -- reads ----------------------------------------------------------------------------
    def list_runs(self):
        """All runs, newest first, as a pandas DataFrame (what ``tregsim runs`` prints)."""
        import pandas as pd

        if not self.path.exists():
            return pd.DataFrame(columns=list(_COLUMNS))
        with self._connection(read_only=True) as con:
            frame = con.execute("SELECT * FROM runs ORDER BY created DESC, run_id DESC").df()
        frame = frame.reindex(columns=list(_COLUMNS)).astype(object)
        frame = frame.where(frame.notna(), None)
        if len(frame):
            now = _now()
            frame["status"] = [effective_status(row, now) for row in frame.to_dict("records")]
        return frame

    def get_run(self, run_id: str) -> dict[str, Any]:
        """One run's catalogue row as a dict; KeyError naming the run id if it is unknown."""
        row = names = None
        if self.path.exists():
            with self._connection(read_only=True) as con:
                cursor = con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id])
                row, names = cursor.fetchone(), [d[0] for d in cursor.description]
        if row is None:
            raise UnknownRun(
                f"no run {run_id!r} in the catalogue {self.path}; `tregsim runs` lists the runs",
                field="RUN_ID",
            )
        record = dict.fromkeys(_COLUMNS) | dict(zip(names, row, strict=True))
        record["status"] = effective_status(record)
        return record


class UnknownRun(TregsimInputError, KeyError):  # noqa: N818 - reads as "no such run"
    """A run id the catalogue does not hold (a KeyError and an input error, exit 2)."""


def _add_missing_columns(con: Any) -> None:
    """Add the columns of :data:`_ADDED_COLUMNS` that an older catalogue lacks."""
    present = {row[1] for row in con.execute("PRAGMA table_info('runs')").fetchall()}
    for column, sql_type in _ADDED_COLUMNS.items():
        if column not in present:
            con.execute(f"ALTER TABLE runs ADD COLUMN {column} {sql_type}")


def _scenario_name(scenario: Any) -> str:
    if isinstance(scenario, Mapping):
        return str(scenario.get("name", "scenario"))
    return str(getattr(scenario, "name", "scenario"))


def _store(catalogue: str | os.PathLike[str] | RunStore | None) -> RunStore:
    return catalogue if isinstance(catalogue, RunStore) else RunStore(catalogue)


def list_runs(catalogue: str | os.PathLike[str] | RunStore | None = None):
    """All runs in the catalogue (default location) as a DataFrame, newest first."""
    return _store(catalogue).list_runs()


def get_run(run_id: str, catalogue: str | os.PathLike[str] | RunStore | None = None) -> dict:
    """One run's catalogue row as a dict."""
    return _store(catalogue).get_run(run_id)


def start_run(catalogue: str | os.PathLike[str] | RunStore | None = None, **fields: Any) -> str:
    """Record a new running run (keyword fields as :meth:`RunStore.start_run`); returns its id."""
    return _store(catalogue).start_run(**fields)


def mark_chunk_done(
    run_id: str, n_chunks_done: int, catalogue: str | os.PathLike[str] | RunStore | None = None
) -> None:
    """Set a run's count of finished chunks."""
    _store(catalogue).mark_chunk_done(run_id, n_chunks_done)


def finish_run(
    run_id: str, catalogue: str | os.PathLike[str] | RunStore | None = None, **fields: Any
) -> None:
    """Close a run (keyword fields as :meth:`RunStore.finish_run`)."""
    _store(catalogue).finish_run(run_id, **fields)


# -- run outputs --------------------------------------------------------------------------
def write_csv(frame: Any, path: Path) -> None:
    """CSV through Arrow (about 7x faster than pandas for the ADaM tables of a large run);
    strings quoted only where needed. `frame`: a DataFrame or a ``pyarrow.Table``."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    table = (
        frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    )
    pa_csv.write_csv(table, path, pa_csv.WriteOptions(quoting_style="needed"))


def write_json(payload: Any, path: Path) -> None:
    """Strict JSON (no NaN), indented, with a final newline."""
    path.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n", encoding="utf-8")
