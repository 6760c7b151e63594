"""How the trial is conducted: randomization, blinding, rater and assay error, dropout."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tregsim.protocol._base import FrozenModel as _Model


class Randomization(_Model):
    """Permuted-block randomization, optionally stratified."""

    block_size: int | None = Field(
        None,
        gt=0,
        description=(
            "a positive block size (the trial rounds it up to a multiple of the allocation "
            "total; omitted means one allocation cycle)"
        ),
    )
    stratify_by: tuple[Literal["salt_band"], ...] = Field(
        (), description="a list of strata: [] or [salt_band]"
    )


class Blinding(_Model):
    """Open label or double blind, and how many raters score SALT."""

    open_label: bool = Field(False, description="true for an open-label trial")
    raters: int = Field(1, gt=0, le=10, description="the number of SALT raters (1-10)")


class Rater(_Model):
    """SALT rating error (an assumption: no peer-reviewed reliability figure was found)."""

    sd_salt: float = Field(
        4.0, ge=0, le=50, description="the rater's SALT standard deviation in SALT points"
    )
    unblinded_optimism: float = Field(
        0.0,
        ge=0,
        le=100,
        description="the SALT points an unblinded rater under-scores treated patients by",
    )


class Assay(_Model):
    """Flow-cytometry measurement error."""

    treg_cv: float = Field(0.1, ge=0, le=1, description="the Treg % coefficient of variation (0-1)")


class Dropout(_Model):
    """Loss to follow-up."""

    per_visit: float = Field(
        0.02, ge=0, lt=1, description="the probability of dropping out at each visit (0-1)"
    )
    non_responder_extra: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="the extra per-visit dropout probability of non-responders (0-1)",
    )
