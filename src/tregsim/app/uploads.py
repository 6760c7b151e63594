"""Uploaded scenario files: size-limited, safe YAML only, validated like ``tregsim run``.

The text is parsed with ``yaml.safe_load`` (plain data, never objects or code) through
:meth:`tregsim.Scenario.from_yaml`, so the messages are the CLI's. Anchors and aliases
(``&name`` / ``*name``) are refused before parsing: a few hundred bytes of nested aliases
expand into billions of values for the validator (the "billion laughs" file).
"""

from __future__ import annotations

import os
from pathlib import Path

from tregsim.app.form import has_anchors
from tregsim.errors import TregsimInputError
from tregsim.protocol import Scenario

__all__ = ["MAX_UPLOAD_BYTES", "read_upload"]

#: Largest scenario file accepted (the built-in scenarios are under 5 kB).
MAX_UPLOAD_BYTES = 256 * 1024
#: Deepest nesting of [ ] / { } accepted (a scenario needs 4). PyYAML's time grows fast with
#: depth: 20,000 nested brackets (40 kB) took 54 s to parse here.
MAX_FLOW_DEPTH = 32
#: Widest indentation accepted, in characters (a scenario needs under 20).
MAX_INDENT = 200


def _too_deep(text: str) -> bool:
    """True when brackets nest deeper than MAX_FLOW_DEPTH or a line is indented more than
    MAX_INDENT (brackets inside quotes count too: a scenario never has that many)."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    if deepest > MAX_FLOW_DEPTH:
        return True
    return any(len(line) - len(line.lstrip(" \t")) > MAX_INDENT for line in text.splitlines())


def _display_name(name: str) -> str:
    shown = "".join(ch for ch in os.path.basename(str(name)) if ch.isprintable())
    return shown[:80] or "the uploaded file"


def read_upload(path: str | os.PathLike[str], name: str) -> Scenario:
    """Validate the uploaded file at ``path`` (``name`` is what the user called it)."""
    shown = _display_name(name)
    size = Path(path).stat().st_size
    if size > MAX_UPLOAD_BYTES:
        raise TregsimInputError(
            f"scenario file {shown} is {size / 1024:.0f} kB, above the app's limit of "
            f"{MAX_UPLOAD_BYTES // 1024} kB; upload a scenario YAML file",
            field="upload",
        )
    raw = Path(path).read_bytes()
    binary = TregsimInputError(
        f"scenario file {shown} is not a text YAML file (it holds binary data); upload a "
        "scenario YAML file",
        field="upload",
    )
    if b"\x00" in raw:
        raise binary
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise binary from None
    if _too_deep(text):
        raise TregsimInputError(
            f"scenario file {shown} is nested too deeply to be a scenario (over "
            f"{MAX_FLOW_DEPTH} brackets or {MAX_INDENT} spaces); upload a scenario YAML file",
            field="upload",
        )
    if has_anchors(text):
        raise TregsimInputError(
            f"scenario file {shown} uses YAML anchors or aliases (& or *), which the app does "
            "not accept; write the values out in full",
            field="upload",
        )
    try:
        return Scenario.from_yaml(text, source=shown)
    except RecursionError:
        raise TregsimInputError(
            f"scenario file {shown} is nested too deeply to be a scenario; upload a scenario "
            "YAML file",
            field="upload",
        ) from None
