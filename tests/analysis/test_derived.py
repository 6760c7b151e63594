"""Baselines defined once (tregsim.analysis.derived) and used by the endpoints, the ADaM
tables and the report: each subject's value at the week-0 visit, NaN when it is missing."""

import numpy as np
import pandas as pd

from tregsim.analysis import subject_values
from tregsim.analysis.derived import (
    baseline_index,
    baseline_week,
    subject_baselines,
    visit_baselines,
)
from tregsim.protocol import Endpoint


def _visits(seed=0, replicates=2, n=5, weeks=(0.0, 4.0, 12.0, 52.0)):
    rng = np.random.default_rng(seed)
    rows = replicates * n * len(weeks)
    return pd.DataFrame(
        {
            "replicate": np.repeat(np.arange(replicates), n * len(weeks)),
            "subject": np.tile(np.repeat(np.arange(n), len(weeks)), replicates),
            "arm": "il2",
            "stratum": "S4",
            "visit_week": np.tile(weeks, replicates * n),
            "day": np.tile(np.array(weeks) * 7, replicates * n),
            "salt_observed": np.round(rng.uniform(20, 100, rows)),
            "dropped_out": False,
        }
    )


def test_baseline_index_is_week_zero_else_the_first_visit():
    assert baseline_index(np.array([0.0, 4.0, 12.0])) == 0
    assert baseline_index(np.array([-2.0, 0.0, 4.0])) == 1
    assert baseline_index(np.array([4.0, 12.0])) == 0
    assert baseline_week([12.0, 0.0, np.nan, 4.0, 0.0]) == 0.0
    assert baseline_week([12.0, 4.0]) == 4.0
    assert np.isnan(baseline_week([]))


def test_visit_baselines_are_the_week_zero_values_never_a_later_visit():
    visits = _visits()
    week0 = visits["visit_week"] == 0
    visits.loc[week0 & (visits["subject"] == 2), "salt_observed"] = np.nan
    visits = visits.sample(frac=1.0, random_state=3)  # any row order
    keys = ["replicate", "subject"]
    expected = (
        visits["salt_observed"].where(visits["visit_week"] == 0).groupby([visits[k] for k in keys])
    ).transform("first")
    got = visit_baselines(visits, "salt_observed")
    np.testing.assert_array_equal(got, expected.to_numpy())
    assert np.isnan(got[visits["subject"].to_numpy() == 2]).all()  # week 12 does not stand in


def test_subject_baselines_per_group_in_any_row_order():
    values = np.array([7.0, 1.0, 5.0, np.nan, 2.0, 3.0])
    group = np.array([1, 0, 1, 2, 0, 2])
    at_baseline = np.array([4.0, 0.0, 0.0, 0.0, 4.0, 4.0]) == 0.0
    np.testing.assert_array_equal(subject_baselines(values, group, at_baseline), [1.0, 5.0, np.nan])


def test_endpoint_baselines_are_the_visit_baselines():
    visits = _visits(seed=1, replicates=1)
    visits.loc[(visits["visit_week"] == 0) & (visits["subject"] == 1), "salt_observed"] = np.nan
    change = subject_values(visits, Endpoint(name="d", kind="salt_change", week=52))
    at_week0 = visits[visits["visit_week"] == 0]
    np.testing.assert_array_equal(
        change["baseline"].to_numpy(), visit_baselines(visits, "salt_observed")[at_week0.index]
    )
