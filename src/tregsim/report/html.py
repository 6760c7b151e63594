"""Self-contained HTML report: every figure embedded as a base64 data URI, no network use."""

from __future__ import annotations

import base64
import io
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from ._access import TrialInfo, display_value, is_ratio, primary_comparison, trial_info
from .endpoint_text import endpoint_label, endpoint_unit, is_responder
from .summary_text import _TESTS

__all__ = ["write_report", "render_report", "figure_bytes"]

# figure name -> (section title, caption, embedded format)
SECTIONS = {
    "protocol": (
        "Protocol at a glance",
        "Dosing days of each arm over the whole study (top) and day by day during the dosing "
        "period (bottom); triangles mark clinic visits.",
        "svg",
    ),
    "salt": (
        "SALT score over time",
        "SALT (percent scalp hair loss, 0 = full hair, 100 = complete scalp hair loss) per arm: "
        "thick line = median patient, shaded = 90% prediction band (5th-95th percentile of "
        "patients across all simulated trials), thin lines = individual patients from one "
        "simulated trial. Missing visits after drop-out are not drawn.",
        "svg",
    ),
    "responders": (
        "Responders over time",
        "Percent of randomised patients with SALT50 (at least 50% less hair loss than at "
        "baseline) and with SALT \u2264 20 at each visit; patients who dropped out count as "
        "non-responders.",
        "svg",
    ),
    "treg": (
        "Blood regulatory T cells",
        "Treg frequency (% of CD4+ T cells) measured in blood at the visits and its fold change "
        "from each patient's baseline; line = median, shaded = interquartile range.",
        "svg",
    ),
    "primary": (
        "Primary endpoint and power",
        "Left: distribution, across simulated trials, of the primary endpoint difference "
        "between arms. Right: p-values of the primary test; the power is the share of trials "
        "with p below \u03b1.",
        "svg",
    ),
    "scalp": (
        "What the typical patient's scalp looks like",
        "Top view of the scalp (nose up) split into the four SALT regions, drawn for the median "
        "SALT of each arm at baseline, mid follow-up and the end of the study. Skin colour = "
        "bald, strokes = hair; labels give each region's weight and its hair loss. Loss is "
        "placed as patches so that the weighted sum over regions equals the SALT score.",
        "png",
    ),
    "safety": (
        "Safety: adverse events by arm and time",
        "Share of randomised patients with at least one adverse event reported by each visit, "
        "pooled over the simulated trials: any event, and each kind that occurred. Events come "
        "from each patient's simulated drug exposure; placebo patients have background events "
        "only. Rates other than the Hartemann-calibrated dose-related events rest on labelled "
        "assumptions (docs/safety.md).",
        "svg",
    ),
}

_INCLUSION_TEXT = {
    "age_min": "Age \u2265 {} years",
    "age_max": "Age \u2264 {} years",
    "salt_min": "SALT at screening \u2265 {}",
    "salt_max": "SALT at screening \u2264 {}",
    "episode_max_years": "Current episode \u2264 {} year(s)",
    "episode_min_years": "Current episode \u2265 {} year(s)",
}


def figure_bytes(
    name: str,
    summary: dict,
    patients: pd.DataFrame,
    info: TrialInfo,
    fmt: str,
    dpi: int = 300,
    quantize: bool = False,
) -> bytes:
    """Render one figure to bytes in format `fmt` (svg, png, pdf)."""
    import matplotlib.pyplot as plt

    from .figures import FIGURES

    fig = FIGURES[name](summary, patients, info)
    buf = io.BytesIO()
    meta = {"Date": None} if fmt == "svg" else {}
    try:
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta or None, bbox_inches="tight")
    finally:
        plt.close(fig)
    data = buf.getvalue()
    return _quantize_png(data) if fmt == "png" and quantize else data


