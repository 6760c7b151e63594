"""Safety summaries: exact intervals and pooled risk differences."""

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from tregsim.analysis.safety import clopper_pearson, summarize_safety
from tregsim.analysis.statistics import newcombe_interval


@pytest.mark.parametrize("x, n", [(0, 6), (1, 6), (5, 6), (6, 6), (37, 80)])
def test_clopper_pearson_matches_statsmodels_beta(x, n):
    assert clopper_pearson(x, n) == pytest.approx(
        proportion_confint(x, n, alpha=0.05, method="beta"), abs=1e-12
    )


def test_summary_pools_replicates_and_gives_newcombe_differences():
    digest = {
        "weeks": [0.0, 1.0],
        "arms": {
            arm: {"n": 10, "ever": {"ae_any": [0, k]}, "events": {"ae_any": k},
                  "grade3": {"ae_any": 0}}
            for arm, k in (("il2", 8), ("placebo", 2))
        },
        "endpoints": {"ae_any_w1": {"il2": [8, 10], "placebo": [2, 10]}},
    }  # fmt: skip
    records = [{"safety": digest}, {"safety": digest}]
    out = summarize_safety(records, ["il2", "placebo"], "placebo",
                           {"ae_any_w1": {"kind": "ae_any", "week": 1}})  # fmt: skip
    arm = out["endpoints"]["ae_any_w1"]["arms"]["il2"]
    assert arm["events"] == [8, 8] and arm["pooled"]["proportion"] == 0.8
    diff = out["endpoints"]["ae_any_w1"]["risk_differences"]["il2_vs_placebo"]
    assert diff["estimate"] == pytest.approx(0.6)
    assert diff["ci_newcombe"] == pytest.approx(list(newcombe_interval(16, 20, 4, 20)))
    assert out["incidence"]["placebo"]["ae_any"] == [0.0, 0.2]
    assert np.isclose(out["events"]["il2"]["ae_any"]["per_patient"], 0.8)
