"""``tregsim calibrate`` (default method): emulator-based Bayesian calibration in three waves.

1. **Design**: ``design`` parameter sets from the prior (scrambled Sobol points mapped
   through the prior quantiles; Owen, J Complexity 1997;13:438), each running every target's
   experiment with the trial engine at ``scale`` x the target's simulated size;
2. **Refinement**: emulators (:mod:`.emulator`) fitted to the design give a cheap likelihood;
   ``refine`` more parameter sets are drawn from the *tempered* emulator posterior
   (``prior x L^(1 / refine_temperature)``, wider than the posterior) and simulated, so that
   the emulators are accurate where the posterior lies (history matching in waves: Vernon,
   Goldstein & Bower, Bayesian Anal 2010;5:619);
3. **Posterior**: the emulators refitted on both waves, the posterior at temperature 1 is
   sampled by MCMC (emcee's ensemble sampler with differential-evolution moves; Foreman-Mackey
   et al., PASP 2013;125:306; ter Braak & Vrugt, Stat Comput 2008;18:435), thinned by its
   integrated autocorrelation time to ``members`` independent draws; each member is simulated
   in full (``check_scale``) for the posterior predictive checks and the emulator's own check.

Every simulated parameter set is appended to ``OUT/design.jsonl`` as it finishes (Ctrl-C
keeps them; ``resume`` skips those done). Which points are simulated depends only on the
seed and the finished simulations, never on the number of workers.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats
from scipy.stats import qmc

from .abc import CalibrationSettings, TargetModel, unflatten
from .emulator import EmulatedLikelihood, prior_centre_scale
from .experiments import validate_targets
from .priors import log_sd

DESIGN_FILE = "design.jsonl"
WAVES = ("design", "refine", "members")


@dataclass(frozen=True)
class EmulatorSettings:
    """Sizes of an emulator calibration (see the module docstring)."""

    design: int = 1600
    refine: int = 1200
    members: int = 200
    refine_temperature: float = 3.0
    scale: float = 0.5
    check_scale: float = 1.0
    walkers: int = 96
    steps: int = 4000
    interactions: int = 6
    seed: int = 2024
    targets: tuple[str, ...] | None = None
    priors: tuple[str, ...] | None = None
    max_minutes: float | None = None  # after this, waves stop simulating and go on

    @classmethod
    def quick(cls, seed: int = 2024) -> EmulatorSettings:
        """A ~1-minute end-to-end run (tests): the cheap targets, the priors that act on
        them, small waves."""
        base = CalibrationSettings.quick(seed)
        priors = (
            "treg_program_on",
            "treg_activation",
            "treg_proliferation",
            "treg_resting_proliferation",
            "activity_sd",
            "rater_optimism_ror",
        )
        return cls(
            design=40,
            refine=16,
            members=8,
            scale=base.scale,
            check_scale=base.scale,
            walkers=24,
            steps=400,
            interactions=2,
            seed=seed,
            targets=base.targets,
            priors=priors,
        )

    def model_settings(self, scale: float) -> CalibrationSettings:
        return CalibrationSettings(
            seed=self.seed, scale=scale, targets=self.targets, priors=self.priors
        )

    def chosen_targets(self) -> dict[str, dict]:
        return self.model_settings(self.scale).chosen_targets()

    def chosen_priors(self) -> dict[str, dict]:
        return self.model_settings(self.scale).chosen_priors()

    @property
    def total_simulations(self) -> int:
        return self.design + self.refine + self.members


# ---------------------------------------------------------------- points
def prior_design(priors: dict[str, dict], size: int, seed: int) -> np.ndarray:
    """``size`` scrambled-Sobol points mapped through the prior quantiles (sampling scale)."""
    with warnings.catch_warnings():  # balance needs 2^m points; any size is still uniform
        warnings.simplefilter("ignore", UserWarning)
        u = qmc.Sobol(d=len(priors), scramble=True, seed=seed).random(size)
    u = np.clip(u, 1e-6, 1 - 1e-6)
    x = np.empty_like(u)
    for j, p in enumerate(priors.values()):
        if p["dist"] == "lognormal":
            x[:, j] = stats.norm.ppf(u[:, j], math.log(float(p["median"])), log_sd(p))
        else:
            x[:, j] = float(p["low"]) + u[:, j] * (float(p["high"]) - float(p["low"]))
    return x


def sample_posterior(
    emulated: EmulatedLikelihood,
    start: np.ndarray,
    walkers: int,
    steps: int,
    seed: int,
    temperature: float = 1.0,
    exclude: tuple[str, ...] = (),
) -> dict:
    """MCMC on the emulated posterior (without the ``exclude`` targets); returns the flat
    thinned chain and its diagnostics."""
    import emcee

    rng = np.random.default_rng(seed)
    dim = start.shape[1]
    walkers = max(walkers, 2 * dim + 2)

    def log_prob(x):
        return emulated.log_posterior(x, temperature, exclude)

    score = log_prob(start)
    order = np.argsort(-score)
    best = start[order[np.arange(walkers) % len(order)]]  # repeats when start is short
    _, scale = prior_centre_scale(emulated.priors)
    p0 = best + 0.05 * scale * rng.standard_normal(best.shape)
    bad = ~np.isfinite(log_prob(p0))
    p0[bad] = best[bad]
    sampler = emcee.EnsembleSampler(
        walkers,
        dim,
        log_prob,
        vectorize=True,
        moves=[(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)],
    )
    sampler.random_state = np.random.RandomState(seed).get_state()
    sampler.run_mcmc(p0, steps, progress=False)
    burn = steps // 2
    quiet = logging.getLogger("emcee")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # a short chain's warning; the ESS below says it
    try:
        tau = sampler.get_autocorr_time(discard=burn, quiet=True)
    finally:
        quiet.setLevel(level)
    tau_max = float(np.nanmax(tau))
    thin = max(1, int(math.ceil(tau_max)))
    chain = sampler.get_chain(discard=burn, thin=thin, flat=True)
    return {
        "chain": chain,
        "autocorr_time": tau_max,
        "thin": thin,
        "effective_sample_size": float(walkers * (steps - burn) / tau_max),
        "acceptance_fraction": float(np.mean(sampler.acceptance_fraction)),
        "walkers": walkers,
        "steps": steps,
        "log_posterior": sampler.get_log_prob(discard=burn, thin=thin, flat=True),
    }


def pick(chain: np.ndarray, size: int, seed: int) -> np.ndarray:
    """``size`` rows of a thinned chain (without replacement when it is long enough)."""
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(chain), size=size, replace=len(chain) < size)
    return chain[np.sort(idx)]


# ---------------------------------------------------------------- simulations on disk
def _jsonable(flat: dict) -> dict:
    return {
        k: (np.round(np.asarray(v, float), 3).tolist() if np.ndim(v) else float(v))
        for k, v in flat.items()
    }


def load_design(out: Path) -> dict[tuple[str, int], dict]:
    """Finished simulations of ``OUT/design.jsonl``: (wave, index) -> record."""
    path = out / DESIGN_FILE
    done: dict[tuple[str, int], dict] = {}
    if not path.exists():
        return done
    for line in path.read_text().splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:  # a line cut by an interruption
            continue
        done[(rec["wave"], int(rec["index"]))] = rec
    return done


def _drop_stale(out: Path, wave: str, points: np.ndarray, complete: tuple[str, ...]) -> dict:
    """Finished simulations, after removing those of ``wave`` whose point is not the one
    planned now (a run resumed with other settings or code re-simulates them) or that lack
    one of the ``complete`` targets (members simulated by a run that still stopped early)."""
    done = load_design(out)

    def stale_record(key, rec) -> bool:
        if key[1] >= len(points) or not np.allclose(rec["point"], points[key[1]], rtol=1e-12):
            return True
        names = {k.partition(":")[0] for k in rec["values"]}
        return not set(complete) <= names

    stale = [key for key, rec in done.items() if key[0] == wave and stale_record(key, rec)]
    if stale:
        for key in stale:
            del done[key]
        tmp = out / f".{DESIGN_FILE}.partial"
        tmp.write_text("".join(json.dumps(rec) + "\n" for rec in done.values()))
        os.replace(tmp, out / DESIGN_FILE)
    return done


def simulate_points(
    out: Path,
    wave: str,
    points: np.ndarray,
    priors: dict[str, dict],
    model: TargetModel,
    workers: int | None,
    scheduler: str | None,
    deadline: float | None,
    progress: Callable[[str, int, int], None] | None,
    complete: tuple[str, ...] = (),
) -> None:
    """Simulate every point of ``wave`` not yet in design.jsonl, appending as each finishes
    (a record lacking one of the ``complete`` targets counts as not done)."""
    done = _drop_stale(out, wave, points, complete)
    todo = [i for i in range(len(points)) if (wave, i) not in done]
    names = list(priors)
    finished = len(points) - len(todo)
    if progress:
        progress(wave, finished, len(points))
    if not todo:
        return
    with open(out / DESIGN_FILE, "a") as handle:

        def record(i: int, flat: dict) -> None:
            nonlocal finished
            rec = {"wave": wave, "index": i, "point": points[i].tolist(), "values": _jsonable(flat)}
            handle.write(json.dumps(rec) + "\n")
            handle.flush()
            finished += 1
            if progress:
                progress(wave, finished, len(points))

        args = [(i, dict(zip(names, points[i].tolist(), strict=True))) for i in todo]
        _run_all(args, model, workers, scheduler, deadline, record)


def _run_all(args, model, workers, scheduler, deadline, record) -> None:
    def late() -> bool:
        return deadline is not None and time.monotonic() > deadline

    if scheduler:
        from distributed import Client, as_completed

        with Client(scheduler, timeout=10) as client:
            futures = {client.submit(model, point, pure=False): i for i, point in args}
            try:
                for future in as_completed(futures):
                    record(futures[future], future.result())
                    if late():
                        break
            finally:
                client.cancel(list(futures))
        return
    if not workers or workers <= 1:
        for i, point in args:
            record(i, model(point))
            if late():
                return
        return
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    with ProcessPoolExecutor(max_workers=workers, mp_context=_spawn()) as pool:
        queue = iter(args)
        running = {}
        for i, point in queue:
            running[pool.submit(model, point)] = i
            if len(running) >= 2 * workers:
                break
        try:
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    record(running.pop(future), future.result())
                if late():
                    break
                for i, point in queue:
                    running[pool.submit(model, point)] = i
                    if len(running) >= 2 * workers:
                        break
        finally:
            for future in running:
                future.cancel()


def simulate_in_memory(
    points: list[dict], model: TargetModel, workers: int | None = None
) -> list[dict]:
    """The model's flat output at each point (sampling scale), in order; nothing on disk."""
    if not workers or workers <= 1:
        return [model(p) for p in points]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, mp_context=_spawn()) as pool:
        return list(pool.map(model, points))


