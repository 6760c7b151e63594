import numpy as np
import pytest

from tregsim.trial.observation import measure_treg_pct, rate_salt


def test_rater_noise_rounding_clipping_and_sd():
    truth = np.full((2000, 3), 60.0)
    truth[:, 2] = 99.5
    scored = rate_salt(truth, seed=1, replicate=0, sd_salt=4.0)
    assert np.all(scored == np.round(scored))
    assert scored.min() >= 0 and scored.max() <= 100
    assert abs(scored[:, 0].mean() - 60.0) < 0.3
    assert 3.7 < scored[:, 0].std() < 4.3
    two = rate_salt(truth, seed=1, replicate=0, sd_salt=4.0, raters=2)
    assert two[:, 0].std() < scored[:, 0].std() * 0.8  # mean of 2 raters: SD / sqrt(2)


def test_unblinded_optimism_and_nan_and_reproducible():
    truth = np.full((500, 2), 50.0)
    truth[0, 1] = np.nan
    on = np.zeros((500, 2), dtype=bool)
    on[:, 1] = True
    a = rate_salt(truth, 2, 1, sd_salt=0.0, unblinded_optimism=5.0, on_treatment=on)
    assert np.all(a[:, 0] == 50.0) and np.all(a[1:, 1] == 45.0) and np.isnan(a[0, 1])
    b = rate_salt(truth, 2, 1, sd_salt=3.0)
    c = rate_salt(truth, 2, 1, sd_salt=3.0)
    assert np.array_equal(b, c, equal_nan=True)


def test_treg_lognormal_cv():
    truth = np.full((4000, 1), 5.0)
    obs = measure_treg_pct(truth, seed=3, replicate=0, cv=0.1)
    assert np.median(obs) == pytest.approx(5.0, rel=0.01)
    assert np.std(obs) / np.mean(obs) == pytest.approx(0.1, rel=0.05)


def test_assay_factor_is_the_draw_measure_treg_pct_makes():
    """One factor per blood sample: passing it gives the values measure_treg_pct draws itself."""
    from tregsim.trial.observation import assay_factor

    rng = np.random.default_rng(4)
    truth = rng.uniform(1.0, 10.0, size=(50, 4))
    patients = np.arange(10, 60)
    factor = assay_factor(5, 2, patients, 4, cv=0.2)
    drawn = measure_treg_pct(truth, 5, 2, patients, cv=0.2)
    assert np.array_equal(measure_treg_pct(truth, 5, 2, patients, 0.2, factor), drawn)
    assert not np.array_equal(assay_factor(5, 2, patients + 1, 4, cv=0.2), factor)
    with pytest.raises(ValueError, match="factor"):
        measure_treg_pct(truth, 5, 2, patients, 0.2, factor[:, :3])
