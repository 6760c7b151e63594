"""Every public name of tregsim.design is documented."""

import tregsim.design
import tregsim.design.compare
import tregsim.design.looks
import tregsim.design.rules


def test_public_names_have_docstrings():
    for module in (tregsim.design, tregsim.design.compare, tregsim.design.looks,
                   tregsim.design.rules):  # fmt: skip
        for name in module.__all__:
            doc = getattr(module, name).__doc__
            if isinstance(getattr(module, name), (float, int, tuple)):
                continue
            assert doc and doc.strip(), f"{module.__name__}.{name} has no docstring"
