"""HTML pieces the server renders: run status, the results of a run, the comparison.

Figures are PNG bytes of the report's own figures, shown inline as data URIs (the app
needs no network and no static file route).
"""

from __future__ import annotations

import base64
from typing import Any

from shiny import ui

from tregsim.app.runner import DesignResult, JobOutcome, TrialJob

__all__ = [
    "compare_view",
    "figure_img",
    "primary_rows",
    "results_view",
    "status_view",
]

_FIGURE_TITLES = {
    "salt": "SALT over time",
    "responders": "Responders",
    "treg": "Blood Tregs",
    "primary": "Primary endpoint: difference and power",
    "scalp": "Scalp pictures of the typical patient",
}


def figure_img(png: bytes, element_id: str, alt: str) -> Any:
    """An ``<img>`` holding PNG bytes."""
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return ui.tags.img(src=src, id=element_id, alt=alt, class_="tregsim-figure")


def _fmt(value: Any, percent: bool) -> str:
    if not isinstance(value, int | float):
        return "n/a"
    return f"{100 * value:.1f}%" if percent else f"{value:.3g}"


def primary_rows(result: DesignResult) -> list[dict[str, str]]:
    """Per arm: the primary endpoint's mean [95% range] over replicates; and its power."""
    scenario, summary = result.scenario, result.summary
    primary = scenario.analysis.primary
    percent = scenario.endpoint(primary).is_responder
    rows = []
    for arm in scenario.arm_names:
        stats = summary.get("arms", {}).get(arm, {}).get("endpoints", {}).get(primary, {})
        text = _fmt(stats.get("mean"), percent)
        if isinstance(stats.get("lo"), int | float) and isinstance(stats.get("hi"), int | float):
            text += f" [{_fmt(stats['lo'], percent)}, {_fmt(stats['hi'], percent)}]"
        rows.append({"design": result.label, "arm": arm, primary: text, "power": ""})
    for comparison in summary.get("comparisons", {}).values():
        if comparison.get("endpoint") == primary and "power" in comparison:
            rows.append(
                {
                    "design": result.label,
                    "arm": f"{comparison.get('arm', '')} vs {comparison.get('control', '')}",
                    primary: str(comparison.get("test", "")),
                    "power": f"{100 * comparison['power']:.0f}%",
                }
            )
    return rows


def _table(rows: list[dict[str, str]]) -> Any:
    if not rows:
        return ui.tags.p("No results.")
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return ui.tags.table(
        {"class": "table table-sm w-auto"},
        ui.tags.thead(ui.tags.tr(*(ui.tags.th(c) for c in columns))),
        ui.tags.tbody(
            *(ui.tags.tr(*(ui.tags.td(row.get(c, "")) for c in columns)) for row in rows)
        ),
    )


def status_view(job: TrialJob | None, running: bool, outcome: JobOutcome | None) -> Any:
    """Progress of the job in flight, or how the last one ended."""
    if job is not None and running:
        done, total, phase, seconds = job.snapshot()
        return ui.tags.div(
            ui.tags.progress(value=str(done), max=str(max(total, 1)), class_="w-100"),
            ui.tags.div(
                f"{done} of {total} replicate trials, {seconds:.0f} s ({phase})",
                id="run-progress",
                class_="small",
            ),
        )
    if outcome is None:
        return ui.tags.div("No run yet.", class_="small text-muted", id="run-progress")
    if outcome.status == "done":
        seconds = sum(r.seconds for r in outcome.results)
        text = f"Done: {outcome.replicates} replicate trials in {seconds:.1f} s."
        return ui.tags.div(text, class_="small text-success", id="run-progress")
    css = "small text-warning" if outcome.status == "cancelled" else "small text-danger"
    return ui.tags.div(outcome.message, class_=css, id="run-progress")


def results_view(outcome: JobOutcome | None) -> Any:
    """The report's figures and the primary endpoint table of the last run."""
    if outcome is None or not outcome.results:
        message = outcome.message if outcome is not None else "Run the design to see results."
        return ui.tags.p(message or "No results.", id="results-empty")
    result = outcome.results[0]
    header = (
        f"{result.label}: {outcome.replicates} replicate trials of {result.scenario.population.n}"
        f" patients, seed {outcome.seed} ({result.seconds:.1f} s)"
    )
    figures = [
        ui.card(
            ui.card_header(_FIGURE_TITLES.get(name, name)),
            figure_img(png, f"fig-{name}", _FIGURE_TITLES.get(name, name)),
        )
        for name, png in result.figures.items()
    ]
    return ui.TagList(
        ui.tags.h5(header, id="results-header"), _table(primary_rows(result)), *figures
    )


def compare_view(outcome: JobOutcome | None) -> Any:
    """Side-by-side results of 2-4 designs run on the same virtual patients."""
    if outcome is None or not outcome.results:
        message = outcome.message if outcome is not None else ""
        return ui.tags.p(message, id="compare-empty")
    rows = [row for result in outcome.results for row in primary_rows(result)]
    columns = [
        ui.tags.div(
            ui.tags.h6(result.label),
            *(
                figure_img(png, f"compare-{i}-{name}", f"{result.label}: {name}")
                for name, png in result.figures.items()
            ),
        )
        for i, result in enumerate(outcome.results)
    ]
    note = (
        f"{outcome.replicates} replicate trials per design, seed {outcome.seed}: designs that "
        "screen and enrol alike see the same virtual patients, so differences come from the "
        "designs, not from chance."
    )
    width = 12 // max(1, len(columns))
    return ui.TagList(
        ui.tags.p(note, id="compare-note"),
        _table(rows),
        ui.layout_columns(*columns, col_widths=(width,) * len(columns)),
    )
