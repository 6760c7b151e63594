"""Calibration of the virtual population to the published targets of DOMAIN.md."""
