"""The compiled kernels are the symbolic model: freshness, Jacobian and sparsity."""

from __future__ import annotations

import numpy as np
import pytest

from tregsim.model import JAC_SPARSITY, MODEL, _generated, initial_state, jac, rhs
from tregsim.model.codegen import (
    GENERATED,
    OBSERVABLES_GENERATED,
    generate_observables_source,
    generate_source,
)
from tregsim.population import typical_parameters


def test_generated_file_matches_the_equations():
    assert GENERATED.read_text() == generate_source(), (
        "src/tregsim/model/_generated.py is stale: run `python -m tregsim.model.codegen`"
    )


def test_generated_observables_match_the_equations():
    assert OBSERVABLES_GENERATED.read_text() == generate_observables_source(), (
        "src/tregsim/model/_observables.py is stale: run `python -m tregsim.model.codegen`"
    )


def test_simulating_and_observing_do_not_import_sympy():
    """sympy (about 0.3 s to import) is for building the equations, not for running them."""
    import subprocess
    import sys

    code = (
        "import sys; import tregsim.trial, tregsim.population as P, tregsim.model as M; "
        "p = M.MODEL.default_parameters; M.observe(M.initial_state(p), p); "
        "print('sympy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _random_states(seed: int, n: int) -> np.ndarray:
    """Healthy reference states scaled by log-uniform factors in [0.2, 5], drugs on board."""
    rng = np.random.default_rng(seed)
    params = typical_parameters()
    base = initial_state(params)[0]
    si = MODEL.state_index
    states = []
    for _ in range(n):
        y = base * np.exp(rng.uniform(np.log(0.2), np.log(5.0), base.size))
        for name, scale in (
            ("il2_depot", 5.0),
            ("il2_central", 0.5),
            ("il2_peripheral", 0.3),
            ("peg_il2_depot", 50.0),
            ("peg_il2_central", 20.0),
            ("bari_gut", 2.0),
            ("bari_central", 2.0),
            ("ifng_skin", 1.0),
            ("antigen", 0.5),
            ("telogen_empty", 0.1),
            ("dystrophic", 0.2),
            ("treg_stat5_program", 0.5),
        ):
            y[si[name]] = scale * rng.uniform(0.2, 1.0)
        y[si["privilege"]] = rng.uniform(0.1, 0.95)
        states.append(y)
    return np.array(states)


def _fd_jacobian(y: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Central differences, step 1e-6 x max(|y_j|, 1e-3)."""
    n = y.size
    out = np.empty((n, n))
    plus, minus = np.empty(n), np.empty(n)
    for j in range(n):
        h = 1e-6 * max(abs(y[j]), 1e-3)
        yp, ym = y.copy(), y.copy()
        yp[j] += h
        ym[j] -= h
        rhs(0.0, yp, params, plus)
        rhs(0.0, ym, params, minus)
        out[:, j] = (plus - minus) / (yp[j] - ym[j])
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_analytic_jacobian_matches_finite_differences(seed):
    """|J - J_fd| <= 1e-5 |J| + 1e-9 max|J row| (rel tol 1e-5; the second term absorbs
    round-off of O(1e-10) relative in rows with large entries)."""
    params = typical_parameters()
    for y in _random_states(seed, 3):
        analytic = np.empty((y.size, y.size))
        jac(0.0, y, params, analytic)
        numeric = _fd_jacobian(y, params)
        row_scale = np.abs(analytic).max(axis=1, keepdims=True)
        tol = 1e-5 * np.abs(analytic) + 1e-9 * row_scale
        bad = np.argwhere(np.abs(analytic - numeric) > tol)
        assert bad.size == 0, [
            (MODEL.state_names[i], MODEL.state_names[j], analytic[i, j], numeric[i, j])
            for i, j in bad[:5]
        ]


@pytest.mark.parametrize("seed", [0, 1])
def test_sparsity_covers_every_finite_difference_nonzero(seed):
    params = typical_parameters()
    assert JAC_SPARSITY.shape == (MODEL.n_states, MODEL.n_states)
    for y in _random_states(seed, 3):
        numeric = _fd_jacobian(y, params)
        outside = np.argwhere((np.abs(numeric) > 0) & ~JAC_SPARSITY)
        assert outside.size == 0, [(MODEL.state_names[i], MODEL.state_names[j]) for i, j in outside]


def test_kernel_names_match_model():
    assert _generated.STATE_NAMES == MODEL.state_names
    assert _generated.PARAMETER_NAMES == MODEL.parameter_names


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_extended_parameter_kernels_equal_the_plain_ones(seed):
    """rhs_extended / jac_values_extended on extend_parameters(p) are rhs / jac_values on p
    (parameter-only terms hoisted; only the rounding differs)."""
    rng = np.random.default_rng(seed)
    params = typical_parameters() * rng.lognormal(0.0, 0.3, MODEL.n_params)
    q = np.empty(_generated.N_EXTENDED)
    _generated.extend_parameters(params, q)
    np.testing.assert_array_equal(q[: MODEL.n_params], params)
    for y in _random_states(seed, 3):
        plain, fast = np.empty(y.size), np.empty(y.size)
        rhs(0.0, y, params, plain)
        _generated.rhs_extended(0.0, y, q, fast)
        np.testing.assert_allclose(fast, plain, rtol=1e-12, atol=1e-12 * np.abs(plain).max())
        plain_j, fast_j = np.empty(_generated.JAC_NNZ), np.empty(_generated.JAC_NNZ)
        _generated.jac_values(0.0, y, params, plain_j)
        _generated.jac_values_extended(0.0, y, q, fast_j)
        np.testing.assert_allclose(fast_j, plain_j, rtol=1e-12, atol=1e-12 * np.abs(plain_j).max())


def test_lane_kernels_are_the_one_patient_kernels_bit_for_bit():
    """rhs/jac/LU for LANES patients at once (lane-minor arrays) give each patient exactly the
    one-patient kernels' values; a bad pivot only clears that patient's flag."""
    g = _generated
    L, n = g.LANES, g.N_STATES
    rng = np.random.default_rng(5)
    states = _random_states(5, L)
    q = np.empty((L, g.N_EXTENDED))
    for k in range(L):
        g.extend_parameters(typical_parameters() * rng.lognormal(0.0, 0.3, MODEL.n_params), q[k])
    inv_hg = rng.uniform(1.0, 1e4, L)

    def lanes(a):  # (L, m) -> lane-minor flat
        return np.ascontiguousarray(np.asarray(a).T).ravel()

    f, v = np.empty(n * L), np.empty(g.JAC_NNZ * L)
    e, gd, ok = np.empty(g.LU_NNZ * L), np.empty(n * L), np.empty(L, dtype=np.bool_)
    y_l, q_l = lanes(states), lanes(q)
    g.rhs_lanes(y_l, q_l, f)
    g.jac_values_lanes(y_l, q_l, v)
    v.reshape(-1, L)[:, 3] = np.nan  # patient 3: a Jacobian the LU must refuse
    g.lu_load_lanes(v, inv_hg, e)
    g.lu_factor_lanes(e, gd, ok)
    b = f.copy()
    g.lu_solve_lanes(e, b)
    assert list(ok) == [k != 3 for k in range(L)]
    for k in range(L):
        f1, v1, e1 = np.empty(n), np.empty(g.JAC_NNZ), np.empty(g.LU_NNZ)
        g.rhs_extended(0.0, states[k], q[k], f1)
        g.jac_values_extended(0.0, states[k], q[k], v1)
        np.testing.assert_array_equal(f.reshape(n, L)[:, k], f1)
        if k == 3:
            assert not g.lu_factor(np.full(g.LU_NNZ, np.nan), np.empty(1, np.int64))
            continue
        np.testing.assert_array_equal(v.reshape(-1, L)[:, k], v1)
        g.lu_load(v1, inv_hg[k], e1)
        assert g.lu_factor(e1, np.empty(1, np.int64))
        np.testing.assert_array_equal(e.reshape(-1, L)[:, k], e1)
        g.lu_solve(e1, np.empty(1, np.int64), f1)
        np.testing.assert_array_equal(b.reshape(n, L)[:, k], f1)
