"""The drug registry (tregsim.drugs): declarations consistent with the model, and bad doses
rejected before any work (exit code 2, one sentence naming the field)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tregsim.drugs import DRUGS, NMOL_PER_MIU, NMOL_PER_UG_IL2, dose_amount
from tregsim.errors import TregsimInputError
from tregsim.scenarios import load_scenario, scenario_yaml


def test_every_declaration_points_at_the_model():
    """Dosed states, PK / binding parameters and exposure read-outs exist in the model."""
    from tregsim.model import MODEL
    from tregsim.model.codegen import OBSERVABLE_NAMES

    for drug in DRUGS.values():
        if drug.is_placebo:
            continue
        for route in drug.routes:
            assert drug.compartment(route) in MODEL.state_index, (drug.name, route)
        for name in drug.parameters:
            assert name in MODEL.parameter_index, (drug.name, name)
        assert drug.exposure in OBSERVABLE_NAMES, drug.exposure
        assert drug.sources
        for unit in drug.units:
            lo, hi = unit.plausible
            assert 0 < lo < hi


def test_dose_amounts():
    assert dose_amount("il2", 3.0, "MIU", 70.0, 1.8) == pytest.approx(3.0 * 3.993, rel=1e-3)
    assert dose_amount("il2", 1.0, "MIU/m2", 70.0, 1.8) == pytest.approx(1.8 * NMOL_PER_MIU)
    assert dose_amount("il2", 600_000, "IU/kg", 70.0, 1.8) == pytest.approx(42 * NMOL_PER_MIU)
    # 28 ug/kg x 70 kg = 1.96 mg of IL-2 protein (15.3 kDa) = 128 nmol
    assert dose_amount("rezpegaldesleukin", 28.0, "ug/kg", 70.0, 1.8) == pytest.approx(
        1960 * NMOL_PER_UG_IL2
    )
    assert dose_amount("baricitinib", 4.0, "mg", 70.0, 1.8) == 4.0


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("regimens.rezpeg_24.courses.0.unit=MIU", "regimens.rezpeg_24.courses.0.unit"),
        ("regimens.rezpeg_24.drug=aspirin", "regimens.rezpeg_24.drug"),
        ("regimens.rezpeg_24.courses.0.dose=240", "regimens.rezpeg_24.courses.0.dose"),
        ("regimens.rezpeg_24.courses.0.dose=0.01", "regimens.rezpeg_24.courses.0.dose"),
    ],
    ids=["rezpeg_in_MIU", "unknown_drug", "dose_above_range", "dose_below_range"],
)
def test_protocol_rejects_bad_drug_doses(override, field):
    with pytest.raises(TregsimInputError) as info:
        load_scenario("rezolve-aa", [override])
    assert field in str(info.value), str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("dose: 24, unit: ug/kg}", "dose: 24, unit: MIU}", "regimens.rezpeg_24.courses.0.unit"),
        ("drug: rezpegaldesleukin", "drug: rezpegaldesleukn", "regimens.rezpeg_24.drug"),
        ("dose: 24, unit: ug/kg}", "dose: 2400, unit: ug/kg}", "regimens.rezpeg_24.courses.0.dose"),
    ],
    ids=["rezpeg_in_MIU", "unknown_drug", "implausible_dose"],
)
def test_cli_exit_2_on_bad_drug_doses(tmp_path, tregsim_cli, old, new, field):
    text = scenario_yaml("rezolve-aa")
    assert old in text, old
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new, 1))
    out = tmp_path / "out"
    result = tregsim_cli("run", path, "--out", out, "--quiet")
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not Path(out).exists()
