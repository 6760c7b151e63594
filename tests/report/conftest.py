"""Fixtures for the report tests (synthetic data, see report_synthetic.py)."""

from __future__ import annotations

import pytest
from report_synthetic import synthetic_run


@pytest.fixture(scope="session")
def run_two_arms():
    """2 arms, 3 replicates, 20 patients, visits 0..52 weeks."""
    return synthetic_run()


@pytest.fixture(scope="session")
def report_two_arms(run_two_arms, tmp_path_factory):
    """Path of a rendered report for the 2-arm synthetic run."""
    from tregsim.report import write_report

    summary, patients, scenario = run_two_arms
    return write_report(summary, patients, scenario, tmp_path_factory.mktemp("rep") / "report.html")