def _quantize_png(data: bytes, colors: int = 256) -> bytes:
    """Shrink a PNG (hair strokes compress badly) by reducing it to a small palette."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        # octree keeps small saturated areas (arm-coloured labels) that median cut merges away
        small = img.convert("RGB").quantize(
            colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
        out = io.BytesIO()
        small.save(out, format="png", optimize=True)
    return out.getvalue()


def _data_uri(data: bytes, fmt: str) -> str:
    mime = {"svg": "image/svg+xml", "png": "image/png"}[fmt]
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _inclusion_rows(info: TrialInfo) -> list[str]:
    rows = []
    for key, value in info.inclusion.items():
        if key in _INCLUSION_TEXT:
            rows.append(
                _INCLUSION_TEXT[key].format(f"{value:g}" if isinstance(value, float) else value)
            )
        elif key == "resistant_to_systemic" and value:
            rows.append("Resistant to previous systemic treatment")
        elif not isinstance(value, (dict, list)) and value is not False:
            rows.append(f"{key.replace('_', ' ')}: {value}")
    return rows


def _endpoint_table(summary: dict, info: TrialInfo) -> tuple[list[str], list[dict[str, Any]]]:
    arms = [a.name for a in info.arms]
    rows = []
    for name, ep in info.endpoints.items():
        cells = []
        any_value = False
        for arm in arms:
            v = ((summary.get("arms") or {}).get(arm) or {}).get("endpoints", {}).get(name) or {}
            centre = display_value(v.get("mean", v.get("median")), ep, info)
            lo, hi = display_value(v.get("lo"), ep, info), display_value(v.get("hi"), ep, info)
            if centre is None:
                cells.append("\u2013")
                continue
            any_value = True
            digits = 0 if is_responder(ep) else 1
            text = f"{centre:.{digits}f}"
            if lo is not None and hi is not None:
                text += f" ({lo:.{digits}f} to {hi:.{digits}f})"
            cells.append(text)
        if any_value:
            unit = endpoint_unit(ep)
            rows.append(
                dict(
                    label=endpoint_label(name, ep)
                    + (" \u2013 primary" if name == info.primary else ""),
                    unit=unit,
                    cells=cells,
                    primary=name == info.primary,
                )
            )
    return arms, rows


def _calibration(summary: dict) -> dict[str, Any]:
    cal = summary.get("calibration")
    if not cal:
        return dict(
            status="not calibrated",
            ok=False,
            details=[],
            note="The model ran with its literature default parameters; no calibration "
            "ensemble was used, so predictions carry extra, unquantified uncertainty.",
        )
    if not isinstance(cal, dict):
        cal = {"status": str(cal)}
    status = str(cal.get("status", "unknown"))
    details = [
        (k.replace("_", " "), v)
        for k, v in cal.items()
        if k != "status" and not isinstance(v, (dict, list))
    ]
    ok = status.lower().startswith(("calibrated", "ok", "pass"))
    return dict(status=status, ok=ok, details=details, note="")


#: The patients-table columns the report reads (figures, summary text, trial facts).
REPORT_COLUMNS = (
    "replicate",
    "subject",
    "arm",
    "visit_week",
    "dropped_out",
    "salt_observed",
    "salt_true",
    "treg_pct_cd4_observed",
    "treg_pct_cd4",
)


def _report_columns(patients: pd.DataFrame) -> pd.DataFrame:
    """Only the columns the report reads, so that every filter copies less."""
    keep = [c for c in patients.columns if c in REPORT_COLUMNS]
    return patients[keep] if keep and len(keep) < len(patients.columns) else patients


def render_report(summary: dict, patients: pd.DataFrame, scenario: Any) -> str:
    """The report as an HTML string (see `write_report`)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from .safety import safety_rows
    from .summary_text import summary_paragraph

    summary = summary or {}
    patients = _report_columns(patients if patients is not None else pd.DataFrame())
    if scenario is None:
        scenario = summary.get("scenario_config")
    info = trial_info(summary, patients, scenario)

    figures = {}
    for name, (title, caption, fmt) in SECTIONS.items():
        try:
            data = figure_bytes(name, summary, patients, info, fmt, dpi=150, quantize=True)
            figures[name] = dict(title=title, caption=caption, uri=_data_uri(data, fmt), error=None)
        except Exception as exc:  # a broken figure must not lose the rest of the report
            warnings.warn(f"report figure {name!r} failed: {exc!r}", stacklevel=2)
            figures[name] = dict(
                title=title, caption=caption, uri=None, error=f"{type(exc).__name__}: {exc}"
            )

    arms, endpoint_rows = _endpoint_table(summary, info)
    total_alloc = sum(a.allocation for a in info.arms) or 1.0
    arm_rows = [
        dict(
            name=a.name,
            color=info.arm_colors.get(a.name, "#000000"),
            allocation=f"{a.allocation:g}",
            share=f"{100 * a.allocation / total_alloc:.0f}%",
            regimen=a.regimen_text(),
            control=a.name == info.control_arm,
        )
        for a in info.arms
    ]
    comp = primary_comparison(summary, info)
    primary_ep = info.endpoints.get(info.primary) if info.primary else None
    ratio = is_ratio(comp)
    scale_ep = None if ratio else primary_ep
    estimate = display_value(comp.get("estimate_mean"), scale_ep, info)
    ci = comp.get("ci")
    if comp.get("estimate_lo") is not None and comp.get("estimate_hi") is not None:
        ci = [comp["estimate_lo"], comp["estimate_hi"]]
    ci_ok = isinstance(ci, (list, tuple)) and len(ci) == 2
    ci_ok = ci_ok and not any(isinstance(c, (list, tuple)) for c in ci)
    ci_disp = [display_value(c, scale_ep, info) for c in ci] if ci_ok else None
    power = comp.get("power")

    env = Environment(
        loader=PackageLoader("tregsim.report", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html")
    return template.render(
        info=info,
        name=info.name,
        description=info.description,
        summary_text=summary_paragraph(summary, info, patients),
        arm_rows=arm_rows,
        visits=", ".join(f"{v:g}" for v in info.visits_weeks),
        inclusion=_inclusion_rows(info),
        endpoint_arms=arms,
        endpoint_rows=endpoint_rows,
        primary_label=endpoint_label(info.primary, primary_ep) if info.primary else None,
        comparison=dict(
            test=_TESTS.get(str(comp.get("test", "")).lower(), comp.get("test")),
            estimate=estimate,
            ci=ci_disp,
            power=None if power is None else 100 * float(power),
            alpha=comp.get("alpha", info.alpha),
            unit="(odds ratio)"
            if ratio
            else "percentage points"
            if is_responder(primary_ep)
            else endpoint_unit(primary_ep),
        )
        if comp
        else None,
        figures=figures,
        safety_rows=safety_rows(summary),
        calibration=_calibration(summary),
        model_version=summary.get("model_version", "unknown"),
        version=summary.get("tregsim_version", summary.get("version", "unknown")),
        seed=info.seed,
        replicates=info.replicates,
        n_patients=info.n_patients,
    )


def write_report(summary: dict, patients: pd.DataFrame, scenario: Any, out_path) -> Path:
    """Write the self-contained clinician report (one HTML file) and return its path.

    `summary` is the summary.json dict, `patients` the patients table (contracts.md columns),
    `scenario` the validated scenario (attribute access; dicts and None are tolerated).
    """
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    html = render_report(summary, patients, scenario)
    out.write_text(html, encoding="utf-8")
    return out
