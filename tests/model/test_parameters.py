"""The parameter table: every number has a unit, a source and a role in the equations."""

from __future__ import annotations

import re

import sympy as sp

from tregsim.calibration.experiments import load_targets
from tregsim.model.il2_aa import build_model
from tregsim.model.parameters import PARAMETERS
from tregsim.model.spec import SOURCE_LABELS

#: Behaviours of sources.md#model-behaviours that are calibration targets (targets.yaml).
CALIBRATION_BEHAVIOURS = {"B2", "B3", "B7", "B8", "B9"}


def test_every_parameter_has_unit_and_source():
    for p in PARAMETERS:
        assert p.unit.strip(), p.name
        assert p.source.strip(), p.name
        assert p.description.strip(), p.name


def test_kind_is_a_known_label():
    for p in PARAMETERS:
        assert p.kind in SOURCE_LABELS == ("published", "derived", "assumed", "calibrated"), p


def test_calibrated_parameters_name_their_target():
    """The source names a target of targets.yaml or a calibration behaviour (B2/B3/B7-B9)."""
    names = set(load_targets())
    for p in PARAMETERS:
        if p.kind != "calibrated":
            continue
        tags = set(re.findall(r"\bB\d\b", p.source))
        assert tags & CALIBRATION_BEHAVIOURS or any(n in p.source for n in names), (
            p.name,
            p.source,
        )


def test_no_duplicate_names():
    names = [p.name for p in PARAMETERS]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_every_parameter_is_used_by_the_equations():
    spec = build_model()
    used: set[sp.Symbol] = set()
    for expr in list(spec.rates.values()) + list(spec.derived.values()):
        used |= sp.sympify(expr).free_symbols
    unused = [p.name for p in PARAMETERS if sp.Symbol(p.name) not in used]
    assert not unused, f"parameters not used in any rate or derived quantity: {unused}"


def test_values_are_finite_and_positive():
    for p in PARAMETERS:
        assert p.value > 0 and p.value < float("inf"), (p.name, p.value)
        if p.iiv_cv is not None:
            assert 0 < p.iiv_cv < 2, (p.name, p.iiv_cv)
