"""The Hartemann 2013 adverse-event counts: binomial likelihood and the exposure-link fit.

Hartemann et al. (Lancet Diabetes Endocrinol 2013; DF-IL2 trial, 24 adults with type 1
diabetes) gave placebo or aldesleukin 0.33, 1 or 3 MIU/day SC for 5 days (6 per arm) and
reported dose-related non-serious adverse events in 1/6, 3/6, 5/6 and 6/6 patients.

The model of kind ``il2_dose_related`` (``tregsim/data/adverse_events.yaml``): on each of
the 5 injection days a patient has an event with probability
``1 - (1 - b) * (1 - p(x_d))``, where ``b`` is the background (placebo) probability per
injection day and ``p(x) = x^h / (x^h + ec50^h)`` the Hill link of the day's simulated
plasma IL-2 AUC ``x_d`` (pM x day, :mod:`tregsim.safety.exposure`). So the share of an arm
with at least one event is ``1 - (1 - b)^5 * prod_d (1 - p(x_d))``.

:func:`fit_dose_related` maximises the binomial likelihood of the four counts over
``(b, log ec50, log h)`` for the typical patient's exposures (ensemble-centre parameters,
healthy state, 70 kg) and gives the covariance from the observed information (inverse
Hessian of the negative log-likelihood on that scale). :func:`log_likelihood` is the
function a calibration calls with simulated (or link-predicted) arm probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

__all__ = [
    "DOSES_MIU",
    "EVENTS",
    "N_PER_ARM",
    "HartemannFit",
    "arm_probabilities",
    "binomial_log_likelihood",
    "fit_dose_related",
    "log_likelihood",
    "typical_daily_auc",
]

#: Daily SC doses of the four arms (placebo = 0), MIU/day for 5 days.
DOSES_MIU = (0.0, 0.33, 1.0, 3.0)
#: Patients with a dose-related non-serious adverse event, per arm (Hartemann 2013).
EVENTS = (1, 3, 5, 6)
#: Patients per arm.
N_PER_ARM = (6, 6, 6, 6)
#: Injection days of the Hartemann course.
DAYS = 5


def binomial_log_likelihood(events, n, probabilities) -> float:
    """Sum of binomial log-probabilities ``log C(n, k) + k log p + (n - k) log(1 - p)``."""
    from scipy.stats import binom

    k = np.asarray(events, dtype=float)
    n = np.asarray(n, dtype=float)
    p = np.clip(np.asarray(probabilities, dtype=float), 1e-12, 1 - 1e-12)
    return float(np.sum(binom.logpmf(k, n, p)))


def log_likelihood(probabilities) -> float:
    """Binomial log-likelihood of the Hartemann counts given the four arms' probabilities
    of at least one dose-related event (placebo, 0.33, 1, 3 MIU/day), e.g. the simulated
    ``ae_il2_dose_related_w1`` proportions of the ``hartemann-2013`` scenario."""
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.shape != (4,):
        raise ValueError("give four probabilities: placebo, 0.33, 1 and 3 MIU/day")
    return binomial_log_likelihood(EVENTS, N_PER_ARM, probabilities)


@cache
def typical_daily_auc(dose_miu: float) -> tuple[float, ...]:
    """Simulated plasma IL-2 AUC (pM x day) on each of 5 days of ``dose_miu`` MIU SC, for
    the typical patient (ensemble-centre parameters, healthy state, 70 kg)."""
    from tregsim.model import MODEL, initial_state
    from tregsim.model.dosing import NMOL_PER_MIU, SC_LAG_DAYS
    from tregsim.population import PopulationSpec, typical_parameters
    from tregsim.population.ensemble import ensemble_centre
    from tregsim.safety.exposure import daily_exposure
    from tregsim.solve import EventTable

    if dose_miu <= 0:
        return (0.0,) * DAYS
    params = typical_parameters(PopulationSpec().with_member(ensemble_centre()))[None, :]
    times = np.arange(DAYS) + SC_LAG_DAYS
    events = EventTable(
        time=times,
        patient=np.zeros(DAYS, dtype=np.int64),
        state=np.full(DAYS, MODEL.state_index["il2_depot"]),
        kind=np.zeros(DAYS, dtype=np.int8),
        value=np.full(DAYS, dose_miu * NMOL_PER_MIU),
    )
    _, aucs = daily_exposure(params, initial_state(params), events, "il2_central", "il2_v1")
    return tuple(float(a) for a in aucs[0])


def arm_probabilities(background: float, ec50: float, hill: float) -> np.ndarray:
    """Probability of at least one event in each Hartemann arm under the link."""
    out = []
    for dose in DOSES_MIU:
        x = np.asarray(typical_daily_auc(dose))
        with np.errstate(divide="ignore"):
            ratio = (x / ec50) ** hill
        p_day = ratio / (1.0 + ratio)
        out.append(1.0 - (1.0 - background) ** DAYS * np.prod(1.0 - p_day))
    return np.array(out)


@dataclass(frozen=True)
class HartemannFit:
    """Maximum-likelihood link parameters and their uncertainty.

    ``background`` (per injection day), ``ec50`` (pM x day), ``hill``; ``se_log`` holds the
    standard errors of (logit b, log ec50, log hill) from the observed information, ``ci95``
    the implied 95% Wald intervals on the natural scale; ``probabilities`` the fitted arm
    probabilities and ``log_likelihood`` the maximum.
    """

    background: float
    ec50: float
    hill: float
    se_log: tuple[float, float, float]
    ci95: dict[str, tuple[float, float]]
    probabilities: tuple[float, ...]
    log_likelihood: float


def _negative_ll(theta: np.ndarray) -> float:
    b = 1.0 / (1.0 + np.exp(-theta[0]))
    return -log_likelihood(arm_probabilities(b, float(np.exp(theta[1])), float(np.exp(theta[2]))))


def _hessian(f, x: np.ndarray, step: float = 1e-3) -> np.ndarray:
    n = x.size
    h = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * step, np.eye(n)[j] * step
            h[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * step * step
            )
    return h


def fit_dose_related() -> HartemannFit:
    """Fit (b, ec50, hill) to the Hartemann counts by maximum binomial likelihood."""
    from scipy.optimize import minimize

    start = np.array([np.log(0.036 / 0.964), np.log(1.0), np.log(1.0)])
    best = minimize(
        _negative_ll,
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 4000},
    )
    theta = best.x
    cov = np.linalg.pinv(_hessian(_negative_ll, theta))
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    logistic = lambda v: 1.0 / (1.0 + np.exp(-v))  # noqa: E731
    ci = {
        "background": (
            float(logistic(theta[0] - 1.96 * se[0])),
            float(logistic(theta[0] + 1.96 * se[0])),
        ),
        "ec50": (float(np.exp(theta[1] - 1.96 * se[1])), float(np.exp(theta[1] + 1.96 * se[1]))),
        "hill": (float(np.exp(theta[2] - 1.96 * se[2])), float(np.exp(theta[2] + 1.96 * se[2]))),
    }
    b, ec50, hill = float(logistic(theta[0])), float(np.exp(theta[1])), float(np.exp(theta[2]))
    return HartemannFit(
        background=b,
        ec50=ec50,
        hill=hill,
        se_log=(float(se[0]), float(se[1]), float(se[2])),
        ci95=ci,
        probabilities=tuple(float(p) for p in arm_probabilities(b, ec50, hill)),
        log_likelihood=float(-best.fun),
    )