def _spawn():
    """Worker processes are spawned, not forked: a parent that already ran numba's OpenMP
    threads (a trial before the leave-one-out) cannot fork safely (GNU OpenMP aborts)."""
    import multiprocessing

    return multiprocessing.get_context("spawn")


def wave_data(out: Path, waves: tuple[str, ...], priors: dict) -> tuple[np.ndarray, list[dict]]:
    """Points (rows) and per-target values of the finished simulations of ``waves``."""
    recs = [r for (w, _), r in sorted(load_design(out).items()) if w in waves]
    x = np.array([r["point"] for r in recs], dtype=float).reshape(-1, len(priors))
    return x, [unflatten(r["values"]) for r in recs]


# ---------------------------------------------------------------- the three waves
def run_waves(
    out_dir: str | os.PathLike,
    settings: EmulatorSettings,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """Run (or continue) the three waves; returns what the outputs need."""
    targets, priors = settings.chosen_targets(), settings.chosen_priors()
    validate_targets(targets)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    deadline = started + 60 * settings.max_minutes if settings.max_minutes else None
    several = bool(scheduler) or bool(workers and workers > 1)
    threads = 1 if several else None
    design_model = TargetModel(settings.model_settings(settings.scale), threads=threads)

    def run(wave, points, model, stop_at, complete=()):
        simulate_points(
            out, wave, points, priors, model, workers, scheduler, stop_at, progress, complete
        )

    x1 = prior_design(priors, settings.design, settings.seed)
    run("design", x1, design_model, deadline)
    x, values = wave_data(out, ("design",), priors)
    emulated = EmulatedLikelihood.fit(
        targets, priors, x, values, settings.interactions, design_scale=settings.scale
    )
    tempered = sample_posterior(
        emulated,
        x,
        settings.walkers,
        settings.steps // 2,
        settings.seed + 1,
        settings.refine_temperature,
    )
    x2 = pick(tempered["chain"], settings.refine, settings.seed + 2)
    run("refine", x2, design_model, deadline)
    x, values = wave_data(out, ("design", "refine"), priors)
    emulated = EmulatedLikelihood.fit(
        targets, priors, x, values, settings.interactions, design_scale=settings.scale
    )
    posterior = sample_posterior(
        emulated, x, settings.walkers, settings.steps, settings.seed + 3, 1.0
    )
    x3 = pick(posterior["chain"], settings.members, settings.seed + 4)
    check_model = TargetModel(
        settings.model_settings(settings.check_scale), threads=threads, stop_early=False
    )
    # the shipped members are always simulated in full, every target
    run("members", x3, check_model, None, tuple(targets))
    xm, member_values = wave_data(out, ("members",), priors)
    prior_x, prior_values = wave_data(out, ("design",), priors)
    return {
        "settings": settings,
        "targets": targets,
        "priors": priors,
        "emulated": emulated,
        "posterior": posterior,
        "members_x": xm,
        "member_values": member_values,
        "prior_x": prior_x,
        "prior_values": prior_values,
        "simulations": {w: len(wave_data(out, (w,), priors)[0]) for w in WAVES},
        "minutes": (time.monotonic() - started) / 60,
    }
