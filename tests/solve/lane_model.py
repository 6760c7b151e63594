"""A two-compartment chain with every kernel of a generated model, lane kernels included.

``y0' = -a y0``, ``y1' = a y0 - b y1``, ``p = (a, b, flag)``. Hand-written in the layout of
``tregsim.model._generated`` (sparse LU on the Jacobian's nonzeros, extended parameters,
``*_lanes`` kernels with ``LANES`` patients lane-minor), so that the solver's lane driver
runs on a model with a known solution. The flag rides along as a fourth "Jacobian value"
that the LU reads: a patient with ``flag > 0`` gets a bad pivot from both ``lu_factor``
and ``lu_factor_lanes``. The one-patient path then uses the dense LU with pivoting, and the
lane driver must hand the patient over to it.
"""

import numpy as np
from numba import njit

AUTONOMOUS = True
JAC_NNZ = 4  # (0, 0), (1, 0), (1, 1), and the flag
LU_NNZ = 4
N_EXTENDED = 4  # a, b, flag, a + b (the last unused: a non-trivial extension)
LANES = 8
DEFAULT_RTOL = np.array([1e-7, 1e-7])
DEFAULT_ATOL = np.array([1e-12, 1e-12])


@njit(cache=True)
def rhs(t, y, p, dydt):
    dydt[0] = -p[0] * y[0]
    dydt[1] = p[0] * y[0] - p[1] * y[1]


@njit(cache=True)
def jac(t, y, p, J):
    J[0, 0] = -p[0]
    J[0, 1] = 0.0
    J[1, 0] = p[0]
    J[1, 1] = -p[1]


@njit(cache=True)
def jac_values(t, y, p, v):
    v[0] = -p[0]
    v[1] = p[0]
    v[2] = -p[1]
    v[3] = p[2]


@njit(cache=True)
def extend_parameters(p, q):
    q[0] = p[0]
    q[1] = p[1]
    q[2] = p[2]
    q[3] = p[0] + p[1]


# the extension only appends, so the plain kernels read the extended vector as it is
rhs_extended = rhs
jac_values_extended = jac_values


@njit(cache=True)
def jac_scatter(v, J):
    J[0, 0] = v[0]
    J[1, 0] = v[1]
    J[1, 1] = v[2]


@njit(cache=True)
def lu_load(v, inv_hg, E):
    E[0] = inv_hg - v[0]
    E[1] = -v[1]
    E[2] = inv_hg - v[2]
    E[3] = v[3]


@njit(cache=True)
def lu_factor(E, piv):
    if E[3] > 0.0:
        return False
    E[0] = 1.0 / E[0]
    E[1] *= E[0]
    E[2] = 1.0 / E[2]
    return True


@njit(cache=True)
def lu_solve(E, piv, b):
    b[1] -= E[1] * b[0]
    b[1] = b[1] * E[2]
    b[0] = b[0] * E[0]


@njit(cache=True, error_model="numpy")
def rhs_lanes(y, p, dydt):
    for k in range(dydt.shape[0] // 2):
        dydt[k] = -p[k] * y[k]
        dydt[8 + k] = p[k] * y[k] - p[8 + k] * y[8 + k]


@njit(cache=True, error_model="numpy")
def jac_values_lanes(y, p, v):
    for k in range(v.shape[0] // JAC_NNZ):
        v[k] = -p[k]
        v[8 + k] = p[k]
        v[16 + k] = -p[8 + k]
        v[24 + k] = p[16 + k]


@njit(cache=True, error_model="numpy")
def lu_load_lanes(v, inv_hg, E):
    for k in range(inv_hg.shape[0]):
        E[k] = inv_hg[k] - v[k]
        E[8 + k] = -v[8 + k]
        E[16 + k] = inv_hg[k] - v[16 + k]
        E[24 + k] = v[24 + k]


@njit(cache=True, error_model="numpy")
def lu_factor_lanes(E, G, ok):
    for k in range(ok.shape[0]):
        ok[k] = not E[24 + k] > 0.0
        E[k] = 1.0 / E[k]
        E[8 + k] *= E[k]
        E[16 + k] = 1.0 / E[16 + k]


@njit(cache=True, error_model="numpy")
def lu_solve_lanes(E, b):
    for k in range(b.shape[0] // 2):
        b[8 + k] -= E[8 + k] * b[k]
        b[8 + k] = b[8 + k] * E[16 + k]
        b[k] = b[k] * E[k]
