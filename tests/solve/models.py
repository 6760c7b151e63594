"""Test models for the solver: numba kernels ``rhs(t, y, p, dydt)`` / ``jac(t, y, p, J)``."""

import numpy as np
from numba import njit

AUTONOMOUS = True


# Robertson chemical kinetics (Hairer & Wanner II, sec. IV.1): p = (k1, k2, k3)
@njit(cache=True)
def robertson_rhs(t, y, p, dydt):
    dydt[0] = -p[0] * y[0] + p[2] * y[1] * y[2]
    dydt[1] = p[0] * y[0] - p[2] * y[1] * y[2] - p[1] * y[1] * y[1]
    dydt[2] = p[1] * y[1] * y[1]


@njit(cache=True)
def robertson_jac(t, y, p, J):
    J[0, 0] = -p[0]
    J[0, 1] = p[2] * y[2]
    J[0, 2] = p[2] * y[1]
    J[1, 0] = p[0]
    J[1, 1] = -p[2] * y[2] - 2.0 * p[1] * y[1]
    J[1, 2] = -p[2] * y[1]
    J[2, 0] = 0.0
    J[2, 1] = 2.0 * p[1] * y[1]
    J[2, 2] = 0.0


# Linear system y' = A y with A = p.reshape(n, n) (row-major)
@njit(cache=True)
def linear_rhs(t, y, p, dydt):
    n = y.shape[0]
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += p[i * n + j] * y[j]
        dydt[i] = s


@njit(cache=True)
def linear_jac(t, y, p, J):
    n = y.shape[0]
    for i in range(n):
        for j in range(n):
            J[i, j] = p[i * n + j]


# One-compartment PK with first-order absorption: depot -> central -> out; p = (ka, ke)
@njit(cache=True)
def pk_rhs(t, y, p, dydt):
    dydt[0] = -p[0] * y[0]
    dydt[1] = p[0] * y[0] - p[1] * y[1]


@njit(cache=True)
def pk_jac(t, y, p, J):
    J[0, 0] = -p[0]
    J[0, 1] = 0.0
    J[1, 0] = p[0]
    J[1, 1] = -p[1]


# Non-autonomous scalar problem y' = cos(t) * y (exact: y0 exp(sin t)); p unused
@njit(cache=True)
def forced_rhs(t, y, p, dydt):
    dydt[0] = np.cos(p[0] * t) * y[0]


@njit(cache=True)
def forced_jac(t, y, p, J):
    J[0, 0] = np.cos(p[0] * t)


# Blows up in finite time when p[0] > 0: y' = p0 * y^2 (exact y0 / (1 - p0 y0 t))
@njit(cache=True)
def blowup_rhs(t, y, p, dydt):
    dydt[0] = p[0] * y[0] * y[0]


@njit(cache=True)
def blowup_jac(t, y, p, J):
    J[0, 0] = 2.0 * p[0] * y[0]
