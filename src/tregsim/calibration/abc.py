"""``tregsim calibrate``: Bayesian calibration by ABC-SMC with an exact-likelihood kernel.

pyabc's ABC-SMC (Klinger, Rickert & Hasenauer, Bioinformatics 2018;34:3591) with a
*stochastic acceptor* (Wilkinson, Stat Appl Genet Mol Biol 2013;12:129): a particle whose
simulated experiments give log-likelihood ``l`` (:mod:`tregsim.calibration.likelihood`) is
accepted with probability ``exp((l - c) / T)``; the temperature ``T`` falls over the
generations to 1, where the accepted, importance-weighted particles are draws from the exact
posterior (of the likelihood as estimated by one simulated trial per target). Every particle
runs the trial engine (:mod:`tregsim.calibration.experiments`).

The run lives in ``OUT/abc.db`` (pyabc's sqlite History): each finished generation is kept,
Ctrl-C keeps them, and ``resume=True`` continues the stored run.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .experiments import (
    default_targets,
    load_targets,
    safety_targets,
    simulate_targets,
    validate_targets,
)
from .likelihood import FAILED, target_loglik, total_loglik
from .priors import load_priors, pyabc_prior, to_natural

#: A particle whose partial log-likelihood falls below this stops simulating (cheap targets
#: run first); its acceptance probability at temperature 1 would be below exp(-300).
STOP_BELOW = -300.0
#: The acceptor's normalising constant per generation (pyabc's log file, JSON), in OUT.
ACCEPTOR_LOG = "acceptor_log.json"


@dataclass(frozen=True)
class CalibrationSettings:
    """Sizes of the ABC-SMC run. ``scale`` multiplies every simulated trial size."""

    population_size: int = 200
    generations: int = 6
    seed: int = 2024
    scale: float = 1.0
    targets: tuple[str, ...] | None = None  # None = every default target (targets.yaml)
    priors: tuple[str, ...] | None = None  # None = every default prior (priors.yaml)
    max_minutes: float | None = None  # stop starting generations after this wall time

    @classmethod
    def quick(cls, seed: int = 2024) -> CalibrationSettings:
        """A ~minute-long end-to-end run (tests): 6 particles, 2 generations, small trials."""
        cheap = (
            "treg_dilt1d_ed10",
            "treg_hartemann_order",
            "pilot_baseline_median",
            "pilot_partial_regrowth",
        )
        return cls(population_size=6, generations=2, seed=seed, scale=0.4, targets=cheap)

    def chosen_targets(self) -> dict[str, dict]:
        everything = {**load_targets(), **safety_targets()}
        names = self.targets or tuple(default_targets())
        return {n: everything[n] for n in names}

    def chosen_priors(self) -> dict[str, dict]:
        everything = load_priors()
        names = self.priors or tuple(n for n, p in everything.items() if p.get("calibrate", True))
        return {n: everything[n] for n in names}


def _flatten(simulated: dict[str, dict]) -> dict:
    out = {}
    for name, values in simulated.items():
        for key, value in values.items():
            out[f"{name}:{key}"] = (
                np.asarray(value, dtype=float)
                if key == "samples" or key == "baseline"
                else float(value)
            )
    return out


def unflatten(sumstat: dict) -> dict[str, dict]:
    """The per-target values of a stored particle (inverse of the model's flat output)."""
    out: dict[str, dict] = {}
    for key, value in sumstat.items():
        name, _, field = str(key).partition(":")
        if field:
            out.setdefault(name, {})[field] = value
    return out


class TargetModel:
    """pyabc model: sampled point -> flat per-target values (picklable for worker processes).

    ``threads`` sets numba's threads inside the model call: 1 when several worker processes
    share the machine, so that the processes, not numba's threads, fill the cores (each
    process would otherwise start one thread per core). ``stop_early``: a particle whose
    partial log-likelihood falls below :data:`STOP_BELOW` skips its remaining experiments
    (False for posterior members, which are always simulated in full).
    """

    def __init__(
        self, settings: CalibrationSettings, threads: int | None = None, stop_early: bool = True
    ):
        self.settings = settings
        self.stop_early = stop_early
        self.targets = settings.chosen_targets()
        self.priors = settings.chosen_priors()
        self.threads = threads

    def replicate_of(self, member: dict[str, float]) -> int:
        text = repr(sorted((k, round(v, 12)) for k, v in member.items()))
        return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "little")

    def __call__(self, point: dict) -> dict:
        if self.threads is not None:
            import numba

            numba.set_num_threads(min(self.threads, numba.config.NUMBA_NUM_THREADS))
        member = to_natural(dict(point), self.priors)
        observation = {"rater_optimism_ror": member.get("rater_optimism_ror", 1.0)}

        def stop(done: dict[str, dict]) -> bool:
            ll = sum(target_loglik(self.targets[n], v, observation) for n, v in done.items())
            return ll < STOP_BELOW

        simulated = simulate_targets(
            member,
            self.targets,
            self.settings.seed,
            self.replicate_of(member),
            scale=self.settings.scale,
            stop=stop if self.stop_early else None,
        )
        return _flatten(simulated)


def make_kernel(targets: dict[str, dict]):
    """The stochastic kernel: log-likelihood of every published statistic."""
    from pyabc.distance import SCALE_LOG, StochasticKernel

    class TargetLikelihood(StochasticKernel):
        def __init__(self):
            super().__init__(ret_scale=SCALE_LOG, keys=None, pdf_max=None)

        def __call__(self, x, x_0, t=None, par=None):
            observation = {}
            if par is not None and "rater_optimism_ror" in par:
                observation["rater_optimism_ror"] = float(np.exp(par["rater_optimism_ror"]))
            return max(total_loglik(targets, unflatten(x), observation), 5 * FAILED)

    return TargetLikelihood()


