"""Calibration of the virtual population to the published targets of DOMAIN.md.

``run_calibration`` (the ``tregsim calibrate`` command) regenerates the shipped
ensemble; :mod:`tregsim.calibration.ensemble` loads it; the targets, with their
tolerances and sources, are in ``tregsim/data/targets.yaml``.
"""

from .run import CalibrationSettings, run_calibration

__all__ = ["CalibrationSettings", "run_calibration"]
