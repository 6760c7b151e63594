"""The plain-language summary paragraph, generated from the numbers of a run."""

from __future__ import annotations

import pandas as pd

from tregsim.analysis.derived import visit_baselines
from tregsim.protocol import Endpoint

from ._access import TrialInfo, display_value, primary_comparison, treg_column
from .endpoint_text import endpoint_label, endpoint_unit

__all__ = ["summary_paragraph"]

_TESTS = {
    "fisher": "Fisher's exact test",
    "cmh": "Cochran-Mantel-Haenszel test",
    "ancova": "ANCOVA on baseline",
    "random_intercept": "random-intercept mixed model on baseline",
    "chi2": "chi-squared test",
    "logrank": "log-rank test",
}


def _arm_endpoint(summary: dict, arm: str, name: str) -> dict:
    return ((summary.get("arms") or {}).get(arm) or {}).get("endpoints", {}).get(name) or {}


def _fmt(v: float | None, percent: bool) -> str:
    if v is None:
        return "n/a"
    return f"{v:.0f}%" if percent else f"{v:.1f}"


def _arm_phrase(summary: dict, info: TrialInfo, arm: str, ep: Endpoint) -> str | None:
    """'24% (95% range 12-36%) of il2 patients' or '-20.1 SALT points (...) in il2'."""
    values = _arm_endpoint(summary, arm, ep.name)
    centre = display_value(values.get("mean", values.get("median")), ep, info)
    if centre is None:
        return None
    lo = display_value(values.get("lo"), ep, info)
    hi = display_value(values.get("hi"), ep, info)
    pct = ep.is_responder
    rng = ""
    if lo is not None and hi is not None and round(lo, 1) != round(hi, 1):
        what = "95% range" if info.replicates > 1 else "95% interval"
        rng = f" ({what} {lo:.0f}\u2013{hi:.0f}%)" if pct else f" ({what} {lo:.1f} to {hi:.1f})"
    if pct:
        return f"{_fmt(centre, True)}{rng} of {arm} patients"
    unit = endpoint_unit(ep)
    unit = f" {unit}" if unit and unit != "%" else unit
    return f"{centre:.1f}{unit}{rng} in the {arm} arm"


def _verb(ep: Endpoint) -> str:
    if ep.is_responder:
        return f"reached {endpoint_label(ep.name, ep)}"
    return ""


def _treg_sentence(patients: pd.DataFrame | None, info: TrialInfo) -> str:
    if patients is None or patients.empty or not info.arms:
        return ""
    col = treg_column(patients)
    if col not in patients:
        return ""
    arm = info.treatment_arms[0] if info.control_arm and info.treatment_arms else info.arms[0].name
    d = patients[patients["arm"] == arm]
    d = d.assign(base=visit_baselines(d, col)).dropna(subset=[col])
    if d.empty:
        return ""
    fold = (d[col] / d["base"].where(d["base"] > 0)).groupby(d["visit_week"]).median().dropna()
    if fold.empty:
        return ""
    week = float(fold.idxmax())
    return (
        f" Blood regulatory T cells (Treg, % of CD4+ T cells) in {arm} patients peaked at a "
        f"median {fold.max():.1f}\u00d7 their baseline value at the week {week:g} visit."
    )


def summary_paragraph(summary: dict, info: TrialInfo, patients: pd.DataFrame | None = None) -> str:
    """One paragraph of plain language stating the predicted trial result and the power."""
    reps = info.replicates
    n = f" of {info.n_patients} patients" if info.n_patients else ""
    lead = f"In {reps:,} simulated trials{n} each" if reps > 1 else f"In one simulated trial{n}"
    sentences = []
    ep = info.endpoints.get(info.primary) if info.primary else None
    arms = [a.name for a in info.arms]
    order = info.treatment_arms + ([info.control_arm] if info.control_arm else [])
    order = order if info.control_arm else arms
    if ep is not None:
        phrases = [p for a in order if (p := _arm_phrase(summary, info, a, ep))]
        if phrases and ep.is_responder:
            sentences.append(
                f"{lead}, {phrases[0]} {_verb(ep)}"
                + ("".join(f" versus {p}" for p in phrases[1:]))
                + "."
            )
        elif phrases:
            sentences.append(
                f"{lead}, the {endpoint_label(ep.name, ep)} was {phrases[0]}"
                + ("".join(f" versus {p}" for p in phrases[1:]))
                + "."
            )
    if not sentences:
        sentences.append(f"{lead}, no value of the primary endpoint was available.")

    comp = primary_comparison(summary, info)
    power = comp.get("power")
    alpha = comp.get("alpha", info.alpha)
    test = _TESTS.get(str(comp.get("test", "")).lower(), str(comp.get("test") or "the test"))
    p_values = comp.get("p_values")
    if info.control_arm is None or len(arms) < 2:
        sentences.append("With a single arm there is no comparison and no power to report.")
    elif reps > 1 and power is not None:
        sentences.append(
            f"The trial would have detected the difference ({test}, p < {alpha:g}) in "
            f"{100 * float(power):.0f}% of simulated trials (the power)."
        )
    elif isinstance(p_values, (list, tuple)) and len(p_values) == 1:
        p = float(p_values[0])
        verdict = "was" if p < float(alpha) else "was not"
        sentences.append(
            f"In this single simulated trial the difference {verdict} statistically significant "
            f"({test}, p = {p:.3g}); run more replicates to estimate the power."
        )
    secondary = [
        e
        for e in info.endpoints.values()
        if e is not None and e.name != info.primary and e.kind == "salt_at_most"
    ]
    for e in secondary[:1]:
        phrases = [p for a in order if (p := _arm_phrase(summary, info, a, e))]
        if phrases:
            sentences.append(
                f"{endpoint_label(e.name, e)} (the usual definition of treatment success) "
                "was reached by " + " versus ".join(phrases) + "."
            )
    text = " ".join(sentences) + _treg_sentence(patients, info)
    return text + (
        " These numbers are model predictions for virtual patients, not results of a real trial."
    )
