"""How the report names an endpoint: display text for the protocol's
:class:`~tregsim.protocol.Endpoint` (label, unit), and the endpoint a conventional name
stands for when a summary comes without its scenario. Pure functions of an endpoint (None:
an endpoint the report knows only by its name)."""

from __future__ import annotations

import re

from tregsim.protocol import Endpoint

__all__ = ["FOLD_CELLS", "endpoint_from_name", "endpoint_label", "endpoint_unit", "is_responder"]

#: The cell population of each fold-change endpoint kind, as the report names it.
FOLD_CELLS = {
    "treg_fold": "Treg",
    "nk_fold": "NK",
    "cd8_fold": "CD8",
    "treg_naive_fold": "naive Treg",
    "treg_activated_fold": "activated Treg",
}


def is_responder(endpoint: Endpoint | None) -> bool:
    """True for proportion endpoints (SALTxx, SALT<=t, adverse events), shown as percent of
    patients: :attr:`tregsim.protocol.Endpoint.is_responder`; False for an unknown one."""
    return endpoint is not None and endpoint.is_responder


def endpoint_label(name: str, endpoint: Endpoint | None) -> str:
    """Short clinical label of the endpoint ``name``, e.g. 'SALT50 at week 52' (the name
    itself when the endpoint is not known)."""
    if endpoint is None:
        return name
    kind = endpoint.kind.value
    at = f" at week {endpoint.week:g}" if endpoint.week is not None else ""
    if kind == "salt_reduction":
        return f"SALT{endpoint.percent:g}{at}"
    if kind == "salt_at_most":
        return f"SALT \u2264 {endpoint.threshold:g}{at}"
    if kind == "salt_change":
        return f"change in SALT from baseline{at}"
    if kind == "salt_percent_change":
        return f"percent change in SALT from baseline{at}"
    if kind == "time_to_salt_reduction":
        return f"median time to SALT{endpoint.percent:g}"
    if kind == "treg_pct":
        return f"Treg % of CD4{at}"
    if kind in FOLD_CELLS:
        return f"{FOLD_CELLS[kind]} fold change{at}"
    if kind.startswith("ae_"):  # safety endpoints (tregsim.safety)
        event = "any adverse event" if kind == "ae_any" else kind[3:].replace("_", " ")
        return f"{event} by week {endpoint.week:g}" if endpoint.week is not None else event
    return name + at


def endpoint_unit(endpoint: Endpoint | None) -> str:
    """Unit of the endpoint's per-arm value as displayed ('' when not known)."""
    if endpoint is None:
        return ""
    if endpoint.is_responder:
        return "% of patients"
    kind = endpoint.kind.value
    if kind == "salt_change":
        return "SALT points"
    if kind == "salt_percent_change":
        return "%"
    if kind == "time_to_salt_reduction":
        return "days"
    if kind == "treg_pct":
        return "% of CD4"
    if kind.endswith("_fold"):
        return "fold"
    return ""


def endpoint_from_name(name: str) -> Endpoint | None:
    """The endpoint a conventional name stands for (salt50_w52, salt20_w52, dsalt_w52,
    t_salt50, treg_fold_w12, ...), validated as the scenario's endpoints are; None for any
    other name."""
    week = r"_w(\d+(?:\.\d+)?)$"
    fields: dict | None = None
    if m := re.match(r"^salt(\d+)" + week, name):
        value, at = float(m.group(1)), float(m.group(2))
        # salt20_w52 is the SALT <= 20 endpoint by convention; 50/75/90/100 are reductions
        if value in (50, 75, 90, 100):
            fields = dict(kind="salt_reduction", week=at, percent=value)
        else:
            fields = dict(kind="salt_at_most", week=at, threshold=value)
    elif m := re.match(r"^dsalt" + week, name):
        fields = dict(kind="salt_change", week=float(m.group(1)))
    elif m := re.match(r"^t_salt(\d+)$", name):
        fields = dict(kind="time_to_salt_reduction", percent=float(m.group(1)))
    elif m := re.match(r"^(treg|nk|cd8)_fold" + week, name):
        fields = dict(kind=f"{m.group(1)}_fold", week=float(m.group(2)))
    if fields is None:
        return None
    try:
        return Endpoint(name=name, **fields)
    except ValueError:  # pydantic's ValidationError: e.g. week 0 or a threshold over 100
        return None
