"""Where tregsim's own files go, and the one way outputs are written: all or nothing.

:func:`staged` is the atomic writer every output goes through (``tregsim run`` and the
other commands via the CLI, :func:`tregsim.api.write_outputs`, the run store): the files are
written into a temporary sibling of the target and moved into place only when all of them
are complete, so an interrupted or failed write leaves nothing half-written behind.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

__all__ = ["new_run_id", "publish", "staged", "tregsim_home"]


def tregsim_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The folder for tregsim's own files: `home`, else ``$TREGSIM_HOME``, else
    ``~/.local/share/tregsim``."""
    if home is not None:
        return Path(home).expanduser()
    env = os.environ.get("TREGSIM_HOME")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "tregsim"


def new_run_id() -> str:
    """A fresh, sortable run id such as ``20261127-195806-3fa2c1``."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{uuid.uuid4().hex[:6]}"


@contextlib.contextmanager
def staged(out: str | os.PathLike[str], is_dir: bool, *, merge: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``out``; move it onto ``out`` only on success.

    ``is_dir``: the output is a folder (else one file). ``merge``: files of an existing
    folder ``out`` with other names are kept (each staged file replaces its namesake); without
    it the staged folder replaces ``out`` as a whole. If anything fails, the temporary path
    and any parent folders created for it are removed and an existing ``out`` is left
    untouched.
    """
    out = Path(out).absolute()
    created: Path | None = None
    parent = out.parent
    if not parent.exists():
        created = parent
        while not created.parent.exists():
            created = created.parent
        parent.mkdir(parents=True)
    if is_dir:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
    else:
        handle, name = tempfile.mkstemp(
            prefix=f".{out.name}.partial-", suffix=out.suffix, dir=parent
        )
        os.close(handle)
        staging = Path(name)
    try:
        yield staging
        publish(staging, out, merge=merge)
    except BaseException:
        if staging.is_dir():
            shutil.rmtree(staging, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                staging.unlink()
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise


def publish(staging: Path, out: Path, *, merge: bool = False) -> None:
    """Move a complete ``staging`` file or folder onto ``out`` (see :func:`staged`)."""
    if staging.is_dir() and out.is_dir():
        if merge:
            for item in sorted(staging.iterdir()):
                os.replace(item, out / item.name)
            staging.rmdir()
            return
        old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(out, old)
        try:
            os.replace(staging, out)
        except BaseException:
            os.replace(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out)
