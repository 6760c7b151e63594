"""Files of ``tregsim compare``: compare.csv / compare.json (the table), compare.png (power,
type I error, expected N and duration side by side), front.png (probability of success
against expected N and the safety proxy, the non-dominated variants marked) and
compare.html (a small jinja2 page showing them)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

__all__ = ["write_comparison"]

COLUMNS = (
    "variant",
    "design",
    "power",
    "power_se",
    "type1_error",
    "expected_n",
    "fixed_n",
    "expected_duration_months",
    "safety_endpoint",
    "safety_value",
    "on_front",
    "same_patients_as_first",
    "same_arms_as_first",
)

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tregsim compare</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 70em; color: #222; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
td:nth-child(2), td:nth-child(3) { text-align: left; }
tr.front td:nth-child(2) { font-weight: bold; }
img { max-width: 100%; margin: 1em 0; }
</style></head><body>
<h1>Designs compared on the same virtual patients</h1>
<p>{{ replicates }} simulated trials per variant, seed {{ seed }}: every variant enrols the
same virtual patients and draws the same randomization and measurement streams (common
random numbers; the last two columns check it on the baseline rows: share of the first
variant's patients that this variant has identical, and with the same arm). Probability of success:
share of trials crossing the efficacy boundary in favour of treatment. Type I error: share
of trials rejecting the null hypothesis (either side) when every arm receives placebo.
Expected N: patients enrolled when the trial stops. These are model predictions, not
observed results.</p>
<table>
<tr><th>#</th>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in rows %}<tr class="{{ 'front' if row.on_front else '' }}"><td>{{ loop.index }}</td>
{% for c in columns %}<td>{{ fmt(row[c]) }}</td>{% endfor %}</tr>
{% endfor %}</table>
<img src="compare.png" alt="power, type I error, expected N and duration per variant">
<img src="front.png" alt="probability of success against expected N and the safety proxy">
<p>Points are numbered as the rows of the table; the front (bold rows) holds the variants
that no other variant beats on probability of success, expected N and the safety proxy
together.</p>
</body></html>
"""


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _bars(table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [
        ("power", "probability of success"),
        ("type1_error", "type I error"),
        ("expected_n", "expected N"),
        ("expected_duration_months", "expected duration (months)"),
    ]
    fig, axes = plt.subplots(1, 4, figsize=(16, 0.5 * len(table) + 2.5), sharey=True)
    labels = table["variant"].tolist()
    for ax, (column, title) in zip(axes, panels, strict=True):
        values = pd.to_numeric(table[column], errors="coerce").fillna(0.0)
        ax.barh(labels, values, color="#4c72b0")
        if column == "power" and "power_se" in table:
            se = pd.to_numeric(table["power_se"], errors="coerce").fillna(0.0)
            ax.errorbar(values, labels, xerr=2 * se, fmt="none", color="black", lw=1)
        ax.set_title(title)
        if column in ("power", "type1_error"):
            ax.set_xlim(0.0, 1.0 if column == "power" else max(0.1, float(values.max()) * 1.2))
        ax.invert_yaxis() if ax is axes[0] else None
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _front(table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    safety = pd.to_numeric(table["safety_value"], errors="coerce")
    has_safety = safety.notna().any()
    fig, axes = plt.subplots(1, 2 if has_safety else 1, figsize=(12 if has_safety else 6, 4.5))
    axes = list(axes) if has_safety else [axes]
    power = pd.to_numeric(table["power"], errors="coerce")
    front = table["on_front"].astype(bool)
    xs = [("expected_n", pd.to_numeric(table["expected_n"], errors="coerce"), "expected N")]
    if has_safety:
        xs.append(("safety", safety, f"safety proxy: {table['safety_endpoint'].iloc[0]}"))
    for ax, (_, x, label) in zip(axes, xs, strict=True):
        ax.scatter(x[~front], power[~front], color="#999999", label="dominated")
        ax.scatter(x[front], power[front], color="#c44e52", label="front (not dominated)")
        for number, (xi, yi) in enumerate(zip(x, power, strict=True), start=1):
            ax.annotate(
                str(number), (xi, yi), fontsize=8, xytext=(3, 3), textcoords="offset points"
            )
        ax.set_xlabel(label)
        ax.set_ylabel("probability of success")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_comparison(out_dir: str | Path, comparison: dict) -> Path:
    """Write the comparison's files into ``out_dir`` (created if needed)."""
    import jinja2

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from tregsim.design.evaluate import json_clean

    rows = json_clean(comparison["rows"])
    table = pd.DataFrame(rows).reindex(columns=list(COLUMNS))
    table.to_csv(out / "compare.csv", index=False)
    designs = {
        label: {
            "design": (s["summary"].get("design") or {})
            and {k: v for k, v in s["summary"]["design"].items() if k != "replicate_outcomes"},
            "type1_error": (s["null_summary"] or {}).get("type1_error"),
        }
        for label, s in comparison["summaries"].items()
    }
    payload = {
        "seed": comparison["seed"],
        "replicates": comparison["replicates"],
        "rows": rows,
        "designs": designs,
    }
    (out / "compare.json").write_text(
        json.dumps(json_clean(payload), indent=2, allow_nan=False, default=str)
    )
    _bars(table, out / "compare.png")
    _front(table, out / "front.png")
    page = jinja2.Environment(autoescape=True).from_string(TEMPLATE)
    (out / "compare.html").write_text(
        page.render(
            rows=rows,
            columns=COLUMNS,
            fmt=_fmt,
            seed=comparison["seed"],
            replicates=comparison["replicates"],
        )
    )
    return out
