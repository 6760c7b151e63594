"""Regression emulators of the simulated target statistics, and the likelihood through them.

A particle's simulated experiments are noisy (finite virtual trials), so the log-likelihood
of one simulation scatters by several units around its expectation and exact ABC at
temperature 1 is out of reach on a few cores. Instead, every target's simulated statistic is
*emulated*: a regression over the sampling-scale parameters, fitted to a design of simulated
particles, gives its expected value as a smooth function of the parameters, and the published
statistic's exact sampling distribution is evaluated around it (Wilkinson, AISTATS 2014,
"Accelerating ABC methods using Gaussian processes"; Kennedy & O'Hagan, J R Stat Soc B
2001;63:425, emulator error as an added variance). Per statistic (:mod:`.likelihood` gives the
exact forms for one simulation):

* ``proportion``: logit of the rate, a binomial GLM of the simulated counts; the published
  count is Binomial(n, expit(eta + tau z)) with ``tau`` the emulator's residual SD beyond
  binomial noise, integrated over z ~ N(0, 1) (Gauss-Hermite); open-label targets multiply
  the odds by ``1 / rater_optimism_ror`` (Hrobjartsson, BMJ 2012;344:e1119);
* ``normal``: the value, least squares; Normal(value | m, sqrt(se^2 + tau^2)); the DILT1D
  ED10 emulates each dose arm's Treg rise and reads the ED10 off them with the same
  interpolation and censoring as one simulated trial (:func:`.experiments.ed10_from_rises`);
* ``ordered``: probability that the simulated order holds, a Bernoulli GLM;
* ``median_of``: location (median) and log scale (IQR / 1.349) of the simulated patients'
  values (and of their change, for the open-label shift), least squares; the patients'
  distribution is taken as normal with those, the order-statistic density of the median of
  the published n is integrated over the location's emulator error.

Features: 1, z, z^2 per parameter (z the parameter standardised by its prior) and the pairwise
products of the ``interactions`` parameters with the largest linear effects. Quality is
reported as 5-fold cross-validated R^2 per emulated quantity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy import stats
from scipy.special import expit, gammaln, logsumexp

from .experiments import ed10_from_rises
from .likelihood import ORDER_MATCH
from .priors import log_sd

_NODES, _WEIGHTS = hermegauss(15)
_LOG_WEIGHTS = np.log(_WEIGHTS / math.sqrt(2.0 * math.pi))
SQRT3_PI = math.sqrt(3.0) / math.pi


# ---------------------------------------------------------------- parameters and features
def prior_centre_scale(priors: dict[str, dict]) -> tuple[np.ndarray, np.ndarray]:
    """Centre and SD of each prior on the sampling scale (log for lognormal priors)."""
    centre, scale = [], []
    for p in priors.values():
        if p["dist"] == "lognormal":
            centre.append(math.log(float(p["median"])))
            scale.append(log_sd(p))
        else:
            lo, hi = float(p["low"]), float(p["high"])
            centre.append((lo + hi) / 2)
            scale.append((hi - lo) / math.sqrt(12.0))
    return np.array(centre), np.array(scale)


def log_prior(x: np.ndarray, priors: dict[str, dict]) -> np.ndarray:
    """Log prior density of sampling-scale points ``x`` (rows), up to a constant."""
    x = np.atleast_2d(x)
    out = np.zeros(len(x))
    for j, p in enumerate(priors.values()):
        if p["dist"] == "lognormal":
            s = log_sd(p)
            out += -0.5 * ((x[:, j] - math.log(float(p["median"]))) / s) ** 2
        else:
            inside = (x[:, j] >= float(p["low"])) & (x[:, j] <= float(p["high"]))
            out = np.where(inside, out, -np.inf)
    return out


@dataclass
class Features:
    """1, z, z^2 and chosen pairwise products, z = (x - centre) / scale."""

    centre: np.ndarray
    scale: np.ndarray
    pairs: list[tuple[int, int]] = field(default_factory=list)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(x) - self.centre) / self.scale
        cols = [np.ones((len(z), 1)), z, z * z]
        if self.pairs:
            i, j = np.array(self.pairs).T
            cols.append(z[:, i] * z[:, j])
        return np.hstack(cols)


def _pairs(x: np.ndarray, y: np.ndarray, w: np.ndarray, base: Features, k: int) -> list:
    """Pairwise products of the ``k`` parameters with the largest linear effect on y."""
    if k < 2:
        return []
    z = (x - base.centre) / base.scale
    design = np.hstack([np.ones((len(z), 1)), z])
    sw = np.sqrt(w)[:, None]
    coef = np.linalg.lstsq(design * sw, y * sw[:, 0], rcond=None)[0][1:]
    top = np.argsort(-np.abs(coef))[:k]
    return [(int(a), int(b)) for n, a in enumerate(top) for b in top[n + 1 :]]


# ---------------------------------------------------------------- one emulated quantity
@dataclass
class Quantity:
    """A fitted regression of one simulated quantity: ``kind`` 'logit' (binomial counts) or
    'linear'; ``tau`` the residual SD beyond the simulation's sampling noise (emulator error,
    on the link scale); ``r2_cv`` the 5-fold cross-validated R^2."""

    kind: str
    features: Features
    coef: np.ndarray
    tau: float
    r2_cv: float
    n_points: int

    def mean(self, x: np.ndarray) -> np.ndarray:
        return self.features(x) @ self.coef


def _ridge(design: np.ndarray, y: np.ndarray, w: np.ndarray, alpha: float) -> np.ndarray:
    """Weighted ridge regression, closed form (no penalty on the intercept): the normal
    equations ``(X'WX + alpha n I) b = X'Wy`` (Hoerl & Kennard, Technometrics 1970;12:55)."""
    xw = design * w[:, None]
    gram = design.T @ xw
    penalty = np.full(design.shape[1], alpha * len(y))
    penalty[0] = 0.0
    return np.linalg.solve(gram + np.diag(penalty), xw.T @ y)


def _link_data(kind: str, y: np.ndarray, size: np.ndarray | None):
    """Response on the link scale, its regression weight and sampling variance."""
    if kind == "logit":
        p = (y + 0.5) / (size + 1.0)  # empirical logit (Haldane-Anscombe)
        var = 1.0 / ((size + 1.0) * p * (1 - p))
        return np.log(p / (1 - p)), 1.0 / var, var
    return y, np.ones_like(y), np.zeros_like(y)


def fit_quantity(
    x: np.ndarray,
    y: np.ndarray,
    base: Features,
    kind: str = "linear",
    size: np.ndarray | None = None,
    interactions: int = 6,
    noise_var: np.ndarray | None = None,
    alpha: float = 1e-3,
    folds: int = 5,
    seed: int = 0,
) -> Quantity:
    """Fit one quantity on design points ``x`` (sampling scale); ``size`` the simulated n of a
    'logit' (count) quantity. Weighted least squares on the empirical logit approximates the
    binomial GLM (Cox & Snell, Analysis of Binary Data, 1989, s3.2). ``noise_var``: the
    simulations' own sampling variance of a 'linear' quantity per point (subtracted from the
    out-of-fold error: the emulator error is what is left)."""
    ok = np.isfinite(y) & np.all(np.isfinite(x), axis=1)
    if size is not None:
        ok &= size > 0
    x, y = x[ok], y[ok]
    size = None if size is None else size[ok]
    link, w, var = _link_data(kind, y, size)
    if noise_var is not None and kind == "linear":
        var = np.broadcast_to(np.asarray(noise_var, dtype=float), ok.shape)[ok]
    features = Features(base.centre, base.scale)
    features.pairs = _pairs(x, link, w, base, interactions)
    design = features(x)
    scaled_alpha = alpha * float(np.mean(w))
    coef = _ridge(design, link, w, scaled_alpha)
    order = np.random.default_rng(seed).permutation(len(x))
    press = np.empty(len(x))
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        c = _ridge(design[train], link[train], w[train], scaled_alpha)
        press[test] = link[test] - design[test] @ c
    # emulator error: the out-of-fold residual variance beyond the simulations' own noise
    tau2 = max(float(np.mean(press**2) - np.mean(var)), 0.0)
    total = float(np.var(link)) or 1.0
    r2 = 1.0 - float(np.mean(press**2)) / total
    return Quantity(kind, features, coef, math.sqrt(tau2), r2, int(len(x)))


# ---------------------------------------------------------------- log-likelihoods
def _binom_logpmf(k: int, n: int, p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    log_c = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
    return log_c + k * np.log(p) + (n - k) * np.log1p(-p)


def proportion_loglik(target: dict, eta: np.ndarray, tau: float, log_ror: np.ndarray):
    """Published count given the emulated logit (emulator error integrated out)."""
    n = int(target["n"])
    k = int(round(float(target["value"]) * n))
    eta = (eta - log_ror)[:, None] + tau * _NODES[None, :]
    return logsumexp(_binom_logpmf(k, n, expit(eta)) + _LOG_WEIGHTS, axis=1)


def normal_loglik(target: dict, mean: np.ndarray, tau: float) -> np.ndarray:
    sd = math.sqrt(float(target["se"]) ** 2 + tau**2)
    return stats.norm.logpdf(float(target["value"]), loc=mean, scale=sd)


def ed10_loglik(target: dict, rises: dict[str, np.ndarray]) -> np.ndarray:
    """DILT1D ED10 read off the emulated arm rises, as :func:`.likelihood.target_loglik`."""
    from .likelihood import target_loglik

    arms = list(rises)
    out = np.empty(len(rises[arms[0]]))
    for i in range(len(out)):
        values = ed10_from_rises({a: float(rises[a][i]) for a in arms})
        out[i] = target_loglik(target, values)
    return out


def ordered_loglik(eta: np.ndarray) -> np.ndarray:
    pi = expit(eta)
    return np.log(ORDER_MATCH * pi + (1 - ORDER_MATCH) * (1 - pi))


def median_loglik(
    target: dict, loc: np.ndarray, log_scale: np.ndarray, tau: float, shift: np.ndarray
) -> np.ndarray:
    """Order-statistic density of the published median of n patients drawn from
    Normal(loc - shift, exp(log_scale)), integrated over the location's emulator error."""
    n = int(target["n"])
    h = n // 2
    x = float(target["value"])
    scale = np.exp(log_scale)[:, None]
    z = (x - (loc - shift)[:, None] - tau * _NODES[None, :]) / scale
    log_cdf, log_sf = stats.norm.logcdf(z), stats.norm.logsf(z)
    log_pdf = stats.norm.logpdf(z) - np.log(scale)
    log_c = gammaln(n + 1) - 2 * gammaln(h + 1)
    return logsumexp(log_c + h * (log_cdf + log_sf) + log_pdf + _LOG_WEIGHTS, axis=1)


