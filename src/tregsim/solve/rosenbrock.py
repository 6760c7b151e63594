"""Rodas4: an L-stable, stiffly accurate Rosenbrock method of order 4 (embedded order 3).

Method and coefficients: E. Hairer & G. Wanner, Solving Ordinary Differential Equations II,
Stiff and Differential-Algebraic Problems, 2nd ed., Springer 1996, sec. IV.7 (order
conditions Table 7.1, transformed form eq. 7.25) and their code RODAS (``rodas.f``,
METH=1, the coefficients below), written in the "transformed" variables ``u_i`` of
eq. (7.25) which avoid a matrix-vector product per stage::

    (I/(h*gamma) - J) u_i = f(t + c_i h, y + sum_j a_ij u_j) + sum_j (c_ij/h) u_j + h d_i f_t
    y_new = y + sum_j a_6j u_j + u_6      (stiffly accurate: the last stage is the solution)
    err   = u_6                            (difference to the embedded order-3 solution)

The coefficients are checked in ``tests/solve`` against the Rosenbrock order conditions of
Hairer & Wanner (Table IV.7.1, after transforming back to ``alpha_ij, gamma_ij, b_i``) and
by measured orders of convergence.

Everything here is numba-compiled. The stepping loops live in the templates
:mod:`tregsim.solve._rodas_template` (one patient) and ``_rodas_lanes_template`` (8 lanes),
which call the model kernels ``rhs(t, y, p, dydt)`` and ``jac(t, y, p, J)`` as globals and
share their step-size control and segment starts (:mod:`tregsim.solve.step_control`,
:mod:`tregsim.solve.segments`); :mod:`tregsim.solve._kernels` writes one module from them
per (rhs, jac) pair so that numba can cache it (a kernel passed as an argument is a
"dynamic global" that numba refuses to cache).

Per-patient status codes (see :data:`STATUS_MESSAGES`):
0 success; 1 ``max_steps`` attempted steps exceeded; 2 step size underflow (the step
controller needed ``h < 16 eps max(|t|, 1)``); 3 non-finite values (NaN/Inf in the initial
state, the parameters, the right-hand side, or in every trial step down to underflow).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tregsim.solve.events import ADD, SET

OK = 0
MAX_STEPS = 1
STEP_UNDERFLOW = 2
NON_FINITE = 3
STATUS_MESSAGES = {
    OK: "success",
    MAX_STEPS: "max_steps attempted steps exceeded",
    STEP_UNDERFLOW: "step size underflow (h < 16 eps max(|t|, 1))",
    NON_FINITE: "non-finite values (NaN/Inf) in the state, parameters or right-hand side",
}

# --- Rodas4 coefficients, transformed form (Hairer & Wanner rodas.f, METH=1) ---------------
GAMMA = 0.25
C2, C3, C4 = 0.386, 0.21, 0.63
A21 = 0.1544e01
A31, A32 = 0.9466785280815826e00, 0.2557011698983284e00
A41, A42, A43 = 0.3314825187068521e01, 0.2896124015972201e01, 0.9986419139977817e00
A51, A52 = 0.1221224509226641e01, 0.6019134481288629e01
A53, A54 = 0.1253708332932087e02, -0.6878860361058950e00
C21 = -0.5668800000000000e01
C31, C32 = -0.2430093356833875e01, -0.2063599157091915e00
C41, C42, C43 = -0.1073529058151375e00, -0.9594562251023355e01, -0.2047028614809616e02
C51, C52 = 0.7496443313967647e01, -0.1024680431464352e02
C53, C54 = -0.3399990352819905e02, 0.1170890893206160e02
C61, C62, C63 = 0.8083246795921522e01, -0.7981132988064893e01, -0.3152159432874371e02
C64, C65 = 0.1631930543123136e02, -0.6058818238834054e01
D1, D2, D3, D4 = 0.25, -0.1043, 0.1035, -0.3620000000000023e-01

SAFETY = 0.9
FAC_MIN = 0.2
FAC_MAX = 6.0
EPS = np.finfo(np.float64).eps


def transformed_tableau() -> dict[str, np.ndarray | float]:
    """Rodas4 in the transformed form as dense arrays: ``a`` (6x6), ``c`` (6x6, the c_ij),
    ``m`` (weights of ``u`` in the solution), ``m_hat`` (embedded), ``nodes``, ``d``, ``gamma``."""
    a = np.zeros((6, 6))
    a[1, 0] = A21
    a[2, :2] = A31, A32
    a[3, :3] = A41, A42, A43
    a[4, :4] = A51, A52, A53, A54
    a[5, :5] = A51, A52, A53, A54, 1.0
    c = np.zeros((6, 6))
    c[1, 0] = C21
    c[2, :2] = C31, C32
    c[3, :3] = C41, C42, C43
    c[4, :4] = C51, C52, C53, C54
    c[5, :5] = C61, C62, C63, C64, C65
    m = np.array([A51, A52, A53, A54, 1.0, 1.0])
    m_hat = np.array([A51, A52, A53, A54, 1.0, 0.0])
    nodes = np.array([0.0, C2, C3, C4, 1.0, 1.0])
    d = np.array([D1, D2, D3, D4, 0.0, 0.0])
    return {"a": a, "c": c, "m": m, "m_hat": m_hat, "nodes": nodes, "d": d, "gamma": GAMMA}


# --- small dense linear algebra (per patient, no allocation, thread safe) -------------------
@njit(cache=True, nogil=True)
def lu_factor(a, piv):
    """In-place LU with partial pivoting (Golub & Van Loan, Alg. 3.4.1). False if singular."""
    n = a.shape[0]
    for k in range(n):
        p = k
        big = abs(a[k, k])
        for i in range(k + 1, n):
            if abs(a[i, k]) > big:
                big = abs(a[i, k])
                p = i
        piv[k] = p
        if big == 0.0 or not np.isfinite(big):
            return False
        if p != k:
            for j in range(n):
                tmp = a[k, j]
                a[k, j] = a[p, j]
                a[p, j] = tmp
        inv = 1.0 / a[k, k]
        for i in range(k + 1, n):
            a[i, k] *= inv
            lik = a[i, k]
            if lik != 0.0:
                for j in range(k + 1, n):
                    a[i, j] -= lik * a[k, j]
    return True


# placeholders of a model without a generated sparse LU (see _kernels): never called
@njit(cache=True, nogil=True)
def no_jac_values(t, y, p, v):
    pass


@njit(cache=True, nogil=True)
def no_extend_parameters(p, q):
    pass


@njit(cache=True, nogil=True)
def no_jac_scatter(v, jmat):
    pass


@njit(cache=True, nogil=True)
def no_lu_load(v, inv_hg, e):
    pass


@njit(cache=True, nogil=True)
def no_lu_factor(e, piv):
    return False


@njit(cache=True, nogil=True)
def no_lu_solve(e, piv, b):
    pass


@njit(cache=True, nogil=True)
def dense_lu_load(jmat, inv_hg, emat):
    """``emat = I * inv_hg - jmat`` (the Rosenbrock iteration matrix ``I/(h gamma) - J``)."""
    n = jmat.shape[0]
    for i in range(n):
        for j in range(n):
            emat[i, j] = -jmat[i, j]
        emat[i, i] += inv_hg


@njit(cache=True, nogil=True)
def lu_solve(lu, piv, b):
    """Solve in place ``A x = b`` given :func:`lu_factor`'s output."""
    n = lu.shape[0]
    for k in range(n):
        p = piv[k]
        if p != k:
            tmp = b[k]
            b[k] = b[p]
            b[p] = tmp
    for i in range(1, n):
        s = b[i]
        for j in range(i):
            s -= lu[i, j] * b[j]
        b[i] = s
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, n):
            s -= lu[i, j] * b[j]
        b[i] = s / lu[i, i]


