"""Bayesian calibration of the model to the published targets (docs/calibration.md).

``run_calibration`` (the ``tregsim calibrate`` command) runs ABC-SMC over the priors of
``data/priors.yaml`` against the targets of ``data/targets.yaml``, every target simulated by
the trial engine; :mod:`tregsim.calibration.ensemble` loads the shipped posterior (every
trial run does, so it imports nothing heavy). The rest is imported on first use.
"""

__all__ = ["CalibrationSettings", "run_calibration"]


def __getattr__(name: str):
    if name == "CalibrationSettings":
        from .abc import CalibrationSettings

        return CalibrationSettings
    if name == "run_calibration":
        from .outputs import run_calibration

        return run_calibration
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