# ---------------------------------------------------------------- all targets
def quantity_data(target: dict, values: list[dict], scale: float = 1.0) -> dict[str, tuple]:
    """Per emulated quantity of ``target``: (kind, response per design point, size or None,
    the simulations' sampling variance or None). ``scale``: the design's trial-size factor.

    Sampling variances: the median of m simulated patients has variance
    ``(1.2533 s)^2 / m`` (s the patients' SD, normal approximation; Kendall & Stuart, vol. 1,
    s10.10); a simulated arm mean of a ``normal`` target has ``se^2 n / m`` (the published SE
    scaled to the simulated arm size ``m = sim_n x scale``: assumes the model's patients vary
    as much as the trial's)."""
    nan = float("nan")

    def get(v, key, default=nan):
        return default if v.get("failed") else v.get(key, default)

    kind = target["statistic"]
    if kind == "proportion":
        k = np.array([float(get(v, "k")) for v in values])
        n = np.array([float(get(v, "n", 0.0)) for v in values])
        return {"rate": ("logit", k, n, None)}
    if kind == "normal" and target.get("quantity") == "treg_ed10":
        arms = sorted({key for v in values for key in v if key.startswith("rise_")})
        return {
            a: ("linear", np.array([float(get(v, a)) for v in values]), None, None) for a in arms
        }
    if kind in ("normal", "ordered"):
        y = np.array([float(get(v, "value")) for v in values])
        noise = None
        if kind == "normal":
            m = max(3.0, float(target.get("sim_n", target["n"])) * scale)
            noise = float(target["se"]) ** 2 * float(target["n"]) / m
        return {"value": ("linear", y, None, noise)}
    if kind == "median_of":
        loc, log_scale, log_sdc, loc_var = [], [], [], []
        for v in values:
            s = np.asarray(get(v, "samples", []), dtype=float)
            s = s[np.isfinite(s)]
            if len(s) < 3:
                loc.append(nan), log_scale.append(nan), log_sdc.append(nan), loc_var.append(nan)
                continue
            q25, q50, q75 = np.percentile(s, [25, 50, 75])
            loc.append(q50)
            spread = max((q75 - q25) / 1.349, 2.0)
            log_scale.append(math.log(spread))
            loc_var.append((1.2533 * spread) ** 2 / len(s))
            base = np.asarray(v.get("baseline", []), dtype=float)
            later = np.asarray(v["samples"], dtype=float)
            change = later - base if len(base) == len(later) else later
            sd = float(np.nanstd(change)) if np.isfinite(change).sum() > 1 else 0.0
            log_sdc.append(math.log(max(sd, 0.5)))
        out = {"loc": ("linear", np.array(loc), None, np.nan_to_num(np.array(loc_var)))}
        out["log_scale"] = ("linear", np.array(log_scale), None, None)
        if target.get("open_label"):
            out["log_sd_change"] = ("linear", np.array(log_sdc), None, None)
        return out
    raise ValueError(f"unknown statistic {kind!r}")


