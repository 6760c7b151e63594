"""Behaviours B1-B6 of sources.md#model-behaviours, measured on the typical patient.

Every check simulates the experiment with the production solver (Rodas4,
``tregsim.solve.solve_batch``, rtol 1e-8) and compares a model output with a
stated threshold. Nothing here is random; the population-level behaviours
(B7-B9) are calibration targets (``tregsim.calibration``).
"""

from __future__ import annotations

import numpy as np
import pytest

from tregsim.calibration import treg_response as targets
from tregsim.model import MODEL, initial_state, observe
from tregsim.model.dosing import NMOL_PER_MIU, SC_LAG_DAYS, dose_amount
from tregsim.population import PopulationSpec, typical_parameters
from tregsim.solve import EventTable, solve_batch

SI = MODEL.state_index
PI = MODEL.parameter_index
YEAR = 365.25
ADD, SET, MULTIPLY = 0, 1, 2
TREG_STATES = ("treg_resting", "treg_active", "treg_active_homing", "treg_skin")
#: B4: typical patient made more susceptible (typical cd8_skin_expansion is 1.65/day).
#: Searched 2.0, 2.5, 3.0, 3.5, 4.0: from 2.5 up health is not stable (SALT ~99 without any
#: intervention), so 2.0 is the most susceptible of these with stable health.
SUSCEPTIBLE_EXPANSION = 2.0


def _events(rows) -> EventTable:
    """EventTable of one patient from (time, state name, kind, value) rows."""
    rows = list(rows)
    if not rows:
        return EventTable.empty()
    t, s, k, v = zip(*rows, strict=True)
    return EventTable(
        time=np.array(t, dtype=float),
        patient=np.zeros(len(t), dtype=np.int64),
        state=np.array([SI[name] for name in s], dtype=np.int64),
        kind=np.array(k, dtype=np.int8),
        value=np.array(v, dtype=float),
    )


def _solve(params, y0, rows, days) -> np.ndarray:
    sol = solve_batch(
        params[None, :], y0[None, :], _events(rows), np.asarray(days, float), rtol=1e-8, atol=1e-11
    )
    assert sol.status[0] == 0, f"solver status {sol.status[0]}"
    return sol.values[0]


def _healthy(params) -> np.ndarray:
    """The patient's own healthy steady state (1,000 days from the reference levels)."""
    return _solve(params, initial_state(params)[0], [], [0.0, 1000.0])[-1]


def _sc_il2(days_miu) -> list:
    return [(d + SC_LAG_DAYS, "il2_depot", ADD, m * NMOL_PER_MIU) for d, m in days_miu]


def _baricitinib(mg: float, n_days: int) -> list:
    return [(float(d), "bari_gut", ADD, mg) for d in range(n_days)]


def _pilot() -> list:
    """The Castela 2014 pilot regimen (as in the pilot-2014 scenario)."""
    schedule = [(float(d), 1.5) for d in range(5)]
    schedule += [(float(s + d), 3.0) for s in (21, 42, 63) for d in range(5)]
    return _sc_il2(schedule)


def _trigger(day: float = 0.0) -> list:
    spec = PopulationSpec()
    return [
        (day, "privilege", SET, spec.trigger_privilege),
        (day, "cd8_skin", SET, spec.trigger_cd8),
    ]


@pytest.fixture(scope="module")
def typical():
    params = typical_parameters()
    return params, _healthy(params)


@pytest.fixture(scope="module")
def diseased(typical):
    """Typical patient one year after a trigger (established AA, disease_activity 1)."""
    params, healthy = typical
    return params, _solve(params, healthy, _trigger(), [0.0, 365.0])[-1]


# ---------------------------------------------------------------------------------- B1


#: B1 margins as measured (2026-12-02, model with Treg subsets, effector route and
#: PEG-IL-2): time-averaged Treg / cell signal over days 0-5, 1 MIU: CD8 and skin effectors
#: 20.95x, NK 19.99x; 3 MIU: 16.24x, 15.67x. B1 (sources.md#model-behaviours) asks for
#: >= 10x; the test holds the measured margin (rounded down to 0.1) so that any loss of
#: selectivity is seen.
B1_MEASURED_MARGIN = {1.0: 19.9, 3.0: 15.6}


