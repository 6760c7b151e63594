"""The report's figures, each a function (summary, patients, info) -> matplotlib Figure.

Conventions: axis labels carry units, Okabe-Ito colours with the control arm in grey, one
colour per arm in every figure, fonts readable when printed at 300 dpi. The figures
live in :mod:`~tregsim.report.fig_timecourse` and :mod:`~tregsim.report.fig_outcomes`; their
shared look in :mod:`~tregsim.report.style`.
"""

from __future__ import annotations

from collections.abc import Callable

from tregsim.report.fig_outcomes import fig_primary, fig_scalp, primary_differences, typical_salt
from tregsim.report.fig_timecourse import (
    fig_protocol,
    fig_responders,
    fig_salt,
    fig_treg,
    responder_rates,
)
from tregsim.report.safety import fig_safety
from tregsim.report.style import figure_style

__all__ = [
    "FIGURES",
    "figure_style",
    "primary_differences",
    "responder_rates",
    "typical_salt",
]

FIGURES: dict[str, Callable] = {
    "protocol": fig_protocol,
    "salt": fig_salt,
    "responders": fig_responders,
    "treg": fig_treg,
    "primary": fig_primary,
    "scalp": fig_scalp,
    "safety": fig_safety,  # tregsim.report.safety
}
