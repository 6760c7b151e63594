"""Built-in scenarios and loading a scenario from a name or a YAML file."""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import yaml

from tregsim.errors import TregsimInputError, suggest
from tregsim.protocol import Scenario

__all__ = ["list_scenarios", "load_scenario", "scenario_description", "scenario_yaml"]

_PACKAGE_DIR = "data/scenarios"


def _builtin_files() -> dict[str, resources.abc.Traversable]:
    folder = resources.files("tregsim").joinpath(_PACKAGE_DIR)
    return {
        entry.name.removesuffix(".yaml"): entry
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }


def list_scenarios() -> list[str]:
    """Names of the built-in scenarios, sorted (``tregsim scenarios`` prints them)."""
    return sorted(_builtin_files())


def _unknown(name: str) -> TregsimInputError:
    names = list_scenarios()
    return TregsimInputError(
        f"scenario '{name}' is neither a built-in scenario{suggest(name, names)} nor a file; "
        f"use one of {', '.join(names)} or the path of a YAML file",
        field="SCENARIO",
    )


def scenario_yaml(name: str) -> str:
    """The YAML text (with its source comments) of the built-in scenario ``name``."""
    files = _builtin_files()
    if name not in files:
        raise _unknown(name)
    return files[name].read_text(encoding="utf-8")


def scenario_description(name: str) -> str:
    """The one-line description of a built-in scenario (read without full validation)."""
    data = yaml.safe_load(scenario_yaml(name)) or {}
    return str(data.get("description", ""))


def _looks_like_path(text: str) -> bool:
    return (
        os.sep in text
        or "/" in text
        or text.endswith((".yaml", ".yml", ".json"))
        or text.startswith((".", "~"))
    )


def _read_file(path: Path) -> str:
    shown = str(path)
    if path.is_dir():
        raise TregsimInputError(
            f"scenario path {shown} is a directory; pass a scenario YAML file inside it",
            field="SCENARIO",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TregsimInputError(
            f"scenario file {shown} cannot be read ({exc.strerror or exc}); check its permissions",
            field="SCENARIO",
        ) from None
    binary = TregsimInputError(
        f"scenario file {shown} is not a text YAML file (it holds binary data); pass a scenario "
        "YAML file or a built-in name",
        field="SCENARIO",
    )
    if b"\x00" in raw[:8192]:
        raise binary
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise binary from None


def load_scenario(name_or_path: str | os.PathLike[str], overrides: Sequence[str] = ()) -> Scenario:
    """Load a built-in scenario by name, or a scenario YAML file by path, then apply overrides.

    ``overrides`` are ``dotted.key=value`` strings (see :meth:`Scenario.with_overrides`).
    Every problem raises :class:`tregsim.TregsimInputError` with a one-sentence message.

    >>> load_scenario("phrc-2016", ["population.n=120"]).population.n
    120
    """
    text = os.fspath(name_or_path)
    if not text.strip():
        raise TregsimInputError(
            "SCENARIO is empty; give a built-in name (tregsim scenarios lists them) or a YAML path",
            field="SCENARIO",
        )
    path = Path(text).expanduser()
    if path.exists():
        scenario = Scenario.from_yaml(_read_file(path), source=str(path))
    elif text in _builtin_files():
        scenario = Scenario.from_yaml(scenario_yaml(text), source=f"built-in scenario {text}")
    elif _looks_like_path(text):
        raise TregsimInputError(
            f"scenario file {text} does not exist; check the path, or give a built-in name "
            f"({', '.join(list_scenarios())})",
            field="SCENARIO",
        )
    else:
        raise _unknown(text)
    return scenario.with_overrides(list(overrides))
