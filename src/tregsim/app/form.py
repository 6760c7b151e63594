"""Validation glue: the app's form fields -> ``--set`` overrides -> a validated scenario.

Every editable field of the app is a :class:`FormField` naming the scenario path it edits
(``population.n``, ``regimens.il2_pilot.courses.0.dose``). The text a user types is parsed
as YAML exactly as ``tregsim run --set KEY=VALUE`` parses it, the edited scenario data is
compared with the base scenario, and the differences become ``--set`` overrides applied with
:meth:`tregsim.Scenario.with_overrides`. So the app shows the CLI's one-sentence
:class:`~tregsim.TregsimInputError` messages, and the overrides are the exact ``--set``
options of the equivalent ``tregsim run`` command (:mod:`tregsim.app.exports`).

An empty field removes its key: an optional field falls back to its default, a required
one gives the schema's "is missing" sentence. A row of a table (a dosing course, a single
dose) whose fields are all empty is removed; the form offers spare empty rows to add one.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from tregsim.errors import TregsimInputError
from tregsim.protocol import Scenario

__all__ = [
    "MAX_FIELD_CHARS",
    "FormField",
    "FormResult",
    "diff_overrides",
    "evaluate_form",
    "format_value",
    "has_anchors",
    "initial_texts",
    "parse_value",
]

#: Longest text accepted in one field (a scenario value is never longer).
MAX_FIELD_CHARS = 200

_MISSING = object()


@dataclass(frozen=True)
class FormField:
    """One input of the form: its Shiny ``input_id``, the scenario ``path`` it edits
    (dotted, list items by index) and, for table rows, the ``row`` path it belongs to.

    A field with ``editable=False`` is only an anchor: messages about ``path`` (and below
    it, when no closer field exists) are shown there."""

    input_id: str
    path: str
    label: str
    row: str | None = None
    editable: bool = True


@dataclass(frozen=True)
class FormResult:
    """The outcome of validating the form.

    ``scenario`` is the validated scenario (None when something is wrong), ``overrides``
    the ``--set`` values that turn the base scenario into it, ``field_errors`` maps an
    ``input_id`` to its message and ``general_error`` holds a message that names no field
    on the form.
    """

    scenario: Scenario | None
    overrides: tuple[str, ...]
    field_errors: dict[str, str] = field(default_factory=dict)
    general_error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the scenario validated and every field is fine."""
        return self.scenario is not None and not self.field_errors and not self.general_error


