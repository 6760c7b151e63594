import numpy as np
import pytest

from tregsim.trial.randomization import permuted_block, randomize


def test_every_block_balanced_and_ratio_respected():
    arms = randomize(120, [2, 1], seed=7, replicate=0, block_size=6)
    assert set(arms.tolist()) == {0, 1}
    for start in range(0, 120, 6):
        block = arms[start : start + 6]
        assert np.sum(block == 0) == 4 and np.sum(block == 1) == 2
    assert np.sum(arms == 0) == 80


def test_stratified_blocks_balanced_within_each_stratum():
    rng = np.random.default_rng(1)
    strata = rng.choice(["S3", "S4", "S5"], size=97)
    arms = randomize(97, [1, 1], seed=3, replicate=2, block_size=4, strata=strata)
    for label in ("S3", "S4", "S5"):
        a = arms[strata == label]
        full = (a.size // 4) * 4
        assert np.sum(a[:full] == 0) == full // 2
        assert abs(np.sum(a == 0) - np.sum(a == 1)) <= 2


def test_reproducible_and_replicates_differ():
    a = randomize(40, [1, 1], seed=11, replicate=5, block_size=4)
    b = randomize(40, [1, 1], seed=11, replicate=5, block_size=4)
    c = randomize(40, [1, 1], seed=11, replicate=6, block_size=4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_bad_block_size_and_ratios_fail_with_the_fix():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="block_size=5"):
        permuted_block(10, [1, 1], rng, block_size=5)
    with pytest.raises(ValueError, match="whole numbers"):
        permuted_block(10, [1.5, 1], rng)
