"""Rodas4 coefficients satisfy the Rosenbrock order conditions (Hairer & Wanner II, Table
IV.7.1) up to order 4 for the solution and order 3 for the embedded solution."""

import numpy as np
import pytest

from tregsim.solve.rosenbrock import transformed_tableau


def _classical(tab):
    """Undo the transformation of Hairer & Wanner (7.25): Gamma^-1 = diag(1/gamma) - C,
    alpha = A Gamma, b = m Gamma."""
    s = 6
    gamma_inv = np.eye(s) / tab["gamma"] - tab["c"]
    big_gamma = np.linalg.inv(gamma_inv)
    alpha = tab["a"] @ big_gamma
    return alpha, big_gamma, tab["m"] @ big_gamma, tab["m_hat"] @ big_gamma


def _conditions(alpha, big_gamma, b, gamma):
    beta = alpha + big_gamma - np.diag(np.diag(big_gamma))  # beta_ij = alpha_ij + gamma_ij, j<i
    a_i = alpha.sum(axis=1)
    bp = beta.sum(axis=1)
    return {
        1: [(b.sum(), 1.0)],
        2: [(b @ bp, 0.5 - gamma)],
        3: [(b @ a_i**2, 1 / 3), (b @ beta @ bp, 1 / 6 - gamma + gamma**2)],
        4: [
            (b @ a_i**3, 1 / 4),
            (b @ (a_i * (alpha @ bp)), 1 / 8 - gamma / 3),
            (b @ beta @ a_i**2, 1 / 12 - gamma / 3),
            (b @ beta @ beta @ bp, 1 / 24 - gamma / 2 + 1.5 * gamma**2 - gamma**3),
        ],
    }


def test_nodes_and_gamma_sums_match_tableau():
    tab = transformed_tableau()
    alpha, big_gamma, _, _ = _classical(tab)
    np.testing.assert_allclose(alpha.sum(axis=1), tab["nodes"], atol=1e-12)
    np.testing.assert_allclose(big_gamma.sum(axis=1)[:4], tab["d"][:4], atol=1e-12)


@pytest.mark.parametrize("which, order", [("solution", 4), ("embedded", 3)])
def test_order_conditions(which, order):
    tab = transformed_tableau()
    alpha, big_gamma, b, b_hat = _classical(tab)
    weights = b if which == "solution" else b_hat
    conds = _conditions(alpha, big_gamma, weights, tab["gamma"])
    for p in range(1, order + 1):
        for got, want in conds[p]:
            assert got == pytest.approx(want, abs=1e-10), (which, p)
    if which == "embedded":  # the embedded solution is exactly order 3, not 4
        assert any(abs(g - w) > 1e-6 for g, w in conds[4])


def test_l_stable_stability_function_vanishes_at_infinity():
    tab = transformed_tableau()
    alpha, big_gamma, b, _ = _classical(tab)
    # R(z) = 1 + z b^T (I - z (alpha + Gamma))^-1 1 (Hairer & Wanner IV.7, eq. 7.14')
    beta = alpha + big_gamma
    z = -1e12
    r = 1 + z * b @ np.linalg.solve(np.eye(6) - z * beta, np.ones(6))
    assert abs(r) < 1e-6
