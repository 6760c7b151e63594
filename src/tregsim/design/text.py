"""Plain-text lines describing summary.json's ``design`` (printed by ``tregsim run``)."""

from __future__ import annotations

__all__ = ["design_lines"]


def design_lines(summary: dict) -> list[str]:
    """One line per design figure: bounds, power or type I error, expected N, duration."""
    lines = []
    if summary.get("null") and "type1_error" in summary:
        lines.append(
            f"Type I error (every arm on placebo): {summary['type1_error']:.3f} "
            f"over {summary.get('replicates', '?')} simulated trials"
        )
    design = summary.get("design")
    if not design:
        return lines
    bounds = ", ".join("none" if b is None else f"{b:.3f}" for b in design["efficacy_bounds_z"])
    lines.append(
        f"Design ({design['efficacy']} efficacy, interims {design['interims']}): "
        f"efficacy bounds z = {bounds}"
    )
    lines.append(
        f"Probability of success {design['power']:.3f} (SE {design['power_se']:.3f}); "
        f"expected N {design['expected_n']:.1f} of {design['fixed_n']}; expected duration "
        f"{design['expected_duration_months']:.1f} months (fixed design "
        f"{design['fixed_duration_months']:.1f})"
    )
    return lines
