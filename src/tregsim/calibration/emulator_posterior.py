"""From the three waves (:mod:`.waves`) to the shipped posterior and its checks.

The members are the thinned MCMC draws of the emulated posterior, each simulated in full by
the trial engine: the posterior predictive checks use those simulations (never the
emulator), the prior predictive checks the design wave (prior draws), and the emulator is
checked at the members by comparing its mean prediction with the simulated values.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy.special import expit

from .. import __version__
from .emulator import EmulatedLikelihood, quantity_data
from .outputs import write_files
from .posterior import check_rows, compact, identifiability_rows
from .priors import to_natural
from .waves import DESIGN_FILE, EmulatorSettings, run_waves

POSTERIOR_VERSION_PREFIX = "emulator"


def member_check(emulated: EmulatedLikelihood, x: np.ndarray, values: list[dict]) -> list[dict]:
    """Per emulated quantity: mean emulated and mean simulated value at the members."""
    rows = []
    for name, target in emulated.targets.items():
        data = quantity_data(target, [v.get(name, {"failed": 1.0}) for v in values])
        for q, (kind, y, size, _) in data.items():
            model = emulated.quantities[name][q]
            predicted = model.mean(x)
            if kind == "logit":
                ok = np.isfinite(y) & (size > 0)
                simulated = y[ok] / size[ok]
                predicted = expit(predicted[ok])
            else:
                ok = np.isfinite(y)
                simulated, predicted = y[ok], predicted[ok]
            if not ok.any():
                continue
            rows.append(
                {
                    "target": name,
                    "quantity": q,
                    "emulated": round(float(np.mean(predicted)), 4),
                    "simulated": round(float(np.mean(simulated)), 4),
                }
            )
    return rows


def _points(x: np.ndarray, priors: dict) -> list[dict]:
    return [dict(zip(priors, row.tolist(), strict=True)) for row in x]


def emulator_document(result: dict) -> tuple[dict, dict, list[dict]]:
    """posterior.json (members on the natural scale, equal weights), the predictive checks
    and the identifiability table."""
    settings: EmulatorSettings = result["settings"]
    targets, priors = result["targets"], result["priors"]
    rng = np.random.default_rng(settings.seed)
    checks = {}
    for label, x, values in (
        ("prior", result["prior_x"], result["prior_values"]),
        ("posterior", result["members_x"], result["member_values"]),
    ):
        points = _points(x, priors)
        w = np.full(len(points), 1.0 / max(len(points), 1))
        obs = [
            {"rater_optimism_ror": to_natural(p, priors).get("rater_optimism_ror", 1.0)}
            for p in points
        ]
        checks[label] = check_rows(targets, values, w, obs, rng)
    members_pts = _points(result["members_x"], priors)
    w = np.full(len(members_pts), 1.0 / len(members_pts))
    ident = identifiability_rows(members_pts, w, priors)
    post = result["posterior"]
    n = len(members_pts)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    doc = {
        "status": "calibrated",
        "version": __version__,
        "posterior_version": f"{POSTERIOR_VERSION_PREFIX}-{stamp}-seed{settings.seed}",
        "seed": settings.seed,
        "method": "emulated likelihood (regression emulators of every target's simulated "
        "statistic, fitted to trial-engine simulations in a prior design and a refinement "
        "wave) sampled by MCMC (emcee) at temperature 1; members simulated in full",
        "settings": {
            "design": settings.design,
            "refine": settings.refine,
            "members": settings.members,
            "refine_temperature": settings.refine_temperature,
            "scale": settings.scale,
            "check_scale": settings.check_scale,
            "targets": list(targets),
            "priors": list(priors),
        },
        "simulations": result["simulations"],
        "total_simulations": int(sum(result["simulations"].values())),
        "minutes": round(result["minutes"], 2),
        "final_temperature": 1.0,
        # members are thinned by the chain's autocorrelation time: independent draws unless
        # the chain itself holds fewer (then its ESS)
        "effective_sample_size": round(float(min(n, post["effective_sample_size"])), 1),
        "ensemble_size": n,
        "emulator": {
            "walkers": post["walkers"],
            "steps": post["steps"],
            "autocorr_time": round(post["autocorr_time"], 2),
            "thin": post["thin"],
            "acceptance_fraction": round(post["acceptance_fraction"], 3),
            "chain_effective_sample_size": round(post["effective_sample_size"], 1),
            "quality": result["emulated"].quality(),
            "member_check": member_check(
                result["emulated"], result["members_x"], result["member_values"]
            ),
            "fit": result["emulated"].to_dict(),  # for leave-one-out (emulator_loo)
        },
        "checks": checks,
        "identifiability": ident,
        "members": [to_natural(p, priors) for p in members_pts],
        "weights": [float(x) for x in w],
        "member_values": [compact(v) for v in result["member_values"]],
    }
    return doc, checks, ident


def run_emulator_calibration(
    out_dir: str | os.PathLike,
    settings: EmulatorSettings | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress=None,
) -> dict:
    """Run (or continue, ``resume``) the three waves into ``out_dir`` and write the files of
    :func:`tregsim.calibration.outputs.write_files`. Ctrl-C keeps every finished simulation
    in ``OUT/design.jsonl``; ``resume`` continues from them."""
    settings = settings or EmulatorSettings()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not resume and (out / DESIGN_FILE).exists():
        (out / DESIGN_FILE).unlink()
    result = run_waves(out, settings, workers, scheduler, progress)
    doc, checks, ident = emulator_document(result)
    return write_files(doc, checks, ident, out)
