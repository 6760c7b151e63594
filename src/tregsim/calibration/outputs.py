"""Files of a calibration run: posterior.json, checks.json, identifiability.csv, plots.

``OUT/abc.db`` holds the run (every finished generation); :func:`write_outputs` turns its
last finished generation into the files below, so an interrupted run still yields the best
posterior it reached:

* ``posterior.json``: the posterior to ship (copy to ``src/tregsim/data/posterior.json``);
* ``checks.json``: prior (generation 0) and posterior predictive checks of every target;
* ``identifiability.csv``: posterior vs prior width per parameter;
* ``predictive_checks.png``, ``identifiability.png``; ``calibration.md`` (tables).
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np

from .abc import CalibrationSettings, run_abc
from .posterior import identifiability, posterior_document, predictive_checks


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(text)
    os.replace(tmp, path)


def plot_checks(checks: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(checks["posterior"])
    cols = 4
    rows = int(np.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.6 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names, strict=False):
        for label, colour in (("prior", "0.7"), ("posterior", "tab:blue")):
            row = checks[label].get(name, {})
            if row.get("draws"):
                ax.hist(
                    row["draws"],
                    weights=row["draw_weights"],
                    bins=30,
                    color=colour,
                    alpha=0.6,
                    density=True,
                    label=label,
                )
        ax.axvline(checks["posterior"][name]["observed"], color="k", lw=2, label="published")
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(names) :]:
        ax.axis("off")
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_identifiability(ident: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 0.28 * len(ident) + 1))
    names = [r["parameter"] for r in ident]
    ax.barh(names, [r["width_ratio"] for r in ident], color="tab:blue")
    ax.axvline(1.0, color="k", lw=1)
    ax.axvline(0.5, color="0.5", ls="--", lw=1)
    ax.set_xlabel("posterior / prior 95% width (1 = the data say nothing)")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _or_dash(value) -> str:
    return "-" if value is None else f"{value:.3g}"


def _abc_header(doc: dict) -> list[str]:
    return [
        f"Posterior {doc['posterior_version']}: {doc['ensemble_size']} weighted particles, "
        f"effective sample size {doc['effective_sample_size']}, generations "
        f"{doc['settings']['generations_done']}, {doc['total_simulations']} simulated "
        f"particles, scale {doc['settings']['scale']}, final temperature "
        f"{doc['final_temperature']:.3g} (1 = exact posterior), share of the last "
        f"generation above the acceptor's constant (flattened top): "
        f"{_or_dash(doc.get('share_truncated'))}.",
        "",
        "| generation | temperature | accepted | simulations | acceptance |",
        "|---|---|---|---|---|",
        *(
            f"| {g['t']} | {g['temperature']:.3g} | {g['accepted']} | {g['simulations']} | "
            f"{_or_dash(g['acceptance_rate'])} |"
            for g in doc.get("generations", [])
        ),
        "",
    ]


def _emulator_header(doc: dict) -> list[str]:
    em, sims = doc["emulator"], doc["simulations"]
    lines = [
        f"Posterior {doc['posterior_version']}: {doc['ensemble_size']} equally weighted members "
        f"(each simulated in full), effective sample size {doc['effective_sample_size']} "
        f"(MCMC on the emulated likelihood at temperature 1: {em['walkers']} walkers x "
        f"{em['steps']} steps, autocorrelation time {em['autocorr_time']:.3g}, acceptance "
        f"{em['acceptance_fraction']:.2f}, chain ESS {em['chain_effective_sample_size']:.0f}); "
        f"simulations: design {sims['design']}, refinement {sims['refine']}, members "
        f"{sims['members']}; {doc['minutes']:.1f} minutes.",
        "",
        "Emulators (5-fold cross-validated R^2 on the link scale; tau the out-of-fold error SD "
        "beyond the simulations' own noise, added to the likelihood), and their check at the "
        "posterior members (mean emulated vs mean simulated value, response scale):",
        "",
        "| target | quantity | points | R^2 (CV) | tau | emulated at members | simulated |",
        "|---|---|---|---|---|---|---|",
    ]
    checks = {(c["target"], c["quantity"]): c for c in em.get("member_check", [])}
    for q in em["quality"]:
        c = checks.get((q["target"], q["quantity"]), {})
        lines.append(
            f"| {q['target']} | {q['quantity']} | {q['points']} | {q['r2_cv']:.2f} | "
            f"{q['tau']:.3g} | {_or_dash(c.get('emulated'))} | {_or_dash(c.get('simulated'))} |"
        )
    return [*lines, ""]


def markdown(doc: dict) -> str:
    """Tables of the checks and of identifiability (also pasted into docs/calibration.md)."""
    lines = _emulator_header(doc) if "emulator" in doc else _abc_header(doc)
    lines += [
        "| target | published | prior 95% PI | posterior mean | posterior 95% PI | PIT | inside |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in doc["checks"]["posterior"].items():
        prior = doc["checks"]["prior"].get(name, {})
        if row.get("failed"):
            lines.append(f"| {name} | {row['observed']:g} | - | failed | - | - | no |")
            continue
        lines.append(
            f"| {name} | {row['observed']:g} | {prior.get('lo', float('nan')):.3g}-"
            f"{prior.get('hi', float('nan')):.3g} | {row['mean']:.3g} | {row['lo']:.3g}-"
            f"{row['hi']:.3g} | {row['pit']:.2f} | {'yes' if row['inside'] else 'NO'} |"
        )
    lines += [
        "",
        "| parameter | group | prior 95% | posterior median [95%] | width ratio | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for r in doc["identifiability"]:
        lines.append(
            f"| {r['parameter']} | {r['group']} | {r['prior_95'][0]:.3g}-{r['prior_95'][1]:.3g} | "
            f"{r['posterior_median']:.3g} [{r['posterior_95'][0]:.3g}-{r['posterior_95'][1]:.3g}]"
            f" | {r['width_ratio']:.2f} | {r['verdict']} |"
        )
    return "\n".join(lines) + "\n"


def write_outputs(history, settings: CalibrationSettings, out_dir: str | os.PathLike) -> dict:
    """Write the files of the last finished generation into ``out_dir``; returns the document."""
    out = Path(out_dir)
    checks = predictive_checks(history, settings, seed=settings.seed)
    ident = identifiability(history, settings)
    doc = posterior_document(history, settings, checks, ident, log_dir=out)
    return write_files(doc, checks, ident, out)


def write_files(doc: dict, checks: dict, ident: list[dict], out: Path) -> dict:
    """posterior.json, checks.json, identifiability.csv, the plots and calibration.md (each
    written whole or not at all); returns the document as written (checks without draws)."""
    slim = {**doc, "checks": _strip_draws(checks)}
    _write(out / "posterior.json", json.dumps(slim, indent=1) + "\n")
    _write(out / "checks.json", json.dumps(checks) + "\n")
    with open(out / ".identifiability.csv.partial", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ident[0]))
        writer.writeheader()
        writer.writerows(ident)
    os.replace(out / ".identifiability.csv.partial", out / "identifiability.csv")
    plot_checks(checks, out / "predictive_checks.png")
    plot_identifiability(ident, out / "identifiability.png")
    _write(out / "calibration.md", markdown(slim))
    return slim


def _strip_draws(checks: dict) -> dict:
    return {
        label: {
            n: {k: v for k, v in row.items() if k not in ("draws", "draw_weights")}
            for n, row in rows.items()
        }
        for label, rows in checks.items()
    }


def run_calibration(
    out_dir: str | os.PathLike,
    settings: CalibrationSettings | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress=None,
) -> dict:
    """Run (or resume) the ABC-SMC into ``out_dir`` and write its files; Ctrl-C writes the
    files of the last finished generation, then re-raises."""
    settings = settings or CalibrationSettings()
    try:
        history = run_abc(out_dir, settings, workers, scheduler, resume, progress)
    except KeyboardInterrupt:
        import pyabc

        db = Path(out_dir) / "abc.db"
        if db.exists():
            history = pyabc.History(f"sqlite:///{db}")
            if history.max_t is not None and history.max_t >= 0:
                write_outputs(history, settings, out_dir)
        raise
    return write_outputs(history, settings, out_dir)
