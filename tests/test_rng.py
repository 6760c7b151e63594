"""Counter-based random streams (tregsim.rng): keyed, order-free, distinct."""

from __future__ import annotations

import numpy as np

from tregsim.rng import STREAMS, normal_per_patient, patient_rng, uniform_per_patient


def test_stream_is_a_function_of_its_key_not_of_order():
    first = [patient_rng(11, 0, p, "population").random(4) for p in range(5)]
    reverse = [patient_rng(11, 0, p, "population").random(4) for p in reversed(range(5))][::-1]
    # drawing other streams in between changes nothing
    interleaved = []
    for p in range(5):
        patient_rng(11, 0, p, "screening").random(100)
        interleaved.append(patient_rng(11, 0, p, "population").random(4))
    np.testing.assert_array_equal(first, reverse)
    np.testing.assert_array_equal(first, interleaved)


def test_per_patient_helpers_do_not_depend_on_batch():
    ids = np.arange(10)
    whole = uniform_per_patient(3, 1, ids, "dropout", 6)
    part = uniform_per_patient(3, 1, ids[[7, 2, 5]], "dropout", 6)
    np.testing.assert_array_equal(part, whole[[7, 2, 5]])
    whole = normal_per_patient(3, 1, ids, "assay", 3)
    np.testing.assert_array_equal(normal_per_patient(3, 1, ids[4:6], "assay", 3), whole[4:6])


def test_different_keys_give_different_numbers():
    draws = {}
    for stream in STREAMS:
        for replicate in (0, 1):
            for patient in (-1, 0, 1):
                for seed in (0, 1):
                    key = (seed, replicate, patient, stream)
                    draws[key] = patient_rng(seed, replicate, patient, stream).random(8)
    values = np.array(list(draws.values()))
    assert len(np.unique(values[:, 0])) == len(values)  # no two keys share a stream start
    corr = np.corrcoef(values)
    assert np.abs(corr[np.triu_indices(len(values), 1)]).max() < 0.999


def test_named_and_integer_streams_agree():
    for name, number in STREAMS.items():
        np.testing.assert_array_equal(
            patient_rng(5, 2, 9, name).random(3), patient_rng(5, 2, 9, number).random(3)
        )


def test_streams_look_uniform():
    """Pooled first draws of 2,000 patients: mean 0.5 +/- 4 SE, KS-like max gap < 0.05."""
    u = uniform_per_patient(2024, 0, np.arange(2000), "rater", 1)[:, 0]
    assert abs(u.mean() - 0.5) < 4 * np.sqrt(1 / 12 / u.size)
    grid = np.sort(u)
    assert np.abs(grid - (np.arange(u.size) + 0.5) / u.size).max() < 0.05


def test_patient_streams_give_the_draws_of_patient_rng_in_any_order():
    from tregsim.rng import PatientStreams, patient_rng

    streams = PatientStreams(7, 3, "population")
    for patient in (5, 0, 5, 123456, -1, 2):
        expected = patient_rng(7, 3, patient, "population")
        got = streams.for_patient(patient)
        assert got.random() == expected.random()
        np.testing.assert_array_equal(got.standard_normal(9), expected.standard_normal(9))
        assert got.integers(1000) == expected.integers(1000)


def test_patient_streams_rekeying_resets_every_part_of_the_state():
    """for_patient reuses one state dict and a pre-hashed key prefix: after any kind of draw
    (a half-used 32-bit word, a partly used Philox block) the next patient still starts exactly
    where a fresh generator does, for negative, small and 64-bit patient ids."""
    from tregsim.rng import PatientStreams

    streams = PatientStreams(-3, 12, "fluctuation")
    patients = [-1, 0, 1, 7, 2**31, 2**62 + 5, *range(1000, 1040)]
    for patient in patients:
        got = streams.for_patient(patient)
        expected = patient_rng(-3, 12, patient, "fluctuation")
        np.testing.assert_array_equal(
            got.integers(0, 9, 3, dtype=np.int32), expected.integers(0, 9, 3, dtype=np.int32)
        )
        np.testing.assert_array_equal(got.random(patient % 5 + 1), expected.random(patient % 5 + 1))
        assert got.standard_normal() == expected.standard_normal()
        got.integers(0, 9, dtype=np.int32)  # leaves half a word buffered for the next patient
