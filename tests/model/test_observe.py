"""observe(names=...) and observable_states: read-outs computed from a subset of states."""

import numpy as np
import pytest

from tregsim.model import MODEL, observable_states, observe
from tregsim.population.spec import PopulationSpec, typical_parameters


def _random_states(rng, shape):
    # small values: hair-cycle fractions summing below 1, so SALT is not clipped at 0
    return rng.uniform(0.01, 0.2, size=shape + (MODEL.n_states,))


def test_names_give_the_same_values_as_all_read_outs():
    rng = np.random.default_rng(1)
    params = typical_parameters(PopulationSpec())
    states = _random_states(rng, (5, 3))
    everything = observe(states, params)
    some = observe(states, params, ("salt", "nk_per_ul", "treg_pct_cd4"))
    assert set(some) == {"salt", "nk_per_ul", "treg_pct_cd4"}
    for name, value in some.items():
        assert np.array_equal(value, everything[name])


def test_observable_states_are_all_the_read_outs_need():
    """Scrambling every state outside observable_states(names) leaves the read-outs alone,
    and scrambling any state inside changes at least one of them."""
    rng = np.random.default_rng(2)
    params = typical_parameters(PopulationSpec())
    names = ("salt", "treg_pct_cd4", "treg_activated_pct_cd4", "cd8_per_ul", "signal_nk")
    used = observable_states(names)
    states = _random_states(rng, (4,))
    reference = observe(states, params, names)
    unused = [i for i in range(MODEL.n_states) if i not in used]
    scrambled = states.copy()
    scrambled[:, unused] = np.nan
    for name, value in observe(scrambled, params, names).items():
        assert np.array_equal(value, reference[name]), name
    for i in used:
        moved = states.copy()
        moved[:, i] *= 1.7
        after = observe(moved, params, names)
        assert any(not np.array_equal(after[k], reference[k]) for k in names), MODEL.state_names[i]


def test_state_read_outs_map_to_their_states():
    index = MODEL.state_index
    assert observable_states(("treg_per_ul",)) == tuple(
        sorted((index["treg_resting"], index["treg_active"]))
    )
    assert observable_states(("salt",)) == tuple(
        sorted(index[s] for s in ("anagen", "catagen", "telogen"))
    )


def test_unknown_read_out_is_an_error():
    params = typical_parameters(PopulationSpec())
    with pytest.raises(KeyError, match="no_such"):
        observe(np.ones((2, MODEL.n_states)), params, ("salt", "no_such"))
    with pytest.raises(KeyError, match="no_such"):
        observable_states(("no_such",))
