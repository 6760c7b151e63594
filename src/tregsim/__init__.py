"""tregsim: in-silico trials of low-dose interleukin-2 in alopecia areata.

A mechanistic model of IL-2, regulatory T cells and the hair-follicle autoimmune loop,
turned into virtual patients and simulated randomized trials.

Public API (imported lazily, so ``import tregsim`` stays fast)::

    import tregsim
    scenario = tregsim.load_scenario("phrc-2016", ["population.n=120"])
    result = tregsim.run_trial(scenario, replicates=20, seed=1)
    result.write("results/phrc-2016")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Scenario",
    "TregsimInputError",
    "__version__",
    "list_scenarios",
    "load_scenario",
    "run_trial",
]

_LAZY: dict[str, tuple[str, str]] = {
    "Scenario": ("tregsim.protocol", "Scenario"),
    "TregsimInputError": ("tregsim.errors", "TregsimInputError"),
    "list_scenarios": ("tregsim.scenarios", "list_scenarios"),
    "load_scenario": ("tregsim.scenarios", "load_scenario"),
    "run_trial": ("tregsim.api", "run_trial"),
}

if TYPE_CHECKING:  # pragma: no cover
    from tregsim.api import run_trial
    from tregsim.errors import TregsimInputError
    from tregsim.protocol import Scenario
    from tregsim.scenarios import list_scenarios, load_scenario


def __getattr__(name: str) -> Any:
    """Import public names on first use."""
    if name in _LAZY:
        module_name, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module_name), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tregsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
