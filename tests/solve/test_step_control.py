"""The step-size controller shared by the one-patient and the lane paths, on hand-made cases
(its use in the stepping loops is checked by the bit-identity tests of test_lanes.py)."""

import numpy as np

from tregsim.solve.rosenbrock import (
    EPS,
    FAC_MAX,
    FAC_MIN,
    MAX_STEPS,
    NON_FINITE,
    OK,
    SAFETY,
    STEP_UNDERFLOW,
)
from tregsim.solve.step_control import controller_roots, judge_step, plan_step, restart_step


def test_plan_step_limits_and_landing_on_the_segment_end():
    assert plan_step(0.0, 1.0, 10.0, 5, 5) == (MAX_STEPS, 1.0, False)
    assert plan_step(1e3, 1e-14, 2e3, 0, 5)[0] == STEP_UNDERFLOW  # below 16 eps |t|
    assert plan_step(0.0, 0.995, 1.0, 0, 5) == (OK, 1.0, True)  # within 1%: lands on t_end
    assert plan_step(0.0, 0.7, 1.0, 0, 5) == (OK, 0.5, False)  # two equal steps
    assert plan_step(0.0, 0.25, 1.0, 0, 5) == (OK, 0.25, False)


def test_restart_step_keeps_the_step_from_before_an_event_up_to_the_estimate():
    assert restart_step(0.0, 0.3, True) == 0.3
    assert restart_step(0.1, 0.3, False) == 0.1
    assert restart_step(0.5, 0.3, False) == 0.3


def test_controller_roots_are_fourth_roots():
    root_err, root_gus = controller_roots(0.0625, 0.5)
    assert root_err == 0.5
    np.testing.assert_allclose(root_gus, (0.5 / 0.0625**2) ** 0.25, rtol=1e-15)


def _judge(err, h=0.1, t=1.0, t_end=2.0, last=False, reject=False, memory=(0.0, 0.0, False)):
    root_err, root_gus = controller_roots(err, memory[1])
    return judge_step(err, root_err, root_gus, t, t_end, h, h, last, reject, *memory)


def test_accepted_step_grows_by_the_error_factor_and_remembers_it():
    accepted, status, t, h, h_acc, err_acc, have_acc = _judge(0.0625)
    assert (accepted, status, t) == (True, OK, 1.1)
    np.testing.assert_allclose(h, 0.1 * SAFETY / 0.5, rtol=1e-15)
    assert (h_acc, err_acc, have_acc) == (0.1, 0.0625, True)
    assert _judge(0.0)[3] == 0.1 * FAC_MAX  # zero error: the largest growth
    assert _judge(1e-12)[3] == 0.1 * FAC_MAX  # factor clipped to FAC_MAX
    assert _judge(1e-12)[5] == 1e-2  # remembered error floored
    assert _judge(0.0625, reject=True)[3] == 0.1  # no growth right after a rejection


def test_gustafsson_factor_limits_growth_after_the_step_shrank():
    plain = _judge(0.0625)[3]
    predictive = _judge(0.0625, memory=(0.2, 0.0625, True))[3]  # h / h_acc = 0.5
    expected = 0.1 * (0.1 / 0.2) * (0.0625 / 0.0625**2) ** 0.25 * SAFETY
    np.testing.assert_allclose(predictive, expected, rtol=1e-15)
    assert predictive < plain


def test_last_step_lands_on_t_end_without_shrinking_the_next_segment_step():
    root_err, root_gus = controller_roots(0.9, 0.0)
    accepted, status, t, h, h_acc, err_acc, have_acc = judge_step(
        0.9, root_err, root_gus, 1.0, 1.05, 0.05, 0.3, True, False, 0.2, 0.5, True
    )
    assert (accepted, t, h) == (True, 1.05, 0.3)  # not 0.05 * fac < h_intended
    assert (h_acc, err_acc, have_acc) == (0.2, 0.5, True)  # a clipped step is not remembered


def test_rejected_step_shrinks_and_fails_only_when_non_finite_at_underflow():
    accepted, status, t, h, *_ = _judge(1e6)
    assert (accepted, status, t, h) == (False, OK, 1.0, 0.1 * FAC_MIN)
    accepted, status, t, h, *_ = _judge(np.inf)
    assert (accepted, status, h) == (False, OK, 0.025)
    tiny = 40.0 * EPS
    assert _judge(np.inf, h=tiny)[1] == NON_FINITE  # tiny / 4 < 16 eps