def format_value(value: Any) -> str:
    """The text shown in a field for a scenario value (YAML flow style for lists)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, str):
        return value
    return _flow(value)


def _plain(value: Any) -> Any:
    """Whole floats as ints (``[0, 4, 12]`` rather than ``[0.0, 4.0, 12.0]``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _flow(value: Any) -> str:
    text = yaml.safe_dump(_plain(value), default_flow_style=True, width=10**6, sort_keys=False)
    return text.strip()


def parse_value(path: str, text: str) -> Any:
    """Parse a field's text as ``--set`` does; ``_MISSING`` for an empty field.

    Raises the CLI's TregsimInputError for text that is not YAML or is too long.
    """
    text = "" if text is None else str(text)
    if len(text) > MAX_FIELD_CHARS:
        raise TregsimInputError(
            f"{path} is {len(text)} characters long; a scenario value is at most "
            f"{MAX_FIELD_CHARS}, shorten it",
            field=path,
        )
    if not text.strip():
        return _MISSING
    if has_anchors(text):
        raise TregsimInputError(
            f"--set {path} uses YAML anchors or aliases (& or *); write the value out in full",
            field=path,
        )
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        raise TregsimInputError(
            f"--set {path} has a value that is not valid YAML ({text!r}); quote text or write a "
            "number, true/false or a [list]",
            field=path,
        ) from None
    return _MISSING if value is None else value


def has_anchors(text: str) -> bool:
    """True when YAML ``text`` uses anchors or aliases (``&a`` / ``*a``): refused, since a
    few bytes of nested aliases expand into billions of values (False for non-YAML)."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return True
    except yaml.YAMLError:
        return False
    return False


def _split(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in path.split(".")]


def _container(data: Any, parts: Sequence[str | int]) -> Any:
    node = data
    for part in parts:
        if isinstance(node, list) and isinstance(part, int):
            while len(node) <= part:  # a spare row of a table
                node.append({})
            node = node[part]
        elif isinstance(node, dict):
            node = node.setdefault(part, {})
        else:
            return None
    return node


def _assign(data: dict[str, Any], path: str, value: Any) -> None:
    parts = _split(path)
    parent = _container(data, parts[:-1])
    key = parts[-1]
    if isinstance(parent, dict):
        if value is _MISSING:
            parent.pop(key, None)
        else:
            parent[key] = value


def _drop_empty_rows(data: dict[str, Any], rows: set[str]) -> None:
    """Remove table rows whose fields are all empty (deepest paths first)."""
    for row in sorted(rows, key=lambda r: [-len(r.split(".")), r], reverse=False):
        parts = _split(row)
        parent = _container(data, parts[:-1])
        index = parts[-1]
        if isinstance(parent, list) and isinstance(index, int) and index < len(parent):
            if parent[index] == {}:
                parent[index] = _MISSING
    _purge(data)


def _purge(node: Any) -> Any:
    if isinstance(node, dict):
        for key in list(node):
            node[key] = _purge(node[key])
        return node
    if isinstance(node, list):
        node[:] = [_purge(item) for item in node if item is not _MISSING]
        return node
    return node


def diff_overrides(base: Any, edited: Any, prefix: str = "") -> list[str]:
    """``--set`` overrides turning ``base`` data into ``edited`` data.

    Mappings with the same keys and lists of the same length are compared item by item;
    anything else that differs is replaced whole (``key={...}`` / ``key=[...]``).
    """
    if isinstance(base, Mapping) and isinstance(edited, Mapping) and set(base) == set(edited):
        out: list[str] = []
        for key in edited:
            out += diff_overrides(base[key], edited[key], f"{prefix}.{key}" if prefix else key)
        return out
    if isinstance(base, list) and isinstance(edited, list) and len(base) == len(edited):
        out = []
        for index, (b, e) in enumerate(zip(base, edited, strict=True)):
            out += diff_overrides(b, e, f"{prefix}.{index}")
        return out
    if base == edited and type(base) is type(edited):
        return []
    if isinstance(base, int | float) and isinstance(edited, int | float) and base == edited:
        if not isinstance(base, bool) and not isinstance(edited, bool):
            return []
    return [f"{prefix}={format_value(edited)}"]


def _edited_data(
    base: Scenario, fields: Sequence[FormField], values: Mapping[str, Any]
) -> dict[str, Any]:
    data = copy.deepcopy(base.to_dict())
    for spec in fields:
        _assign(data, spec.path, values[spec.input_id])
    _drop_empty_rows(data, {spec.row for spec in fields if spec.row})
    return data


def _owner(fields: Sequence[FormField], error_field: str) -> str | None:
    """The input whose path best matches an error's dotted field."""
    if not error_field:
        return None
    error_field = error_field.removeprefix("--set ").strip()
    best: tuple[int, str] | None = None
    for spec in fields:
        for candidate in (spec.path, spec.row):
            if not candidate:
                continue
            if error_field == candidate or error_field.startswith(candidate + "."):
                score = len(candidate) + (1 if candidate == spec.path else 0)
                if best is None or score > best[0]:
                    best = (score, spec.input_id)
    return None if best is None else best[1]


def evaluate_form(
    base: Scenario,
    fields: Sequence[FormField],
    texts: Mapping[str, Any],
    check: Callable[[Scenario], None] | None = None,
) -> FormResult:
    """Validate the form: all changes together and, when that fails, each changed field
    alone (so each wrong field gets its own message next to it).

    ``texts`` maps ``input_id`` to what the user typed (or the select's value); ``check``
    may refuse a valid scenario with a TregsimInputError (the app's size limits).
    """
    anchors = fields
    fields = [spec for spec in fields if spec.editable]
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for spec in fields:
        try:
            values[spec.input_id] = parse_value(spec.path, texts.get(spec.input_id, ""))
        except TregsimInputError as exc:
            errors[spec.input_id] = exc.message
    if errors:
        return FormResult(None, (), errors)

    base_data = base.to_dict()
    overrides = tuple(diff_overrides(base_data, _edited_data(base, fields, values)))
    try:
        scenario = base.with_overrides(list(overrides))
        if check is not None:
            check(scenario)
        return FormResult(scenario, overrides)
    except TregsimInputError as exc:
        first = exc
    # Something is wrong: check each changed field alone too, so that several wrong fields
    # each get their message (rows being removed or added are checked as a whole).
    cleared = {
        spec.row
        for spec in fields
        if spec.row is not None
        and all(values[s.input_id] is _MISSING for s in fields if s.row == spec.row)
    }
    for spec in fields:
        if spec.row is not None and (
            spec.row in cleared or _lookup(base_data, spec.row) is _MISSING
        ):
            continue
        alone = diff_overrides(base_data, _edited_data(base, [spec], values))
        if not alone:
            continue
        try:
            base.with_overrides(alone)
        except TregsimInputError as exc:
            errors.setdefault(_owner(anchors, exc.field) or spec.input_id, exc.message)
    owner = _owner(anchors, first.field)
    if owner is None:
        return FormResult(None, overrides, errors, first.message)
    errors.setdefault(owner, first.message)
    return FormResult(None, overrides, errors)


def _lookup(data: Any, path: str) -> Any:
    node = data
    for part in _split(path):
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return _MISSING
    return node


def initial_texts(scenario: Scenario, fields: Sequence[FormField]) -> dict[str, str]:
    """What each editable field shows for ``scenario`` (the form's starting values)."""
    data = scenario.to_dict()
    out = {}
    for spec in fields:
        if spec.editable:
            value = _lookup(data, spec.path)
            out[spec.input_id] = "" if value is _MISSING else format_value(value)
    return out