def _transition(priors: dict, population_size: int):
    """The proposal: a multivariate normal kernel density of the last generation when the
    population is at least 3 particles per parameter, else a product of 1-D kernels.

    The multivariate kernel follows posterior correlations (higher effective sample size per
    particle) but needs a full-rank particle covariance: with fewer particles than ~3x the
    parameters it is singular, proposal densities underflow and the importance weights
    collapse (seen: effective sample size 1.6 of 24 with 26 parameters). The product of 1-D
    kernels is always well defined and ignores correlations (the weights still target the
    posterior).
    """
    from pyabc.transition import AggregatedTransition, MultivariateNormalTransition

    if population_size >= 3 * len(priors):
        return MultivariateNormalTransition()
    return AggregatedTransition(mapping={name: MultivariateNormalTransition() for name in priors})


def _acceptor(log_file: str | None = None):
    """Wilkinson's stochastic acceptor with pyabc's scaled normalisation (Schaelte & Hasenauer,
    Bioinformatics 2020;36:i551): once the acceptance rate falls below 10%, the normalising
    constant ``c`` is lowered by ``ln(10) x T`` below the largest log-likelihood found, so that
    a particle within that margin of the best is accepted with probability 1 instead of
    ``exp((l - c) / T)``. The accepted particles then follow ``prior x min(L, e^c)^(1/T)``: the
    top of the likelihood is flattened (wider, not narrower, than the exact posterior) and the
    acceptance rate stays workable with a noisy, simulated likelihood; ``posterior.json``
    reports the share of particles above ``c`` (``share_truncated``)."""
    from pyabc.acceptor import ScaledPDFNorm, StochasticAcceptor

    return StochasticAcceptor(
        pdf_norm_method=ScaledPDFNorm(factor=10.0, alpha=0.5), log_file=log_file
    )


def _temperature():
    """Adaptive temperatures: each generation's temperature is the lower of the one giving a
    30% acceptance rate and a fixed-ratio decay; the schedule is not forced to reach 1 at the
    last generation, so a run cut short (time, Ctrl-C) ends on a tempered posterior
    (likelihood ** (1 / T): wider, never narrower, than the exact one) and says its T."""
    from pyabc.epsilon import AcceptanceRateScheme, ExpDecayFixedRatioScheme, Temperature

    return Temperature(
        schemes=[AcceptanceRateScheme(), ExpDecayFixedRatioScheme()],
        enforce_exact_final_temperature=False,
    )


class _ProgressHandler(logging.Handler):
    """Forwards pyabc's per-generation log lines (generation, temperature, acceptance)."""

    def __init__(self, callback: Callable[[str], None]):
        super().__init__()
        self.callback = callback

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith(("t:", "Accepted:", "Acceptance", "Stop")):
            self.callback(message)


def run_abc(
    out_dir: str | os.PathLike,
    settings: CalibrationSettings,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: Callable[[str], None] | None = None,
):
    """Run (or continue) the ABC-SMC; returns the pyabc History (also in ``OUT/abc.db``)."""
    import pyabc
    from pyabc.sampler import MulticoreEvalParallelSampler, SingleCoreSampler

    targets = settings.chosen_targets()
    validate_targets(targets)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "abc.db"
    if scheduler:
        from distributed import Client
        from pyabc.sampler import DaskDistributedSampler

        sampler = DaskDistributedSampler(Client(scheduler))
    elif workers and workers > 1:
        sampler = MulticoreEvalParallelSampler(n_procs=workers)
    else:
        sampler = SingleCoreSampler()
    several = bool(scheduler) or bool(workers and workers > 1)
    abc = pyabc.ABCSMC(
        TargetModel(settings, threads=1 if several else None),
        pyabc_prior(settings.chosen_priors()),
        make_kernel(targets),
        population_size=settings.population_size,
        sampler=sampler,
        transitions=_transition(settings.chosen_priors(), settings.population_size),
        acceptor=_acceptor(str(out / ACCEPTOR_LOG)),
        eps=_temperature(),
    )
    handler = _ProgressHandler(progress) if progress else None
    abc_logger = logging.getLogger("ABC")
    level = abc_logger.level
    abc_logger.setLevel(logging.INFO if handler else logging.WARNING)
    if handler:
        abc_logger.addHandler(handler)
    try:
        if resume and db.exists():
            history = pyabc.History(f"sqlite:///{db}")
            abc.load(f"sqlite:///{db}", history.id)
            done = history.max_t + 1
            from .posterior import _final_temperature

            if _final_temperature(history) <= 1.0:  # the run reached the exact posterior
                done = settings.generations
        else:
            if db.exists():
                db.unlink()
            np.random.seed(settings.seed)  # noqa: NPY002 - pyabc samples from the legacy global RNG
            abc.new(f"sqlite:///{db}", {"observed": 0.0})
            done = 0
        remaining = settings.generations - done
        if remaining > 0:
            from datetime import timedelta

            walltime = timedelta(minutes=settings.max_minutes) if settings.max_minutes else None
            abc.run(max_nr_populations=remaining, max_walltime=walltime)
    finally:
        abc_logger.setLevel(level)
        if handler:
            abc_logger.removeHandler(handler)
    return pyabc.History(f"sqlite:///{db}")
