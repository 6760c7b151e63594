import numpy as np

from tregsim.trial.dropout import simulate_dropout


def test_monotone_and_rate():
    salt = np.full((4000, 6), 80.0)
    out = simulate_dropout(salt, seed=1, replicate=0, per_visit=0.1)
    assert not out[:, 0].any()
    assert np.all(np.diff(out.astype(int), axis=1) >= 0)  # once out, out for good
    stayed = 1 - out[:, -1].mean()
    assert abs(stayed - 0.9**5) < 0.03


def test_non_responders_leave_more():
    salt = np.full((4000, 5), 80.0)
    salt[:2000, 1:] = 40.0  # responded (>= 25 % better) from visit 1
    out = simulate_dropout(salt, 2, 0, per_visit=0.02, non_responder_extra=0.2)
    assert out[2000:, -1].mean() > out[:2000, -1].mean() + 0.3
    # visit 1 uses response known at baseline (none yet): same rate in both groups
    assert abs(out[:2000, 1].mean() - out[2000:, 1].mean()) < 0.04
    again = simulate_dropout(salt, 2, 0, per_visit=0.02, non_responder_extra=0.2)
    assert np.array_equal(out, again)