@dataclass
class EmulatedLikelihood:
    """Emulators of every target's simulated statistics; :meth:`loglik` is the total (or
    per-target) log-likelihood of the published values at sampling-scale points."""

    targets: dict[str, dict]
    priors: dict[str, dict]
    quantities: dict[str, dict[str, Quantity]]

    @classmethod
    def fit(
        cls,
        targets: dict[str, dict],
        priors: dict[str, dict],
        x: np.ndarray,
        values: list[dict[str, dict]],
        interactions: int = 6,
        seed: int = 0,
        design_scale: float = 1.0,
    ) -> EmulatedLikelihood:
        """Fit on design points ``x`` (rows, sampling scale, priors' order) and their
        simulated per-target values (simulated at ``design_scale`` x the targets' sizes)."""
        centre, scale = prior_centre_scale(priors)
        base = Features(centre, scale)
        fitted: dict[str, dict[str, Quantity]] = {}
        for name, target in targets.items():
            rows = [v.get(name, {"failed": 1.0}) for v in values]
            fitted[name] = {
                q: fit_quantity(x, y, base, kind, size, interactions, noise, seed=seed)
                for q, (kind, y, size, noise) in quantity_data(target, rows, design_scale).items()
            }
        return cls(targets, priors, fitted)

    def _log_ror(self, x: np.ndarray) -> np.ndarray:
        names = list(self.priors)
        if "rater_optimism_ror" not in names:
            return np.zeros(len(x))
        j = names.index("rater_optimism_ror")
        value = x[:, j]
        return value if self.priors["rater_optimism_ror"]["dist"] == "lognormal" else np.log(value)

    def target_loglik(self, name: str, x: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(x)
        target, q = self.targets[name], self.quantities[name]
        log_ror = self._log_ror(x) if target.get("open_label") else np.zeros(len(x))
        kind = target["statistic"]
        if kind == "proportion":
            return proportion_loglik(target, q["rate"].mean(x), q["rate"].tau, log_ror)
        if kind == "normal" and target.get("quantity") == "treg_ed10":
            return ed10_loglik(target, {a.removeprefix("rise_"): m.mean(x) for a, m in q.items()})
        if kind == "normal":
            return normal_loglik(target, q["value"].mean(x), q["value"].tau)
        if kind == "ordered":
            match = np.clip(q["value"].mean(x), 0.01, 0.99)
            return ordered_loglik(np.log(match / (1 - match)))
        shift = np.zeros(len(x))
        if "log_sd_change" in q:
            shift = -log_ror * SQRT3_PI * np.exp(q["log_sd_change"].mean(x))
        return median_loglik(target, q["loc"].mean(x), q["log_scale"].mean(x), q["loc"].tau, shift)

    def loglik(self, x: np.ndarray, exclude: tuple[str, ...] = ()) -> np.ndarray:
        """Total log-likelihood at each row of ``x`` (without the ``exclude`` targets)."""
        x = np.atleast_2d(x)
        names = [n for n in self.targets if n not in exclude]
        return np.sum([self.target_loglik(n, x) for n in names], axis=0)

    def log_posterior(
        self, x: np.ndarray, temperature: float = 1.0, exclude: tuple[str, ...] = ()
    ) -> np.ndarray:
        """Log prior + log-likelihood / temperature (-inf outside a uniform prior)."""
        x = np.atleast_2d(x)
        lp = log_prior(x, self.priors)
        out = np.full(len(x), -np.inf)
        ok = np.isfinite(lp)
        if ok.any():
            out[ok] = lp[ok] + self.loglik(x[ok], exclude) / temperature
        return out

    def to_dict(self) -> dict:
        """The fitted emulators, JSON-ready (posterior.json ``emulator.fit``)."""
        return {
            name: {
                q: {
                    "kind": m.kind,
                    "pairs": [list(p) for p in m.features.pairs],
                    "coef": [float(c) for c in m.coef],
                    "tau": m.tau,
                    "r2_cv": m.r2_cv,
                    "n_points": m.n_points,
                }
                for q, m in qs.items()
            }
            for name, qs in self.quantities.items()
        }

    @classmethod
    def from_dict(
        cls, fit: dict, targets: dict[str, dict], priors: dict[str, dict]
    ) -> EmulatedLikelihood:
        """Rebuild from :meth:`to_dict` with the same targets and priors (in their order)."""
        centre, scale = prior_centre_scale(priors)
        quantities = {
            name: {
                q: Quantity(
                    m["kind"],
                    Features(centre, scale, [tuple(p) for p in m["pairs"]]),
                    np.asarray(m["coef"], dtype=float),
                    float(m["tau"]),
                    float(m["r2_cv"]),
                    int(m["n_points"]),
                )
                for q, m in qs.items()
            }
            for name, qs in fit.items()
        }
        return cls({n: targets[n] for n in fit}, priors, quantities)

    def quality(self) -> list[dict]:
        """Per emulated quantity: points, cross-validated R^2, residual SD (link scale)."""
        return [
            {
                "target": name,
                "quantity": q,
                "kind": m.kind,
                "points": m.n_points,
                "r2_cv": round(m.r2_cv, 3),
                "tau": round(m.tau, 4),
            }
            for name, qs in self.quantities.items()
            for q, m in qs.items()
        ]