@pytest.mark.parametrize("miu_per_day", [1.0, 3.0])
def test_b1_low_dose_signal_is_treg_selective(typical, miu_per_day):
    """SC 1-3 MIU/day x 5: time-averaged CD122 occupancy over days 0-5 in Tregs vs CD8,
    NK and skin CD8+NKG2D+ effectors at least the measured margin (B1 asks for >= 10x; the
    margins, >= 15.6x, sit at the measured values so any loss of selectivity is seen); NK,
    CD8 and T helper blood counts change by < 7% over 60 days (measured: <= 6.3%)."""
    params, y0 = typical
    rows = _sc_il2((float(d), miu_per_day) for d in range(5))
    dosing_days = np.linspace(0.0, 5.0, 501)
    obs = observe(_solve(params, y0, rows, dosing_days), params)
    treg = obs["signal_treg"].mean()
    margin = B1_MEASURED_MARGIN[miu_per_day]
    assert margin >= 10.0
    for cell in ("cd8", "nk", "effector"):
        assert treg >= margin * obs[f"signal_{cell}"].mean(), (
            cell,
            treg / obs[f"signal_{cell}"].mean(),
        )
    obs = observe(_solve(params, y0, rows, np.arange(0.0, 60.0, 0.25)), params)
    for count in ("cd8_per_ul", "nk_per_ul", "tconv_per_ul"):
        change = np.abs(obs[count] / obs[count][0] - 1.0).max()
        assert change < 0.07, (count, change)


def test_b1_high_dose_iv_expands_nk_and_cd8(typical):
    """600,000 IU/kg IV every 8 h x 5 days (70 kg): peak NK and CD8 >= 1.5x baseline
    (measured 5.5x and 3.9x); 3 MIU/day SC x 5 stays below 1.1x (previous test)."""
    params, y0 = typical
    bolus = dose_amount(600_000, "IU/kg", 70.0, 1.8, "il2")
    rows = [(k / 3.0, "il2_central", ADD, bolus) for k in range(15)]
    obs = observe(_solve(params, y0, rows, np.arange(0.0, 30.0, 0.05)), params)
    for count in ("nk_per_ul", "cd8_per_ul"):
        fold = obs[count].max() / obs[count][0]
        assert fold >= 1.5, (count, fold)


# ---------------------------------------------------------------------------------- B2


def test_b2_dilt1d_ed10_within_target(typical):
    """ED10 (single SC dose giving +10% Treg % of CD4 within 7 days): measured 0.1016 MIU/m2,
    target 0.101 (published 0.101, SE 0.078: [0.03, 0.25])."""
    params, _ = typical
    lo, hi = 0.03, 0.25  # published 0.101, SE 0.078: about +-2 SE, floored at 0.03
    ed10 = targets.treg_dilt1d_ed10(params)
    assert lo <= ed10 <= hi, ed10


def test_b2_single_dose_rise_monotone_and_saturating(typical):
    """Rise grows with dose 0.04..1.5 MIU/m2 and saturates (measured 0.040, 0.099, 0.160,
    0.210, 0.224, 0.230; rise(1.5) / rise(0.2) = 1.43 < 4)."""
    params, _ = typical
    doses = [0.04, 0.1, 0.2, 0.5, 1.0, 1.5]
    rises = np.array([targets.treg_single_dose_rise(params, d) for d in doses])
    assert np.all(np.diff(rises) > 0), rises
    assert rises[-1] < 4.0 * rises[2], rises


# ---------------------------------------------------------------------------------- B3


def test_b3_hartemann_order(typical):
    params, _ = typical
    assert targets.treg_hartemann_order(params) == 1.0


def _five_day_courses(params, y0):
    """Peak Treg % rise and days above +10% for 0.33, 1, 3 MIU/day x 5 (0.05-day grid)."""
    days = np.arange(0.0, 60.0, 0.05)
    peaks, durations = [], []
    for miu in (0.33, 1.0, 3.0):
        obs = observe(_solve(params, y0, _sc_il2((float(d), miu) for d in range(5)), days), params)
        rise = obs["treg_pct_cd4"] / obs["treg_pct_cd4"][0] - 1.0
        peaks.append(float(rise.max()))
        durations.append(float((rise > 0.10).sum() * 0.05))
    return np.array(peaks), np.array(durations)


def test_b3_five_day_courses_peak_rise_grows_with_dose(typical):
    """Peak Treg % rise 0.33 < 1 < 3 MIU/day x 5 (measured 0.610, 0.781, 0.792)."""
    peaks, _ = _five_day_courses(*typical)
    assert np.all(np.diff(peaks) > 0), peaks


def test_b3_five_day_courses_rise_lasts_longer_with_dose(typical):
    _, durations = _five_day_courses(*typical)
    assert np.all(np.diff(durations) > 0), durations


# ---------------------------------------------------------------------------------- B4


@pytest.fixture(scope="module")
def susceptible():
    params = typical_parameters()
    params[PI["cd8_skin_expansion"]] = SUSCEPTIBLE_EXPANSION
    return params, _healthy(params)


def test_b4_susceptible_patient_is_healthy_without_intervention(susceptible):
    """cd8_skin_expansion 2.0: SALT stays < 5 for 2 years (measured max 1.0)."""
    params, y0 = susceptible
    salt = observe(_solve(params, y0, [], np.arange(0.0, 2 * YEAR, 5.0)), params)["salt"]
    assert salt.max() < 5.0, salt.max()


