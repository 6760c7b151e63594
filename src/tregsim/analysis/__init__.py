"""Trial analysis: endpoints, missing-data rules, statistical tests, replicate summaries."""

from tregsim.analysis.comparisons import AnalysisOptions, arm_values, compare_arms
from tregsim.analysis.endpoints import long_values, subject_values
from tregsim.analysis.imputation import locf, nri
from tregsim.analysis.statistics import (
    StatResult,
    ancova,
    cmh_test,
    fisher_risk_difference,
    newcombe_interval,
    random_intercept_model,
    wilson_interval,
)
from tregsim.analysis.summary import favours_treatment, summarize_comparison, summarize_values
from tregsim.analysis.survival import KaplanMeier, kaplan_meier, logrank

__all__ = [
    "AnalysisOptions",
    "KaplanMeier",
    "StatResult",
    "ancova",
    "arm_values",
    "cmh_test",
    "compare_arms",
    "favours_treatment",
    "fisher_risk_difference",
    "kaplan_meier",
    "locf",
    "logrank",
    "long_values",
    "random_intercept_model",
    "newcombe_interval",
    "nri",
    "subject_values",
    "summarize_comparison",
    "summarize_values",
    "wilson_interval",
]
