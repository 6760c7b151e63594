"""The typical-patient trajectory (``tregsim trajectory``) and the CLI commands around it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tregsim.model import MODEL, observe
from tregsim.population.exports import typical_trajectory
from tregsim.scenarios import load_scenario

SCENARIO, ARM = "pilot-2014", "il2"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return typical_trajectory(load_scenario(SCENARIO, []), ARM, np.arange(0.0, 120.0, 0.5))


def test_columns_are_time_states_then_derived(frame):
    columns = list(frame.columns)
    assert columns[0] == "time"
    assert tuple(columns[1 : 1 + MODEL.n_states]) == MODEL.state_names
    for name in ("salt", "treg_pct_cd4", "signal_treg", "occupancy_treg", "il2_pm"):
        assert name in columns
    assert isinstance(frame.index, pd.RangeIndex)
    assert np.all(np.isfinite(frame.to_numpy()))


def test_read_outs_match_observe(frame):
    states = frame[list(MODEL.state_names)].to_numpy()
    from tregsim.population import typical_patient

    params = typical_patient(load_scenario(SCENARIO, []), ARM).params
    observed = observe(states, params[None, :])
    for name, values in observed.items():
        np.testing.assert_allclose(frame[name].to_numpy(), values, rtol=1e-12, atol=1e-12)


def test_doses_raise_tregs(frame):
    assert frame["il2_central"].max() > 0
    assert frame["treg_pct_cd4"].max() > 1.5 * frame["treg_pct_cd4"].iloc[0]
    assert frame["salt"].between(0, 100).all()


def test_scenario_name_is_accepted_and_bad_times_rejected():
    short = typical_trajectory(SCENARIO, ARM, [0.0, 1.0])
    assert list(short["time"]) == [0.0, 1.0]
    with pytest.raises(ValueError, match="nondecreasing"):
        typical_trajectory(SCENARIO, ARM, [2.0, 1.0])
    with pytest.raises(ValueError, match="empty"):
        typical_trajectory(SCENARIO, ARM, [])


def test_cli_trajectory_and_export_sbml(tregsim_cli, tmp_path):
    csv, xml = tmp_path / "f.csv", tmp_path / "f.xml"
    done = tregsim_cli("trajectory", SCENARIO, "--arm", ARM, "--out", csv)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(csv)
    assert set(MODEL.state_names) <= set(table.columns)
    scenario = load_scenario(SCENARIO, [])
    assert table["time"].iloc[-1] == scenario.follow_up_days
    assert len(table) == int(scenario.follow_up_days) + 1

    done = tregsim_cli("export-sbml", SCENARIO, "--arm", ARM, "--out", xml)
    assert done.returncode == 0, done.stderr
    libsbml = pytest.importorskip("libsbml")
    model = libsbml.readSBMLFromString(xml.read_text()).getModel()
    ids = {model.getSpecies(i).getId() for i in range(model.getNumSpecies())}
    assert ids == set(MODEL.state_names)
    assert ids <= set(table.columns)
