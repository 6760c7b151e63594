"""Input errors: one plain sentence that names the field and says how to fix it.

Every bad input (scenario YAML, ``--set`` overrides, command-line options) ends up as a
:class:`TregsimInputError` before any simulation work starts. The CLI prints its message on
one line and exits with code 2.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "InvalidField",
    "TregsimInputError",
    "from_validation_error",
    "from_yaml_error",
    "suggest",
]


class TregsimInputError(Exception):
    """Bad user input: the message is one sentence naming the field and the fix.

    ``field`` is the dotted path of the offending field (``"population.n"``) or the name of
    the option / file (``"--replicates"``), or ``""`` when no single field is to blame.
    """

    def __init__(self, message: str, field: str = "") -> None:
        message = " ".join(str(message).split())
        if message and message[-1] not in ".?!":
            message += "."
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class InvalidField(ValueError):  # noqa: N818 - raised inside pydantic validators
    """Raised inside schema validators; converted into a :class:`TregsimInputError`.

    ``field`` is relative to the model being validated (``"courses.0.unit"``); the converter
    prefixes the location of that model, so messages always carry the full dotted path.
    ``problem`` completes "<field> ..." and ``fix`` says what to do.
    """

    def __init__(self, field: str, problem: str, fix: str) -> None:
        super().__init__(f"{field} {problem}; {fix}")
        self.field = field
        self.problem = problem
        self.fix = fix


def suggest(word: str, candidates: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest candidate, or ``""``."""
    close = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=2, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"


def _dotted(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc if part != "")


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    if isinstance(value, str):
        text = "'" + value + "'" if len(value) < limit else "'" + value[: limit - 3] + "...'"
    elif len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _unwrap(annotation: Any) -> Any:
    """Strip ``Optional`` / ``Annotated`` from an annotation."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _walk(root: type, loc: Sequence[Any]) -> tuple[Any, Any]:
    """Follow ``loc`` through a pydantic model class.

    Returns ``(field_info, model_class_holding_it)``; ``field_info`` is ``None`` when the
    location is not a declared field (for example an unknown key).
    """
    current: Any = root
    field_info = None
    owner: Any = None
    for part in loc:
        current = _unwrap(current)
        fields = getattr(current, "model_fields", None)
        if fields is not None:
            if not isinstance(part, str) or part not in fields:
                return None, current
            owner = current
            field_info = fields[part]
            current = field_info.annotation
            continue
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin in (tuple, list) and args:
            current = args[0]
        elif origin is dict and len(args) == 2:
            current = args[1]
        else:
            return field_info, owner
    return field_info, owner


def _fix_for(field_info: Any) -> str:
    description = getattr(field_info, "description", None) if field_info is not None else None
    if description:
        return f"set it to {description}"
    return "correct it in the scenario YAML or with --set"


def _is_int_field(field_info: Any) -> bool:
    if field_info is None:
        return False
    return _unwrap(field_info.annotation) is int


def _sentence_for(error: dict[str, Any], root: type, source: str) -> tuple[str, str]:
    loc = tuple(error.get("loc", ()))
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    got = f" (got {_short(value)})"

    if kind == "value_error" and isinstance(ctx.get("error"), InvalidField):
        exc: InvalidField = ctx["error"]
        path = _dotted((*loc, exc.field)) if exc.field else _dotted(loc)
        return f"{path} {exc.problem}; {exc.fix}", path

    path = _dotted(loc) or "the scenario"
    field_info, owner = _walk(root, loc)
    fix = _fix_for(field_info)

    if kind == "extra_forbidden":
        parent = _dotted(loc[:-1]) or "the scenario"
        allowed = list(getattr(owner, "model_fields", {}) or {})
        if not allowed:
            _, owner = _walk(root, (*loc[:-1], "__nothing__"))
            allowed = list(getattr(owner, "model_fields", {}) or {})
        hint = suggest(str(loc[-1]), allowed)
        listing = ", ".join(allowed)
        return (
            f"{path} is not a known field{hint}; remove it or use one of the fields of "
            f"{parent}: {listing}",
            path,
        )
    if kind == "missing":
        return f"{path} is missing; {fix}", path
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        limit = next(iter(ctx.values()), None)
        if isinstance(limit, float):
            limit = f"{limit:g}"
        if kind == "greater_than" and str(limit) == "0":
            what = "a positive integer" if _is_int_field(field_info) else "a positive number"
            problem = f"must be {what}"
        elif kind == "greater_than_equal" and str(limit) == "0":
            problem = "must not be negative"
        else:
            words = {
                "greater_than": "greater than",
                "greater_than_equal": "at least",
                "less_than": "less than",
                "less_than_equal": "at most",
            }[kind]
            problem = f"must be {words} {limit}"
        return f"{path} {problem}{got}; {fix}", path
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{path} must be a whole number{got}; {fix}", path
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{path} must be a finite number{got}; {fix}", path
    if kind in ("bool_parsing", "bool_type"):
        return f"{path} must be true or false{got}; {fix}", path
    if kind in ("string_type", "string_sub_type"):
        return f"{path} must be text{got}; {fix}", path
    if kind == "string_pattern_mismatch":
        return (
            f"{path} must use only letters, digits, '_' and '-', starting with a letter{got}; "
            f"{fix}",
            path,
        )
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        return f"{path} must be one of {expected}{got}; {fix}", path
    if kind == "enum":
        expected = ctx.get("expected", "")
        return f"{path} must be one of {expected}{got}; {fix}", path
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{path} must be a mapping of fields (key: value){got}; {fix}", path
    if kind in ("tuple_type", "list_type", "iterable_type"):
        return f"{path} must be a list{got}; {fix}", path
    if kind == "too_short":
        return f"{path} must not be empty; {fix}", path
    if kind == "too_long":
        return f"{path} has too many entries; {fix}", path
    if kind == "value_error":
        message = str(ctx.get("error", error.get("msg", "")))
        return f"{path}: {message}", path
    message = str(error.get("msg", "is invalid"))
    message = message[0].lower() + message[1:] if message else "is invalid"
    return f"{path} is invalid ({message}){got}; {fix}", path


def from_validation_error(exc: Any, root: type, source: str = "") -> TregsimInputError:
    """Convert the first error of a pydantic ``ValidationError`` into a TregsimInputError.

    ``root`` is the model class that was validated (for field descriptions and the list of
    allowed keys); ``source`` names where the data came from (a file, ``--set``), and is
    prefixed as ``"<source>: "`` when given.
    """
    errors = exc.errors(include_url=False)
    if not errors:
        return TregsimInputError(f"{source or 'input'} is invalid; check it against the schema")
    sentence, path = _sentence_for(errors[0], root, source)
    prefix = f"{source}: " if source else ""
    return TregsimInputError(prefix + sentence, field=path)


def from_yaml_error(exc: Exception, source: str) -> TregsimInputError:
    """Turn a PyYAML error into a one-sentence TregsimInputError pointing at line/column."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return TregsimInputError(
        f"{source} is not valid YAML{where} ({problem}); fix the indentation, colons or quotes "
        "there",
        field=source,
    )
