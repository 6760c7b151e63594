"""Adverse-event declarations: every number has provenance; endpoint kinds match."""

import numpy as np

from tregsim.protocol import AE_ENDPOINT_KINDS
from tregsim.safety.catalogue import catalogue, kind_names


def test_protocol_endpoint_kinds_are_ae_any_and_one_per_declared_kind():
    assert AE_ENDPOINT_KINDS == {"ae_any", *(f"ae_{k}" for k in kind_names())}


def test_every_parameter_has_a_status_and_assumed_ones_a_prior_and_reasoning():
    for kind in catalogue().values():
        assert np.isclose(sum(kind.grade_probabilities), 1.0)
        params = [kind.background, kind.grade_source]
        params += [p for d in kind.drivers.values() for p in d.parameters.values()]
        for p in params:
            assert p.status in ("calibrated", "assumed", "published"), p.name
            if p.status == "assumed":
                assert p.prior is not None and p.reasoning, p.name
            else:
                assert p.source, p.name


def test_links_rise_with_exposure_and_stay_probabilities():
    x = np.array([0.0, 0.5, 5.0, 50.0, 5000.0])
    for kind in catalogue().values():
        for driver in kind.drivers.values():
            p = driver.probability(x)
            assert p[0] == 0.0 and np.all(np.diff(p) > 0) and np.all(p <= 1.0), kind.name


def test_rezpegaldesleukin_and_high_dose_kinds_are_keyed_by_drug():
    declared = catalogue()
    assert set(declared["injection_site_reaction"].drivers) == {"rezpegaldesleukin"}
    assert declared["capillary_leak"].serious
    assert "baricitinib" not in {d for k in declared.values() for d in k.drivers}
