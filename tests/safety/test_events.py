"""Adverse events in a simulated trial: Hartemann dose order, placebo background only."""

import numpy as np
import pytest

from tregsim.adae import make_adae
from tregsim.scenarios import load_scenario
from tregsim.trial import simulate_replicate


@pytest.fixture(scope="module")
def hartemann():
    # 60 patients per arm (Hartemann had 6): enough to order the four rates
    scenario = load_scenario("hartemann-2013", ["population.n=240"])
    return simulate_replicate(scenario, 2013, 0)


def test_dose_related_rates_follow_the_hartemann_dose_order(hartemann):
    rates = [hartemann.endpoints[arm]["ae_dose_related_w1"] for arm in
             ("placebo", "il2_0p33", "il2_1", "il2_3")]  # fmt: skip
    assert rates[0] < rates[1] < rates[2] <= rates[3]
    # the link was fitted to 1/6, 3/6, 5/6, 6/6: the simulated rates stay near it
    assert rates[0] < 0.35 and 0.25 < rates[1] < 0.75 and rates[3] > 0.85


def test_placebo_patients_have_background_events_only(hartemann):
    patients = hartemann.patients
    adae = make_adae(patients)
    placebo = adae[adae["ARM"] == "placebo"]
    assert len(placebo) > 0
    assert set(placebo["SIMCAUSE"]) == {"BACKGROUND"}
    assert {"DRUG"} <= set(adae[adae["ARM"] == "il2_3"]["SIMCAUSE"])
    assert len(adae) == int(np.nansum(patients["ae_any"]))
    assert (adae["ASTDY"] == adae["STARTDAY"] + 1).all()
    assert adae["AETOXGR"].between(1, 5).all()


def test_events_are_counter_based(hartemann):
    scenario = load_scenario("hartemann-2013", ["population.n=240"])
    again = simulate_replicate(scenario, 2013, 0)
    assert again.patients["ae_log"].tolist() == hartemann.patients["ae_log"].tolist()
    assert again.safety == hartemann.safety


def test_high_dose_regimen_leaks_and_low_dose_does_not():
    result = simulate_replicate(load_scenario("high-dose-il2"), 1992, 0)
    assert result.endpoints["high_dose"]["ae_capillary_leak_w2"] > 0.5
    assert result.endpoints["low_dose"]["ae_capillary_leak_w2"] == 0.0
