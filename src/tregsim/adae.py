"""ADAE: the ADaM adverse-event dataset (CDISC ADaM Occurrence Data Structure naming), one
row per reported adverse event, built from the ``ae_log`` column of the patients table
(written by :mod:`tregsim.safety.events`: the events reported at each visit, as
``kind@day:grade:cause`` joined by ``;``).

Columns: ``STUDYID``, ``USUBJID`` (``REP<r>-<subject>``, as in ADSL), ``REPLICATE``,
``SUBJID``, ``ARM``, ``AESEQ`` (per subject, in start order), ``AEDECOD`` (the kind),
``AETERM`` (its label), ``ASTDY`` (start study day; CDISC has no day 0, so randomization
day 0 is study day 1), ``STARTDAY`` (tregsim's day, 0 = randomization), ``AETOXGR``
(CTCAE grade), ``AESER`` (Y/N), ``AVISIT`` (week of the visit that reported it) and
``SIMCAUSE`` (simulated truth: DRUG or BACKGROUND; a real study has no such column).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["ADAE_COLUMNS", "make_adae"]

ADAE_COLUMNS = (
    "STUDYID",
    "USUBJID",
    "REPLICATE",
    "SUBJID",
    "ARM",
    "AESEQ",
    "AEDECOD",
    "AETERM",
    "ASTDY",
    "STARTDAY",
    "AETOXGR",
    "AESER",
    "AVISIT",
    "SIMCAUSE",
)


def make_adae(patients: pd.DataFrame, study_id: str = "TREGSIM") -> pd.DataFrame:
    """One row per reported adverse event (empty, with the columns, when there is none)."""
    from tregsim.safety.catalogue import catalogue
    from tregsim.safety.events import LOG_COLUMN

    if patients.empty or LOG_COLUMN not in patients:
        return pd.DataFrame(columns=list(ADAE_COLUMNS))
    rows = patients[patients[LOG_COLUMN].astype(str) != ""]
    kinds = catalogue()
    records = []
    for replicate, subject, arm, week, log in rows[
        ["replicate", "subject", "arm", "visit_week", LOG_COLUMN]
    ].itertuples(index=False):
        for entry in str(log).split(";"):
            kind, _, rest = entry.partition("@")
            day, grade, cause = rest.split(":")
            declared = kinds.get(kind)
            records.append(
                {
                    "STUDYID": study_id,
                    "USUBJID": f"REP{replicate}-{subject}",
                    "REPLICATE": int(replicate),
                    "SUBJID": subject,
                    "ARM": arm,
                    "AEDECOD": kind,
                    "AETERM": declared.label if declared else kind,
                    "ASTDY": int(day) + 1,
                    "STARTDAY": int(day),
                    "AETOXGR": int(grade),
                    "AESER": "Y" if declared is not None and declared.serious else "N",
                    "AVISIT": float(week),
                    "SIMCAUSE": cause.upper(),
                }
            )
    if not records:
        return pd.DataFrame(columns=list(ADAE_COLUMNS))
    frame = pd.DataFrame(records).sort_values(
        ["REPLICATE", "SUBJID", "STARTDAY", "AEDECOD"], kind="stable"
    )
    frame["AESEQ"] = frame.groupby("USUBJID", sort=False).cumcount() + 1
    return frame[list(ADAE_COLUMNS)].reset_index(drop=True)
