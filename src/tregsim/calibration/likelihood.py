"""Exact likelihoods of the published statistics, given one simulated experiment.

* ``proportion``: the published count ``k = round(value * n)`` of ``n`` is binomial with the
  model's rate; the rate is known only through the simulated trial (``k_s`` of ``n_s``), so
  with a Jeffreys Beta(1/2, 1/2) prior on it the likelihood is beta-binomial,
  ``BetaBin(k | n, k_s + 1/2, n_s - k_s + 1/2)`` (exact for the rate the simulation suggests,
  and wider, not biased, when the simulated trial is small). Open-label targets first
  multiply the rate's odds by ``1 / rater_optimism_ror`` (Hrobjartsson, BMJ 2012;344:e1119).
* ``median_of``: the published median of ``n`` patients (n odd); its density at ``x`` is the
  order-statistic density ``n! / (h! h!) F(x)^h (1 - F(x))^h f(x)``, ``h = n // 2``, with
  ``F``/``f`` a Gaussian-kernel smoothing of the simulated patients' values (bandwidth
  Silverman's rule, at least 2 SALT points). Open-label SALT is shifted down by the rater
  optimism in SALT points: ``ln(1 / ror) * sqrt(3) / pi`` standard deviations of the simulated
  change from baseline (the logit-to-SMD conversion of Chinn, Stat Med 2000;19:3127).
* ``normal``: ``Normal(value | model, se)``; when the model value is outside the experiment's
  range (``censor`` = -1 below / +1 above), the probability of the observed side.
* ``ordered``: 0.95 when the simulated order matches the report, 0.05 otherwise (assumed).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats
from scipy.special import betaln, gammaln

#: log-likelihood given to a target whose experiment failed (an impossible particle)
FAILED = -1e4
ORDER_MATCH = 0.95


def _log_betabinom(k: int, n: int, a: float, b: float) -> float:
    return float(
        gammaln(n + 1)
        - gammaln(k + 1)
        - gammaln(n - k + 1)
        + betaln(k + a, n - k + b)
        - betaln(a, b)
    )


def optimism_odds(p: float, ror: float) -> float:
    """Rate as an open-label rater reports it: odds multiplied by ``1 / ror``."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    odds = p / (1 - p) / ror
    return odds / (1 + odds)


def optimism_points(values: dict, ror: float) -> float:
    """Open-label optimism in SALT points (logit -> SMD, Chinn 2000) for a median target."""
    base = np.asarray(values.get("baseline", []), dtype=float)
    later = np.asarray(values["samples"], dtype=float)
    change = later - base if len(base) == len(later) else later
    sd = float(np.nanstd(change)) if np.isfinite(change).sum() > 1 else 0.0
    return math.log(1.0 / ror) * math.sqrt(3.0) / math.pi * sd


def _median_loglik(x: float, samples: np.ndarray, n: int) -> float:
    s = samples[np.isfinite(samples)]
    if len(s) < 3:
        return FAILED
    h = max(2.0, 1.06 * float(np.std(s)) * len(s) ** -0.2)
    z = (x - s) / h
    cdf = float(np.mean(stats.norm.cdf(z)))
    pdf = float(np.mean(stats.norm.pdf(z))) / h
    k = n // 2
    cdf = min(max(cdf, 1e-12), 1 - 1e-12)
    log_c = gammaln(n + 1) - 2 * gammaln(k + 1)
    return float(log_c + k * math.log(cdf) + k * math.log(1 - cdf) + math.log(max(pdf, 1e-300)))


def target_loglik(target: dict, values: dict, observation: dict | None = None) -> float:
    """Log-likelihood of ``target``'s published statistic given a simulated experiment."""
    if values.get("failed"):
        return FAILED
    observation = observation or {}
    ror = float(observation.get("rater_optimism_ror", 1.0)) if target.get("open_label") else 1.0
    kind, n, value = target["statistic"], int(target["n"]), float(target["value"])
    if kind == "proportion":
        k_obs = int(round(value * n))
        k_s, n_s = float(values["k"]), float(values["n"])
        if n_s <= 0:
            return FAILED
        if ror != 1.0:
            p = optimism_odds((k_s + 0.5) / (n_s + 1.0), ror)
            return float(stats.binom.logpmf(k_obs, n, p))
        return _log_betabinom(k_obs, n, k_s + 0.5, n_s - k_s + 0.5)
    if kind == "median_of":
        samples = np.asarray(values["samples"], dtype=float)
        if ror != 1.0:
            samples = np.clip(samples - optimism_points(values, ror), 0.0, 100.0)
        return _median_loglik(value, samples, n)
    if kind == "normal":
        model, se, censor = float(values["value"]), float(target["se"]), values.get("censor", 0)
        if censor < 0:  # model value below the range: P(published estimate is above it) small
            return float(stats.norm.logcdf(model, loc=value, scale=se))
        if censor > 0:
            return float(stats.norm.logsf(model, loc=value, scale=se))
        return float(stats.norm.logpdf(value, loc=model, scale=se))
    if kind == "ordered":
        match = float(values["value"]) == value
        return math.log(ORDER_MATCH if match else 1 - ORDER_MATCH)
    raise ValueError(f"unknown statistic {kind!r}")


def total_loglik(targets: dict, simulated: dict, observation: dict | None = None) -> float:
    """Sum of the targets' log-likelihoods (a target not simulated counts as failed)."""
    return float(
        sum(
            target_loglik(t, simulated.get(name, {"failed": 1}), observation)
            for name, t in targets.items()
        )
    )


def predictive_draws(
    target: dict,
    values: dict,
    rng: np.random.Generator,
    observation: dict | None = None,
    size: int = 1,
) -> np.ndarray:
    """Draws of the published statistic for a study of the published size, given one simulated
    experiment (posterior / prior predictive checks, ``tregsim validate``)."""
    if values.get("failed"):
        return np.full(size, np.nan)
    observation = observation or {}
    ror = float(observation.get("rater_optimism_ror", 1.0)) if target.get("open_label") else 1.0
    kind, n = target["statistic"], int(target["n"])
    if kind == "proportion":
        k_s, n_s = float(values["k"]), float(values["n"])
        p = rng.beta(k_s + 0.5, n_s - k_s + 0.5, size=size)
        if ror != 1.0:
            p = np.array([optimism_odds(x, ror) for x in p])
        return rng.binomial(n, p) / n
    if kind == "median_of":
        samples = np.asarray(values["samples"], dtype=float)
        samples = samples[np.isfinite(samples)]
        if ror != 1.0:
            samples = np.clip(samples - optimism_points(values, ror), 0.0, 100.0)
        picks = rng.choice(samples, size=(size, n), replace=True)
        return np.median(picks, axis=1)
    if kind == "normal":
        return float(values["value"]) + float(target["se"]) * rng.standard_normal(size)
    if kind == "ordered":
        match = rng.random(size) < ORDER_MATCH
        return np.where(match, float(values["value"]), 1.0 - float(values["value"]))
    raise ValueError(f"unknown statistic {kind!r}")
