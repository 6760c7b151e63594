"""Calibration of the virtual population to the published targets of docs/sources.md.

``run_calibration`` (the ``tregsim calibrate`` command) regenerates the shipped
ensemble; :mod:`tregsim.calibration.ensemble` loads it; the targets, with their
tolerances and sources, are in ``tregsim/data/targets.yaml``. ``run`` is imported on
first use: loading the ensemble (every trial run does) need not import the calibration
machinery.
"""

__all__ = ["CalibrationSettings", "run_calibration"]


def __getattr__(name: str):
    if name in __all__:
        from . import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
