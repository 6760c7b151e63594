"""``--set dotted.key=value`` overrides applied to a scenario's plain data."""

from __future__ import annotations

from typing import Any

import yaml

from tregsim.errors import TregsimInputError, suggest


def apply_override(data: dict[str, Any], item: str) -> None:
    if not isinstance(item, str) or "=" not in item:
        raise TregsimInputError(
            f"--set '{item}' has no '='; write it as dotted.key=value, e.g. population.n=120",
            field="--set",
        )
    key, _, raw = item.partition("=")
    key = key.strip()
    parts = key.split(".")
    if not key or any(not p for p in parts):
        raise TregsimInputError(
            f"--set '{item}' has an empty key; write it as dotted.key=value, e.g. population.n=120",
            field="--set",
        )
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        raise TregsimInputError(
            f"--set {key} has a value that is not valid YAML ({raw!r}); quote text or write a "
            "number, true/false or a [list]",
            field=key,
        ) from None
    if value is None:
        raise TregsimInputError(f"--set {key} has no value; write {key}=VALUE", field=key)
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        here = ".".join(parts[: depth + 1])
        parent = ".".join(parts[:depth]) or "the scenario"
        if isinstance(node, list):
            index = _list_index(node, part)
            if index is None:
                names = [str(x.get("name")) for x in node if isinstance(x, dict) and "name" in x]
                choices = f"0-{len(node) - 1}" + (f" or one of {', '.join(names)}" if names else "")
                raise TregsimInputError(
                    f"--set {key}: '{part}' is not an item of {parent}; use an index {choices}",
                    field=key,
                )
            if last:
                node[index] = value
            else:
                node = node[index]
        elif isinstance(node, dict):
            if part not in node:
                if last or depth == 0:
                    # Let validation report unknown keys with the list of allowed fields.
                    if not last:
                        raise TregsimInputError(
                            f"--set {key}: {here} is not a field of the scenario"
                            f"{suggest(part, node)}; use one of {', '.join(node)}",
                            field=key,
                        )
                    node[part] = value
                    return
                if parent.startswith("regimens") and depth == 1:
                    node[part] = {}
                else:
                    raise TregsimInputError(
                        f"--set {key}: {here} is not a field of {parent}{suggest(part, node)}; "
                        f"use one of {', '.join(node)}",
                        field=key,
                    )
            if last:
                node[part] = value
            else:
                if node[part] is None:
                    node[part] = {}
                node = node[part]
        else:
            raise TregsimInputError(
                f"--set {key}: {parent} is a single value, not a mapping; set {parent}=VALUE",
                field=key,
            )


def _list_index(items: list[Any], part: str) -> int | None:
    try:
        index = int(part)
    except ValueError:
        for i, item in enumerate(items):
            if isinstance(item, dict) and item.get("name") == part:
                return i
        return None
    if -len(items) <= index < len(items):
        return index % len(items)
    return None
