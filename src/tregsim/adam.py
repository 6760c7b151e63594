"""ADaM-style tables (CDISC ADaM IG 1.3 naming) from the patients table.

- ADSL, subject level: one row per replicate x subject (``USUBJID`` = ``REP<r>-<subject>``).
- ADEFF, basic data structure: one row per attended visit x parameter, with ``AVAL``,
  ``BASE``, ``CHG``, ``PCHG`` and, for SALT, ``CRIT1FL`` (SALT50: >= 50 % reduction).

Simulated truth (``SALTTRUE``) is kept as its own parameter so that analyses can compare
what a rater scored with what the model says; a real study has no such column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["make_adsl", "make_adeff"]

_PARAMS = {
    "SALT": ("salt_observed", "SALT score, rater (0-100)"),
    "SALTTRUE": ("salt_true", "SALT score, simulated truth (0-100)"),
    "TREGPCT": ("treg_pct_cd4_observed", "Treg (% of CD4), flow cytometry"),
    "NKUL": ("nk_per_ul", "NK cells (/uL)"),
    "CD8UL": ("cd8_per_ul", "CD8 T cells (/uL)"),
}


def _usubjid(frame: pd.DataFrame) -> pd.Series:
    return "REP" + frame["replicate"].astype(str) + "-" + frame["subject"].astype(str)


def make_adsl(patients: pd.DataFrame, study_id: str = "TREGSIM") -> pd.DataFrame:
    """Subject-level analysis dataset."""
    if patients.empty:
        return pd.DataFrame()
    ordered = patients.sort_values(["replicate", "subject", "visit_week"])
    first = ordered.groupby(["replicate", "subject"], sort=True).first().reset_index()
    attended = ordered[~ordered["dropped_out"].astype(bool)]
    last = attended.groupby(["replicate", "subject"], sort=True)["visit_week"].max()
    final_week = patients["visit_week"].max()
    out = pd.DataFrame(
        {
            "STUDYID": study_id,
            "USUBJID": _usubjid(first),
            "SUBJID": first["subject"].astype(str),
            "REPLICATE": first["replicate"],
            "TRT01P": first["arm"],
            "TRT01A": first["arm"],
            "STRATUM": first.get("stratum"),
            "RANDFL": "Y",
            "ITTFL": "Y",
        }
    )
    for source, target in (
        ("age", "AGE"),
        ("sex", "SEX"),
        ("bsa_m2", "BSA"),
        ("weight_kg", "WEIGHT"),
        ("subtype", "AASUBTYP"),
        ("episode_years", "EPIDURY"),
        ("salt_screening", "SALTSCR"),
    ):
        if source in first:
            out[target] = first[source].to_numpy()
    out["BASESALT"] = first["salt_observed"].to_numpy()
    lastwk = last.reindex(pd.MultiIndex.from_frame(first[["replicate", "subject"]])).to_numpy()
    out["LSTVSTWK"] = lastwk
    out["EOSSTT"] = np.where(lastwk >= final_week, "COMPLETED", "DISCONTINUED")
    out["SIMSTAT"] = first["status"].to_numpy()
    return out


def make_adeff(patients: pd.DataFrame, study_id: str = "TREGSIM") -> pd.DataFrame:
    """Efficacy / biomarker data by visit (attended visits only)."""
    if patients.empty:
        return pd.DataFrame()
    attended = patients[~patients["dropped_out"].astype(bool)].sort_values(
        ["replicate", "subject", "visit_week"]
    )
    frames = []
    for code, (column, label) in _PARAMS.items():
        if column not in attended:
            continue
        aval = attended[column].astype(float)
        base = attended.assign(_a=aval.where(attended["visit_week"] == 0))
        base = base.groupby(["replicate", "subject"])["_a"].transform("first")
        frame = pd.DataFrame(
            {
                "STUDYID": study_id,
                "USUBJID": _usubjid(attended),
                "REPLICATE": attended["replicate"].to_numpy(),
                "TRT01P": attended["arm"].to_numpy(),
                "STRATUM": attended["stratum"].to_numpy() if "stratum" in attended else None,
                "PARAMCD": code,
                "PARAM": label,
                "AVISIT": "WEEK " + attended["visit_week"].astype(str),
                "AVISITN": attended["visit_week"].to_numpy(),
                "ADY": attended["day"].to_numpy(),
                "AVAL": aval.to_numpy(),
                "BASE": base.to_numpy(),
            }
        )
        frame["ABLFL"] = np.where(frame["AVISITN"] == 0, "Y", "")
        frame["CHG"] = np.where(frame["AVISITN"] > 0, frame["AVAL"] - frame["BASE"], np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["PCHG"] = np.where(
                (frame["AVISITN"] > 0) & (frame["BASE"] > 0),
                100.0 * frame["CHG"] / frame["BASE"],
                np.nan,
            )
        if code in ("SALT", "SALTTRUE"):
            frame["CRIT1"] = "SALT50: >= 50% reduction from baseline"
            frame["CRIT1FL"] = np.where(
                frame["AVISITN"] > 0, np.where(frame["PCHG"] <= -50.0, "Y", "N"), ""
            )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
