"""Server glue that needs no browser: built-in names only, never a path."""

from __future__ import annotations

import pytest

from tregsim.app.server import _load_builtin
from tregsim.errors import TregsimInputError


@pytest.mark.parametrize("name", ["/etc/passwd", "../README.md", "phrc-2016.yaml", ""])
def test_the_scenario_select_accepts_builtin_names_only(name):
    with pytest.raises(TregsimInputError, match="is not a built-in scenario"):
        _load_builtin(name)


def test_a_builtin_loads():
    assert _load_builtin("pilot-2014").scenario.name == "pilot-2014"
