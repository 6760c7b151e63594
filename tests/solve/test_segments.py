"""Segment starts shared by the one-patient and the lane paths: events, then saves, then the
next stop, on a patient's own state and on one lane of lane-minor arrays."""

import numpy as np

from tregsim.solve.events import ADD, MULTIPLY, SET
from tregsim.solve.segments import start_segment

EV_TIME = np.array([1.0, 1.0, 2.5, 4.0])
EV_STATE = np.array([0, 1, 0, 1])
EV_KIND = np.array([ADD, SET, MULTIPLY, ADD])
EV_VALUE = np.array([5.0, 7.0, 3.0, 1.0])
SAVE_TIMES = np.array([0.0, 1.0, 3.0])
SAVE_STATES = np.array([1, 0])


def _start(t, y, stride, lane, ie, isave, out):
    return start_segment(
        t,
        y,
        stride,
        lane,
        ie,
        4,
        EV_TIME,
        EV_STATE,
        EV_KIND,
        EV_VALUE,
        isave,
        SAVE_TIMES,
        SAVE_STATES,
        out,
    )


def test_events_at_t_come_before_the_values_saved_at_t():
    y = np.array([1.0, 2.0])
    out = np.full((3, 2), np.nan)
    assert _start(0.0, y, 1, 0, 0, 0, out) == (0, 1, 1.0, False)
    assert _start(1.0, y, 1, 0, 0, 1, out) == (2, 2, 2.5, True)  # next stop: the event
    np.testing.assert_array_equal(y, [6.0, 7.0])
    np.testing.assert_array_equal(out[:2], [[2.0, 1.0], [7.0, 6.0]])
    assert _start(2.5, y, 1, 0, 2, 2, out) == (3, 2, 3.0, True)  # next stop: a save time
    assert _start(3.0, y, 1, 0, 3, 2, out) == (3, 3, 3.0, False)  # all saved
    np.testing.assert_array_equal(out[2], [7.0, 18.0])


def test_a_lane_of_lane_minor_arrays_is_one_patient_state():
    lanes = 8
    y = np.arange(2.0 * lanes)  # entry j of lane k at j * lanes + k
    own = y[[3, lanes + 3]].copy()
    out_lane, out_own = np.zeros((3, 2)), np.zeros((3, 2))
    for t, ie, isave in ((0.0, 0, 0), (1.0, 0, 1)):
        assert _start(t, y, lanes, 3, ie, isave, out_lane) == _start(
            t, own, 1, 0, ie, isave, out_own
        )
    np.testing.assert_array_equal(y[[3, lanes + 3]], own)
    np.testing.assert_array_equal(out_lane, out_own)
    untouched = np.delete(np.arange(2 * lanes), [3, lanes + 3])
    np.testing.assert_array_equal(y[untouched], untouched.astype(float))
