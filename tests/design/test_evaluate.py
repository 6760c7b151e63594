"""Design plans, the null twin and the assurance spread."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tregsim.design.evaluate import _between_sd, design_plan, null_scenario
from tregsim.scenarios import load_scenario

EXAMPLE = Path(__file__).parents[2] / "examples" / "designs" / "phrc-2016-gs.yaml"


def test_plan_of_the_example():
    plan = design_plan(load_scenario(str(EXAMPLE)))
    assert plan.n == 80 and plan.fractions == (0.5,)
    np.testing.assert_allclose(plan.bounds, [2.963, 1.969], atol=1e-3)  # Lan-DeMets OBF
    none = design_plan(load_scenario(str(EXAMPLE), ["design.efficacy=none"]))
    assert none.bounds[0] == np.inf and none.bounds[1] == pytest.approx(1.95996, abs=1e-5)


def test_null_twin_changes_only_the_regimens():
    scenario = load_scenario(str(EXAMPLE))
    null = null_scenario(scenario)
    assert {arm.regimen for arm in null.arms} == {"placebo"}
    assert null.population == scenario.population and null.seed == scenario.seed
    assert null.design == scenario.design


def test_between_member_spread_removes_sampling_noise():
    rng = np.random.default_rng(0)
    sizes = np.full(400, 20)
    same = rng.binomial(sizes, 0.6) / sizes  # every member has power 0.6
    assert np.std(same) > 0.1 and _between_sd(same, sizes) < 0.05
    true = rng.beta(4, 2, size=400)
    spread = rng.binomial(sizes, true) / sizes
    assert _between_sd(spread, sizes) == pytest.approx(np.std(true), abs=0.03)
