"""EventTable validation, CSR grouping and NONMEM dose-record expansion."""

import numpy as np
import pytest

from tregsim.solve import EventTable


def test_sorted_csr_groups_by_patient_and_is_stable():
    ev = EventTable(
        time=[2.0, 1.0, 1.0, 0.5, 1.0],
        patient=[1, 0, 1, 1, 1],
        state=[0, 1, 2, 3, 4],
        kind=[0, 1, 2, 0, 0],
        value=[1, 2, 3, 4, 5],
    )
    csr = ev.sorted_csr(3)
    np.testing.assert_array_equal(csr.offsets, [0, 1, 5, 5])
    np.testing.assert_array_equal(csr.time, [1.0, 0.5, 1.0, 1.0, 2.0])
    np.testing.assert_array_equal(csr.state, [1, 3, 2, 4, 0])  # ties keep table order
    with pytest.raises(ValueError, match="1 patients"):
        ev.sorted_csr(1)


def test_sorted_csr_of_a_table_already_in_order_equals_the_sorted_one():
    """A grouped, time-ordered table (the fast path, no sort) and a shuffled copy of it
    (sorted) give the same CSR, ties included."""
    rng = np.random.default_rng(3)
    patient = np.repeat(np.arange(40), rng.integers(0, 6, size=40))
    time = np.round(rng.uniform(0, 5, size=patient.size))  # rounded: ties
    order = np.lexsort((time, patient))
    ordered = EventTable(
        time[order], patient[order], np.arange(patient.size), np.zeros(patient.size), time[order]
    )
    shuffle = rng.permutation(patient.size)
    shuffled = EventTable(
        ordered.time[shuffle],
        ordered.patient[shuffle],
        ordered.state[shuffle],
        ordered.kind[shuffle],
        ordered.value[shuffle],
    )
    fast, slow = ordered.sorted_csr(40), shuffled.sorted_csr(40)
    for name in ("offsets", "time", "kind", "value"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name))
    # ties in time keep table order: the fast path is the table itself
    np.testing.assert_array_equal(fast.state, np.arange(patient.size))
    assert ordered._grouped_and_timed() and not shuffled._grouped_and_timed()


def test_arrays_are_read_only_copies():
    time = np.array([1.0])
    ev = EventTable(time, [0], [0], [0], [1.0])
    time[0] = 5.0
    assert ev.time[0] == 1.0
    with pytest.raises(ValueError):
        ev.time[0] = 2.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(kind=[3]), "kind"),
        (dict(time=[np.nan]), "finite"),
        (dict(patient=[-1]), "patient"),
        (dict(state=[0.5]), "integers"),
        (dict(value=[1.0, 2.0]), "equal length"),
        (dict(time=[[1.0]]), "1-D"),
    ],
)
def test_validation(kwargs, match):
    args = dict(time=[1.0], patient=[0], state=[0], kind=[0], value=[1.0])
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        EventTable(**args)


def test_concat_and_select_patients():
    a = EventTable([1.0], [0], [0], [0], [1.0])
    b = EventTable([2.0, 3.0], [2, 3], [1, 1], [1, 2], [2.0, 3.0])
    both = EventTable.concat([a, b])
    assert len(both) == 3 and len(EventTable.concat([])) == 0
    sub = both.select_patients(2, 4)
    np.testing.assert_array_equal(sub.patient, [0, 1])
    np.testing.assert_array_equal(sub.time, [2.0, 3.0])


def test_from_dose_records_expands_addl():
    ev = EventTable.from_dose_records(
        ID=[0, 1],
        TIME=[0.0, 1.5],
        AMT=[10.0, 4.0],
        CMT=["depot", "central"],
        ADDL=[2, 0],
        II=[7.0, 0.0],
        state_index={"depot": 0, "central": 1},
    )
    np.testing.assert_array_equal(ev.time, [0.0, 7.0, 14.0, 1.5])
    np.testing.assert_array_equal(ev.patient, [0, 0, 0, 1])
    np.testing.assert_array_equal(ev.state, [0, 0, 0, 1])
    np.testing.assert_array_equal(ev.value, [10.0, 10.0, 10.0, 4.0])
    np.testing.assert_array_equal(ev.kind, [0, 0, 0, 0])


def test_from_dose_records_errors():
    with pytest.raises(ValueError, match="II must be > 0"):
        EventTable.from_dose_records(0, 0.0, 1.0, 0, ADDL=2)
    with pytest.raises(ValueError, match="state_index"):
        EventTable.from_dose_records(0, 0.0, 1.0, "depot")
    with pytest.raises(ValueError, match="unknown states"):
        EventTable.from_dose_records(0, 0.0, 1.0, "gut", state_index={"depot": 0})


def test_one_apply_event_rule_for_python_sympy_and_the_compiled_solver():
    """events.apply_event (numbers and sympy, used by the SBML export) and the solver's
    compiled twin give the same state for every named kind."""
    import sympy as sp

    from tregsim.solve.events import EventKind, apply_event
    from tregsim.solve.rosenbrock import apply_event as apply_compiled

    for kind in EventKind:
        y = np.array([2.0, 5.0])
        apply_compiled(y, 1, int(kind), 3.0)
        assert (
            y[1]
            == apply_event(5.0, kind, 3.0)
            == {"ADD": 8.0, "SET": 3.0, "MULTIPLY": 15.0}[kind.name]
        )
    x = sp.Symbol("x")
    assert apply_event(x, EventKind.MULTIPLY, 2) == 2 * x
    with pytest.raises(ValueError):
        apply_event(1.0, 7, 1.0)