@pytest.mark.parametrize("sustained", [False, True], ids=["once_day10", "weekly_8_weeks"])
def test_b4_treg_depletion_starts_hair_loss(susceptible, sustained):
    """Tregs x 0.02 at day 10 (or weekly for 8 weeks): SALT > 25 within a year
    (measured max SALT 98.8 / 99.0)."""
    params, y0 = susceptible
    weeks = range(8) if sustained else range(1)
    rows = [(10.0 + 7 * w, name, MULTIPLY, 0.02) for w in weeks for name in TREG_STATES]
    salt = observe(_solve(params, y0, rows, np.arange(0.0, YEAR, 5.0)), params)["salt"]
    assert salt.max() > 25.0, salt.max()


# ---------------------------------------------------------------------------------- B5


def test_b5_health_and_disease_both_stable_for_three_years(typical, diseased):
    """Same parameters (typical patient, disease_activity 1): from health SALT stays < 5
    (measured max 0.6); after a trigger SALT stays > 90 from 1 to 4 years (measured 98.9-99.3)."""
    params, healthy = typical
    _, sick = diseased
    days = np.arange(0.0, 3 * YEAR, 5.0)
    salt_h = observe(_solve(params, healthy, [], days), params)["salt"]
    salt_d = observe(_solve(params, sick, [], days), params)["salt"]
    assert salt_h.max() < 5.0, salt_h.max()
    assert salt_d.min() > 90.0, salt_d.min()
    assert healthy[SI["disease_activity"]] == sick[SI["disease_activity"]] == 1.0


SUFFICIENT = {"baricitinib_4mg_36w": _baricitinib(4.0, 252), "il2_pilot": _pilot()}
INSUFFICIENT = {
    "il2_single_0.3miu": _sc_il2([(0.0, 0.3)]),
    "baricitinib_1mg_2w": _baricitinib(1.0, 14),
}


@pytest.mark.parametrize("regimen", list(SUFFICIENT))
def test_b5_sufficient_transient_treatment_gives_lasting_health(diseased, regimen):
    """SALT < 20 at 2 and 4 years after the start (measured: baricitinib 0.9 / 0.6,
    pilot IL-2 0.9 / 0.6), long after the last dose (36 and 9.5 weeks)."""
    params, sick = diseased
    salt = observe(_solve(params, sick, SUFFICIENT[regimen], [2 * YEAR, 4 * YEAR]), params)["salt"]
    assert np.all(salt < 20.0), salt


@pytest.mark.parametrize("regimen", list(INSUFFICIENT))
def test_b5_insufficient_treatment_leaves_disease(diseased, regimen):
    """SALT > 80 throughout 2 years (measured minimum 98.5-98.8)."""
    params, sick = diseased
    salt = observe(
        _solve(params, sick, INSUFFICIENT[regimen], np.arange(0.0, 2 * YEAR, 5.0)), params
    )
    assert salt["salt"].min() > 80.0, salt["salt"].min()


# ---------------------------------------------------------------------------------- B6


@pytest.mark.parametrize("regimen", list(SUFFICIENT))
def test_b6_regrowth_trails_end_of_attack_by_months(diseased, regimen):
    """The attack ends (attack < 10% of its disease value; skin CD8 < 10% of its disease
    value) weeks after the start, SALT < 50 only >= 60 days later (measured: baricitinib
    attack day 24, CD8 day 33, SALT<50 day 148; pilot attack day 38, CD8 day 50,
    SALT<50 day 162)."""
    params, sick = diseased
    days = np.arange(0.0, 2 * YEAR, 1.0)
    y = _solve(params, sick, SUFFICIENT[regimen], days)
    obs = observe(y, params)
    attack_end = days[np.argmax(obs["attack"] < 0.1 * obs["attack"][0])]
    cd8 = y[:, SI["cd8_skin"]]
    cd8_end = days[np.argmax(cd8 < 0.1 * cd8[0])]
    assert (obs["salt"] < 50).any()
    salt_below_50 = days[np.argmax(obs["salt"] < 50)]
    assert attack_end > 0 and cd8_end > 0
    assert salt_below_50 - max(attack_end, cd8_end) >= 60.0, (attack_end, cd8_end, salt_below_50)


@pytest.mark.xfail(
    strict=True,
    reason="argmin of skin CD8 is ill-defined: it decays towards its healthy level "
    "asymptotically, so the minimum falls late (pilot IL-2: day 164, after SALT < 50 at day "
    "162; baricitinib 4 mg x 36 w: day 139 vs day 148). The 10%-of-disease crossing is used.",
)
@pytest.mark.parametrize("regimen", list(SUFFICIENT))
def test_b6_cd8_skin_minimum_precedes_regrowth_by_months(diseased, regimen):
    params, sick = diseased
    days = np.arange(0.0, 2 * YEAR, 1.0)
    y = _solve(params, sick, SUFFICIENT[regimen], days)
    salt = observe(y, params)["salt"]
    cd8_min = days[np.argmin(y[:, SI["cd8_skin"]])]
    assert days[np.argmax(salt < 50)] - cd8_min >= 60.0
