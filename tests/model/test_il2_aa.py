"""The Treg subsets and the effector route of the symbolic model (tregsim.model.il2_aa).

* Naive and activated Treg % of CD4 add up to the total Treg % of CD4.
* Only the skin-homing activated pool feeds skin Tregs: with no homing share among
  IL-2-activated Tregs (treg_il2_homing_ratio 0) IL-2 does not raise skin Tregs.
* IL-2 signals on skin CD8+NKG2D+ effectors through CD122 (same occupancy machinery as the
  blood cells); its coupling to effector expansion changes nothing at 0 and raises the
  effectors' drive when > 0.
"""

from __future__ import annotations

import numpy as np
import pytest

from tregsim.drugs import dose_amount
from tregsim.model import MODEL, initial_state, observe
from tregsim.population import typical_parameters
from tregsim.solve import EventTable, solve_batch

SI = MODEL.state_index
PI = MODEL.parameter_index
DAYS = np.arange(0.0, 40.0, 0.25)


def _with(params, **values):
    out = params.copy()
    for name, value in values.items():
        out[PI[name]] = value
    return out


def _solve(params, y0, doses, days=DAYS):
    """doses: (day, state, nmol) rows."""
    if doses:
        t, s, v = zip(*doses, strict=True)
        events = EventTable(
            time=np.array(t, dtype=float),
            patient=np.zeros(len(t), dtype=np.int64),
            state=np.array([SI[n] for n in s], dtype=np.int64),
            kind=np.zeros(len(t), dtype=np.int8),
            value=np.array(v, dtype=float),
        )
    else:
        events = EventTable.empty()
    sol = solve_batch(params[None, :], y0[None, :], events, days, rtol=1e-8, atol=1e-11)
    assert sol.status[0] == 0
    return sol.values[0]


def _settled(params):
    return _solve(params, initial_state(params)[0], [], np.array([0.0, 1000.0]))[-1]


def _pilot_course(miu=3.0):
    return [
        (d + 27 / 1440, "il2_depot", dose_amount("il2", miu, "MIU", 70.0, 1.8)) for d in range(5)
    ]


def _high_dose_iv():
    bolus = dose_amount("il2", 600_000, "IU/kg", 70.0, 1.8)
    return [(k / 3.0, "il2_central", bolus) for k in range(15)]


@pytest.fixture(scope="module")
def typical():
    params = typical_parameters()
    return params, _settled(params)


def test_treg_subsets_add_up_to_the_total(typical):
    params, y0 = typical
    obs = observe(_solve(params, y0, _pilot_course()), params)
    total = obs["treg_naive_pct_cd4"] + obs["treg_activated_pct_cd4"]
    np.testing.assert_allclose(total, obs["treg_pct_cd4"], rtol=1e-12)
    np.testing.assert_allclose(
        obs["treg_naive_per_ul"] + obs["treg_activated_per_ul"], obs["treg_per_ul"], rtol=1e-12
    )
    assert obs["treg_activated_pct_cd4"].max() > 1.2 * obs["treg_activated_pct_cd4"][0]


def test_homing_pool_is_its_share_of_the_activated_pool_at_ratio_1(typical):
    """With the IL-2 homing share equal to the resting share the homing pool stays exactly
    that share of the activated pool (the previous model's skin homing)."""
    params, y0 = typical
    states = _solve(params, y0, _pilot_course())
    share = params[PI["treg_homing_share"]]
    np.testing.assert_allclose(
        states[:, SI["treg_active_homing"]], share * states[:, SI["treg_active"]], rtol=1e-6
    )


def test_only_the_skin_homing_pool_feeds_skin_tregs(typical):
    """treg_il2_homing_ratio 0: IL-2 raises blood activated Tregs but not skin Tregs
    (<0.5%); ratio 1: skin Tregs rise (> 5%)."""
    params, _ = typical
    rises = {}
    for ratio in (0.0, 1.0):
        p = _with(params, treg_il2_homing_ratio=ratio)
        states = _solve(p, _settled(p), _pilot_course())
        skin = states[:, SI["treg_skin"]]
        rises[ratio] = skin.max() / skin[0] - 1.0
        assert states[:, SI["treg_active"]].max() > 1.2 * states[0, SI["treg_active"]]
    assert rises[0.0] < 0.005, rises
    assert rises[1.0] > 0.05, rises


def test_effector_il2_signal_rises_with_il2(typical):
    """IL-2 occupies CD122 on skin effectors (the CD122 / gamma-c dimer), more at high dose."""
    params, y0 = typical
    low = observe(_solve(params, y0, _pilot_course()), params)["signal_effector"].max()
    high = observe(_solve(params, y0, _high_dose_iv()), params)["signal_effector"].max()
    assert 0.0 < low < high


def test_effector_coupling_zero_changes_nothing(typical):
    """At coupling 0 the effectors' IL-2 signal has no effect: making it 50x larger (CD25
    on effectors x 200) leaves every state unchanged."""
    params, _ = typical
    base = _with(params, effector_il2_coupling=0.0)
    more_cd25 = _with(base, cd25_effector=params[PI["cd25_effector"]] * 200.0)
    y0 = _settled(base)
    a = _solve(base, y0, _high_dose_iv())
    b = _solve(more_cd25, y0, _high_dose_iv())
    np.testing.assert_array_equal(a, b)
    assert (
        observe(b, more_cd25)["signal_effector"].max() > observe(a, base)["signal_effector"].max()
    )


def test_effector_coupling_above_zero_raises_effector_drive(typical):
    """Coupling > 0: high-dose IL-2 raises the CD122 drive of skin effectors and their
    number above what coupling 0 gives."""
    params, _ = typical
    runs = {}
    for coupling in (0.0, 2.0):
        p = _with(params, effector_il2_coupling=coupling)
        y0 = _settled(p)
        states = _solve(p, y0, _high_dose_iv())
        runs[coupling] = (observe(states, p)["cd122_drive_effector"], states[:, SI["cd8_skin"]])
    drive0, cd8_0 = runs[0.0]
    drive2, cd8_2 = runs[2.0]
    assert drive2.max() > drive0.max() + 0.1
    assert cd8_2.max() > cd8_0.max()
