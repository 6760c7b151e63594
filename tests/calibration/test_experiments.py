"""Targets file and priors table: every entry names a real experiment and a reasoned prior."""

import numpy as np
import pytest

from tregsim.calibration.experiments import (
    QUANTITIES,
    STATISTICS,
    load_targets,
    validate_targets,
)
from tregsim.calibration.priors import load_priors, prior_interval, sample_prior
from tregsim.errors import TregsimInputError
from tregsim.model import MODEL
from tregsim.population import PopulationSpec
from tregsim.scenarios import load_scenario


def test_every_target_names_scenario_arm_endpoint_statistic_n_value_source():
    targets = load_targets()
    validate_targets(targets)
    assert len(targets) >= 14
    for name, t in targets.items():
        scenario = load_scenario(t["scenario"], t.get("set", []))
        arms = [a.name for a in scenario.arms]
        assert t["statistic"] in STATISTICS, name
        assert t["source"].strip() and t["description"].strip(), name
        assert 0 < t.get("sim_n", t["n"]), name
        if "quantity" in t:
            assert t["quantity"] in QUANTITIES, name
        else:
            assert t["arm"] in arms, name
            assert t["endpoint"] in [e.name for e in scenario.endpoints], name


@pytest.mark.parametrize(
    ("field", "value"), [("statistic", "mean"), ("n", 0), ("value", 1.5), ("quantity", "x")]
)
def test_bad_target_fields_are_named(field, value):
    target = dict(load_targets()["placebo_brave_w36"])
    target[field] = value
    with pytest.raises(TregsimInputError) as error:
        validate_targets({"bad": target})
    assert error.value.field == f"targets.bad.{field}"


def test_every_prior_is_a_parameter_with_a_reason():
    known = set(MODEL.parameter_index) | set(PopulationSpec.__dataclass_fields__)
    known |= {"rater_optimism_ror"}
    for name, prior in load_priors().items():
        assert name in known, name
        assert len(prior["reason"]) > 20, name
        lo, hi = prior_interval(prior)
        assert lo < hi


def test_lognormal_prior_95_percent_interval_is_median_over_and_times_factor():
    prior = {"dist": "lognormal", "median": 2.0, "factor": 3.0, "reason": "x"}
    lo, hi = prior_interval(prior)
    assert lo == pytest.approx(2.0 / 3.0) and hi == pytest.approx(6.0)
    draws = sample_prior({"p": prior}, np.random.default_rng(0), 4000)
    inside = np.mean([lo <= d["p"] <= hi for d in draws])
    assert 0.93 < inside < 0.97
