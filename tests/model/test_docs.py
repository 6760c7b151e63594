"""docs/model.md is generated from the model source and must not drift from it."""

from __future__ import annotations

from tregsim.model.docs import REGENERATE, default_path, generate_markdown
from tregsim.model.il2_aa import build_model


def test_committed_model_page_equals_a_fresh_generation():
    path = default_path()
    assert path.is_file(), f"{path} is missing; run `{REGENERATE}` and commit it"
    assert path.read_text() == generate_markdown(), (
        f"{path} is out of date with tregsim.model.il2_aa / parameters.py; "
        f"run `{REGENERATE}` and commit docs/model.md"
    )


def test_page_lists_every_state_parameter_and_equation():
    spec = build_model()
    page = generate_markdown(spec)
    for name in spec.state_names:
        assert f"### `{name}` (" in page
    for name in spec.derived:
        assert f"### `{name}`" in page
    for p in spec.parameters:
        assert f"| `{p.name}` |" in page
    assert page.count("$$") == 2 * (len(spec.state_names) + len(spec.derived))