@njit(cache=True, nogil=True)
def fourth_root(x):
    """``x ** 0.25`` for the step-size controller as two square roots (correctly rounded
    each; a general ``pow`` call cost about 8% of the pilot workload's time)."""
    return np.sqrt(np.sqrt(x))


@njit(cache=True, nogil=True)
def rms_scaled(v, y, atol, rtol):
    s = 0.0
    n = v.shape[0]
    for i in range(n):
        sc = atol[i] + rtol[i] * abs(y[i])
        s += (v[i] / sc) ** 2
    return np.sqrt(s / n)


@njit(cache=True, nogil=True)
def apply_event(y, state, kind, value):
    """In place, compiled: :func:`tregsim.solve.events.apply_event` on ``y[state]``."""
    if kind == ADD:
        y[state] += value
    elif kind == SET:
        y[state] = value
    else:
        y[state] *= value


# placeholders of a model without generated lane kernels (see _kernels): never called
@njit(cache=True, nogil=True)
def no_rhs_lanes(y, p, dydt):
    pass


@njit(cache=True, nogil=True)
def no_jac_values_lanes(y, p, v):
    pass


@njit(cache=True, nogil=True)
def no_lu_load_lanes(v, inv_hg, e):
    pass


@njit(cache=True, nogil=True)
def no_lu_factor_lanes(e, g, ok):
    ok[:] = False


@njit(cache=True, nogil=True)
def no_lu_solve_lanes(e, b):
    pass
