"""Population parameters are declared like the model's: value, unit, kind, source."""

from __future__ import annotations

import dataclasses

import pytest

from tregsim.model.spec import SOURCE_LABELS, Parameter
from tregsim.population.spec import POPULATION_PARAMETERS, PopulationSpec


def test_every_population_field_is_a_declared_parameter():
    declared = {p.name: p.value for p in POPULATION_PARAMETERS}
    spec = PopulationSpec()
    for f in dataclasses.fields(PopulationSpec):
        if f.name == "parameter_overrides":
            continue
        value = getattr(spec, f.name)
        if isinstance(value, tuple):
            names = [n for n in declared if n.startswith(f.name + "_")]
            assert [declared[n] for n in names] == list(value), f.name
        else:
            assert declared[f.name] == value, f.name
    for p in POPULATION_PARAMETERS:
        assert p.kind in SOURCE_LABELS and p.source.strip() and p.unit.strip()


def test_declaration_is_validated_like_the_models():
    with pytest.raises(ValueError, match="kind must be one of"):
        Parameter("x", 1.0, "1", "guessed", "nowhere", "a bad kind")
    with pytest.raises(ValueError, match="source or justification"):
        Parameter("x", 1.0, "1", "assumed", " ", "no reasoning")


def test_a_negative_member_value_is_refused():
    with pytest.raises(ValueError, match="activity_sd must be a finite number"):
        PopulationSpec().with_member({"activity_sd": -0.1})
