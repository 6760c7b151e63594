import numpy as np
import pandas as pd
import pytest

from tregsim.analysis import locf, long_values, nri, subject_values
from tregsim.protocol import Endpoint


def test_nri_and_locf():
    assert nri(np.array([1.0, np.nan, 0.0])).tolist() == [1.0, 0.0, 0.0]
    wide = np.array([[80, np.nan, 60, np.nan], [np.nan, 70, np.nan, np.nan]], dtype=float)
    filled = locf(wide)
    assert filled[0].tolist() == [80, 80, 60, 60]
    assert np.isnan(filled[1, 0]) and filled[1, 1:].tolist() == [70, 70, 70]


def _visits():
    # subject 0: responder at wk 52; 1: drops out after wk 12 (was at 30); 2: no change
    rows = []
    salt = {0: [80, 60, 30], 1: [60, 30, np.nan], 2: [90, 90, 88]}
    for s, values in salt.items():
        for week, value in zip([0, 12, 52], values, strict=True):
            rows.append(
                {
                    "replicate": 0,
                    "subject": s,
                    "arm": "il2" if s < 2 else "placebo",
                    "stratum": "S4",
                    "visit_week": week,
                    "day": 7 * week + (1 if week else 0),
                    "salt_observed": value,
                    "treg_pct_cd4_observed": {0: 5.0, 12: 7.5, 52: 6.0}[week],
                    "nk_per_ul": 200.0,
                    "cd8_per_ul": 400.0,
                    "dropped_out": s == 1 and week == 52,
                }
            )
    return pd.DataFrame(rows)


def test_responder_endpoints_nri():
    visits = _visits()
    spec = Endpoint(name="salt50_w52", kind="salt_reduction", week=52, percent=50)
    values = subject_values(visits, spec)
    assert values["value"].tolist() == [1.0, 0.0, 0.0]  # dropout -> non-responder
    assert values["imputed"].tolist() == [False, True, False]
    observed = subject_values(visits, spec, missing_responder="observed")
    assert np.isnan(observed["value"].iloc[1])
    at_most = subject_values(visits, Endpoint(name="s", kind="salt_at_most", week=12, threshold=30))
    assert at_most["value"].tolist() == [0.0, 1.0, 0.0]


def test_continuous_locf_and_folds():
    visits = _visits()
    change = subject_values(visits, Endpoint(name="d", kind="salt_change", week=52))
    assert change["value"].tolist() == [-50.0, -30.0, -2.0]  # subject 1 by LOCF
    pct = subject_values(visits, Endpoint(name="p", kind="salt_percent_change", week=52))
    assert pct["value"].iloc[0] == pytest.approx(-62.5)
    fold = subject_values(visits, Endpoint(name="f", kind="treg_fold", week=12))
    assert fold["value"].tolist() == [1.5, 1.5, 1.5]
    assert fold["baseline"].iloc[0] == pytest.approx(np.log(5.0))
    nk = subject_values(visits, Endpoint(name="nk", kind="nk_fold", week=52))
    assert nk["value"].tolist() == [1.0, 1.0, 1.0]


def test_time_to_salt50_event_and_censoring():
    values = subject_values(
        visits := _visits(), Endpoint(name="t", kind="time_to_salt_reduction", percent=50)
    )
    assert values["event"].tolist() == [True, True, False]
    assert values["time"].tolist() == [365.0, 85.0, 365.0]
    visits.loc[(visits.subject == 1) & (visits.visit_week == 12), "salt_observed"] = 50
    again = subject_values(visits, Endpoint(name="t", kind="time_to_salt_reduction", percent=50))
    assert not again["event"].iloc[1] and again["time"].iloc[1] == 85.0  # censored at wk 12


def test_long_values_for_the_random_intercept_model():
    long = long_values(_visits(), Endpoint(name="d", kind="salt_change", week=52))
    assert len(long) == 5  # 3 subjects x 2 post-baseline visits, minus 1 dropout
    assert set(long.columns) >= {"subject", "visit_week", "y", "baseline", "arm"}


def test_bad_endpoint_specs():
    with pytest.raises(ValueError, match="kind"):
        Endpoint(name="x", kind="salt_magic", week=1)
    with pytest.raises(ValueError, match="week"):
        Endpoint(name="x", kind="salt_change")
    with pytest.raises(ValueError, match="not a visit week"):
        subject_values(_visits(), Endpoint(name="x", kind="salt_change", week=24))
