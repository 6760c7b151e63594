"""Clinician report of a tregsim run: one self-contained HTML file plus single figures.

Public API:
- `write_report(summary, patients, scenario, out_path) -> Path`: report.html.
- `plot_figure(name, summary, patients, scenario, out_path) -> Path`: one figure, PNG/SVG/PDF
  by suffix; `name` in `FIGURES`.
- `plot_cli(run_dir, figure, out_path=None) -> Path`: the same from a run directory
  (summary.json + patients.parquet), for `tregsim plot`.

Matplotlib and jinja2 are imported only when something is drawn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["FIGURES", "load_run", "plot_cli", "plot_figure", "write_report"]

FIGURES: tuple[str, ...] = ("protocol", "salt", "responders", "treg", "primary", "scalp")
"""Names accepted by `plot_figure` / `plot_cli`, in report order."""

_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


def write_report(summary, patients=None, scenario: Any = None, out_path=None) -> Path:
    """Write report.html (figures embedded, no network use) and return its path.

    `summary`: the summary.json dict; `patients`: the patients DataFrame (contracts.md
    columns); `scenario`: the validated scenario object (a dict or None also work; None falls
    back to summary['scenario_config']). `out_path`: the .html file, or a folder to hold
    report.html. Also accepted: `write_report(trial_result, out_dir)` with a
    `tregsim.api.TrialResult` (anything with `.summary` and `.patients`).
    """
    from .html import write_report as _write

    if hasattr(summary, "summary") and hasattr(summary, "patients"):
        result = summary
        if out_path is None and isinstance(patients, (str, Path)):
            out_path, patients = patients, None
        summary, patients = result.summary, result.patients
        scenario = scenario if scenario is not None else getattr(result, "scenario", None)
    if out_path is None:
        raise ValueError("out_path=None: pass the report file (.html) or a folder for it")
    out = Path(out_path)
    if out.is_dir() or out.suffix.lower() not in (".html", ".htm"):
        out = out / "report.html"
    return _write(summary, patients, scenario, out)


def plot_figure(
    name: str, summary: dict, patients, scenario: Any, out_path, dpi: int = 300
) -> Path:
    """Write the report figure `name` (one of FIGURES) to `out_path` (.png, .svg or .pdf)."""
    if name not in FIGURES:
        raise ValueError(f"figure={name!r} is not a report figure; choose one of {FIGURES}")
    out = Path(out_path)
    fmt = _FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"out_path={str(out_path)!r} has suffix {out.suffix!r}; use .png, .svg or .pdf"
        )
    import pandas as pd

    from ._access import trial_info
    from .html import figure_bytes

    patients = patients if patients is not None else pd.DataFrame()
    info = trial_info(summary or {}, patients, scenario)
    data = figure_bytes(name, summary or {}, patients, info, fmt, dpi=dpi)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out


def _load_scenario(summary: dict) -> Any:
    """Scenario from summary['scenario_yaml'] (YAML text or path) or the built-in name."""
    import importlib

    loaders = []
    for module, attr in (
        ("tregsim.scenarios", "load_scenario"),
        ("tregsim", "load_scenario"),
        ("tregsim.protocol", "load_scenario"),
    ):
        try:
            loaders.append(getattr(importlib.import_module(module), attr))
        except (ImportError, AttributeError):
            continue
    text = summary.get("scenario_yaml")
    if text:
        import tempfile

        import yaml

        if isinstance(text, str) and "\n" not in text and Path(text).is_file():
            text = Path(text).read_text(encoding="utf-8")
        for load in loaders:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "scenario.yaml"
                path.write_text(text, encoding="utf-8")
                try:
                    return load(str(path))
                except Exception:  # schema mismatch: fall back to the raw mapping
                    continue
        raw = yaml.safe_load(text)
        return raw if isinstance(raw, dict) else None
    name = summary.get("scenario")
    for load in loaders:
        try:
            return load(name)
        except Exception:
            continue
    return None


def load_run(run_dir) -> tuple[dict, Any, Any]:
    """(summary, patients, scenario) from a run directory written by `tregsim run`."""
    import pandas as pd

    run = Path(run_dir)
    summary_path = run / "summary.json"
    if not summary_path.is_file():
        raise FileNotFoundError(f"run_dir={str(run_dir)!r} has no summary.json; pass a run folder")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    patients_path = run / "patients.parquet"
    patients = pd.read_parquet(patients_path) if patients_path.is_file() else pd.DataFrame()
    return summary, patients, _load_scenario(summary)


def plot_cli(run_dir, figure: str, out_path=None) -> Path:
    """Draw `figure` (one of FIGURES, or 'report' for report.html) from a run directory.

    `out_path` defaults to <run_dir>/<figure>.png (report: <run_dir>/report.html).
    """
    if figure != "report" and figure not in FIGURES:
        raise ValueError(f"figure={figure!r} is unknown; choose one of {FIGURES + ('report',)}")
    summary, patients, scenario = load_run(run_dir)
    if figure == "report":
        return write_report(summary, patients, scenario, out_path or Path(run_dir) / "report.html")
    out = out_path or Path(run_dir) / f"{figure}.png"
    return plot_figure(figure, summary, patients, scenario, out)
