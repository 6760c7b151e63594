"""Scalp drawing geometry: region areas are the SALT weights, drawn loss scores as SALT."""

from __future__ import annotations

import numpy as np
import pytest

from tregsim.report.scalp import (
    REGION_WEIGHTS,
    REGIONS,
    bald_mask,
    region_area_fractions,
    region_bald_fractions,
    weighted_bald_fraction,
)


def test_weights_are_olsen_2004():
    assert REGION_WEIGHTS == {"vertex": 0.40, "posterior": 0.24, "left": 0.18, "right": 0.18}


def test_region_areas_equal_salt_weights():
    areas = region_area_fractions()
    for region in REGIONS:
        assert areas[region] == pytest.approx(REGION_WEIGHTS[region], abs=1e-6)


def test_raster_cells_match_region_areas():
    mask = bald_mask(0.0)
    inside = mask.region >= 0
    for i, region in enumerate(REGIONS):
        share = np.sum(mask.region == i) / np.sum(inside)
        assert share == pytest.approx(REGION_WEIGHTS[region], abs=0.01)


@pytest.mark.parametrize("salt", [0.0, 0.5, 7.3, 20.0, 33.3, 50.0, 61.7, 75.0, 99.0, 100.0])
def test_weighted_bald_fraction_equals_salt(salt):
    """Tolerance: half of the largest cell weight (one raster cell), about 1e-4."""
    mask = bald_mask(salt)
    assert weighted_bald_fraction(mask) == pytest.approx(salt / 100.0, abs=2e-4)
    fractions = region_bald_fractions(mask)
    by_hand = sum(REGION_WEIGHTS[r] * fractions[r] for r in REGIONS)
    assert by_hand == pytest.approx(salt / 100.0, abs=2e-4)


def test_regrowth_is_nested_and_out_of_range_is_clipped():
    low, high = bald_mask(30.0), bald_mask(60.0)
    assert not np.any(low.bald & ~high.bald)  # regrowth fills the same patches in
    assert weighted_bald_fraction(bald_mask(130.0)) == 1.0
    assert weighted_bald_fraction(bald_mask(-5.0)) == 0.0
    assert weighted_bald_fraction(bald_mask(float("nan"))) == 0.0


def test_draw_scalp_returns_the_drawn_mask():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tregsim.report.scalp import draw_scalp

    fig, ax = plt.subplots()
    mask = draw_scalp(ax, 42.0, title="x")
    plt.close(fig)
    assert weighted_bald_fraction(mask) == pytest.approx(0.42, abs=2e-4)
