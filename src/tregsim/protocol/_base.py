"""Shared pieces of the scenario schema: frozen pydantic models and number formatting."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"
FROZEN = ConfigDict(frozen=True, extra="forbid")


def fmt_num(value: float) -> str:
    """A number as a scenario author wrote it (``4.0`` -> ``4``)."""
    return f"{value:g}"


class FrozenModel(BaseModel):
    """Every scenario model: immutable, unknown keys rejected."""

    model_config = FROZEN
