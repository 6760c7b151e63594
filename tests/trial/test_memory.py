"""A run that cannot fit in memory is refused before any work, naming the field to change."""

from __future__ import annotations

import pytest

from tregsim.errors import TregsimInputError
from tregsim.scenarios import load_scenario
from tregsim.trial.memory import check_memory, memory_estimate

GIB = 2**30


def test_estimate_grows_with_replicates_and_patients():
    small = load_scenario("phrc-2016", ["population.n=80"])
    large = load_scenario("phrc-2016", ["population.n=800"])
    assert memory_estimate(small, 20)[0] == 2 * memory_estimate(small, 10)[0]
    assert memory_estimate(large, 10)[1] == 10 * memory_estimate(small, 10)[1]


def test_the_planned_trial_fits_in_one_gib():
    check_memory(load_scenario("phrc-2016"), 100, available=GIB)


def test_too_many_patients_names_population_n():
    scenario = load_scenario("phrc-2016", ["population.n=5000000"])
    with pytest.raises(TregsimInputError, match=r"use at most about population.n=\d+") as info:
        check_memory(scenario, 1, available=GIB)
    assert info.value.field == "population.n"


def test_too_many_replicates_names_replicates():
    scenario = load_scenario("phrc-2016")
    with pytest.raises(TregsimInputError, match=r"use at most about --replicates \d+") as info:
        check_memory(scenario, 1_000_000, available=GIB)
    assert info.value.field == "--replicates"
