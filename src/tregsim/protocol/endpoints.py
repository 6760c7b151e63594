"""What is measured and how it is analysed: endpoints and the statistical analysis plan."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from tregsim.errors import InvalidField
from tregsim.protocol._base import NAME_PATTERN as _NAME_PATTERN
from tregsim.protocol._base import FrozenModel as _Model


class EndpointKind(StrEnum):
    """What an endpoint measures."""

    salt_reduction = "salt_reduction"  # responder: SALT fell by >= percent from baseline
    salt_at_most = "salt_at_most"  # responder: SALT <= threshold
    salt_change = "salt_change"  # continuous: SALT(week) - SALT(baseline)
    salt_percent_change = "salt_percent_change"  # continuous: 100 * change / baseline
    time_to_salt_reduction = "time_to_salt_reduction"  # days until SALT fell by percent
    treg_pct = "treg_pct"  # Treg % of CD4 at week
    treg_fold = "treg_fold"  # Treg % of CD4 at week / baseline
    nk_fold = "nk_fold"  # NK per uL at week / baseline
    cd8_fold = "cd8_fold"  # CD8 per uL at week / baseline
    # safety (tregsim.safety): share of patients with >= 1 reported adverse event up to week
    ae_any = "ae_any"
    ae_il2_dose_related = "ae_il2_dose_related"
    ae_eosinophilia = "ae_eosinophilia"
    ae_capillary_leak = "ae_capillary_leak"
    ae_injection_site_reaction = "ae_injection_site_reaction"
    treg_naive_fold = "treg_naive_fold"  # resting (naive) Treg % of CD4 at week / baseline
    treg_activated_fold = "treg_activated_fold"  # activated Treg % of CD4 at week / baseline


_NEEDS: dict[EndpointKind, frozenset[str]] = {
    EndpointKind.salt_reduction: frozenset({"percent", "week"}),
    EndpointKind.salt_at_most: frozenset({"threshold", "week"}),
    EndpointKind.salt_change: frozenset({"week"}),
    EndpointKind.salt_percent_change: frozenset({"week"}),
    EndpointKind.time_to_salt_reduction: frozenset({"percent"}),
    EndpointKind.treg_pct: frozenset({"week"}),
    EndpointKind.treg_fold: frozenset({"week"}),
    EndpointKind.nk_fold: frozenset({"week"}),
    EndpointKind.cd8_fold: frozenset({"week"}),
    **{kind: frozenset({"week"}) for kind in EndpointKind if kind.value.startswith("ae_")},
    EndpointKind.treg_naive_fold: frozenset({"week"}),
    EndpointKind.treg_activated_fold: frozenset({"week"}),
}
#: Adverse-event endpoint kinds: ``ae_any`` and ``ae_<kind>`` of tregsim/data/adverse_events.yaml.
AE_ENDPOINT_KINDS = frozenset(kind.value for kind in EndpointKind if kind.value.startswith("ae_"))
_ALLOWS: dict[EndpointKind, frozenset[str]] = {
    **_NEEDS,
    EndpointKind.time_to_salt_reduction: frozenset({"percent", "week"}),
}
#: Endpoint kinds whose value is a responder (yes / no) proportion (a safety endpoint is one:
#: the share of patients with >= 1 reported adverse event).
RESPONDER_KINDS = frozenset(
    {EndpointKind.salt_reduction, EndpointKind.salt_at_most}
    | {EndpointKind(kind) for kind in AE_ENDPOINT_KINDS}
)
#: How each kind is analysed: responder, continuous, fold (log scale) or time_to_event.
ENDPOINT_TYPE: dict[EndpointKind, str] = {
    EndpointKind.salt_reduction: "responder",
    EndpointKind.salt_at_most: "responder",
    EndpointKind.salt_change: "continuous",
    EndpointKind.salt_percent_change: "continuous",
    EndpointKind.time_to_salt_reduction: "time_to_event",
    EndpointKind.treg_pct: "continuous",
    EndpointKind.treg_fold: "fold",
    EndpointKind.nk_fold: "fold",
    EndpointKind.cd8_fold: "fold",
    EndpointKind.treg_naive_fold: "fold",
    EndpointKind.treg_activated_fold: "fold",
    **{EndpointKind(kind): "responder" for kind in AE_ENDPOINT_KINDS},
}
#: The direction of each kind that favours treatment.
BETTER: dict[EndpointKind, str] = {
    EndpointKind.salt_reduction: "higher",
    EndpointKind.salt_at_most: "higher",
    EndpointKind.salt_change: "lower",
    EndpointKind.salt_percent_change: "lower",
    EndpointKind.time_to_salt_reduction: "higher",
    EndpointKind.treg_pct: "higher",
    EndpointKind.treg_fold: "higher",
    EndpointKind.nk_fold: "lower",
    EndpointKind.cd8_fold: "lower",
    EndpointKind.treg_naive_fold: "higher",
    EndpointKind.treg_activated_fold: "higher",
    **{EndpointKind(kind): "lower" for kind in AE_ENDPOINT_KINDS},
}


class Endpoint(_Model):
    """One endpoint. ``week`` may be fractional (``week: 1`` is day 7)."""

    name: str = Field(pattern=_NAME_PATTERN, description="a short endpoint name such as salt50_w52")
    kind: EndpointKind = Field(description="an endpoint kind such as salt_reduction")
    week: float | None = Field(
        None, ge=0, description="the assessment week (it must be one of visits_weeks)"
    )
    percent: float | None = Field(
        None, gt=0, le=100, description="the required SALT reduction in percent (0-100)"
    )
    threshold: float | None = Field(
        None, ge=0, le=100, description="the SALT score a responder must reach (0-100)"
    )

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Endpoint:
        given = {f for f in ("week", "percent", "threshold") if getattr(self, f) is not None}
        for field in sorted(_NEEDS[self.kind] - given):
            raise InvalidField(
                field, f"is missing for kind {self.kind.value}", f"give the endpoint a {field}"
            )
        for field in sorted(given - _ALLOWS[self.kind]):
            raise InvalidField(field, f"is not used by kind {self.kind.value}", "remove it")
        if self.week is not None and self.week == 0 and self.kind != EndpointKind.treg_pct:
            raise InvalidField("week", "is 0 (baseline)", "pick a visit week after randomization")
        return self

    @property
    def is_responder(self) -> bool:
        """True for yes/no endpoints (analysed as proportions)."""
        return self.kind in RESPONDER_KINDS

    @property
    def type(self) -> str:
        """responder, continuous, fold or time_to_event."""
        return ENDPOINT_TYPE[self.kind]

    @property
    def better(self) -> str:
        """The direction that favours treatment: "higher" or "lower"."""
        return BETTER[self.kind]


class Analysis(_Model):
    """The statistical analysis plan."""

    primary: str = Field(description="the name of one of the endpoints")
    control_arm: str | None = Field(
        None, description="the name of the control arm (omit it for a single-arm study)"
    )
    alpha: float = Field(0.05, gt=0, lt=1, description="the two-sided significance level")
    responder_test: Literal["fisher", "cmh"] = Field(
        "fisher", description="fisher or cmh (strata = randomization strata)"
    )
    continuous_test: Literal["ancova"] = Field("ancova", description="ancova (on baseline)")
    missing_responder: Literal["nri"] = Field("nri", description="nri (non-responder imputation)")
    missing_continuous: Literal["locf", "random_intercept"] = Field(
        "locf",
        description=(
            "locf or random_intercept (a linear mixed model with a random intercept per "
            "patient over the observed visits; not an unstructured-covariance MMRM)"
        ),
    )
