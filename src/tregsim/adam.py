"""ADaM-style tables (CDISC ADaM IG 1.3 naming) from the patients table.

- ADSL, subject level: one row per replicate x subject (``USUBJID`` = ``REP<r>-<subject>``).
- ADEFF, basic data structure: one row per attended visit x parameter, with ``AVAL``,
  ``BASE``, ``CHG``, ``PCHG`` and, for SALT, ``CRIT1FL`` (SALT50: >= 50 % reduction).

Simulated truth (``SALTTRUE``) is kept as its own parameter so that analyses can compare
what a rater scored with what the model says; a real study has no such column.

ADEFF of a large run has millions of rows, so it is built as an Arrow table from NumPy
arrays (:func:`adeff_table`, what ``tregsim run`` writes): its text columns are
dictionary-encoded (a few labels, one per subject, visit week or parameter, and an index
per row), not strings built row by row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tregsim.analysis.derived import (
    baseline_week,
    percent_change,
    salt_responder,
    subject_baselines,
)

__all__ = ["adeff_table", "make_adsl", "make_adeff"]

_PARAMS = {
    "SALT": ("salt_observed", "SALT score, rater (0-100)"),
    "SALTTRUE": ("salt_true", "SALT score, simulated truth (0-100)"),
    "TREGPCT": ("treg_pct_cd4_observed", "Treg (% of CD4), flow cytometry"),
    "NKUL": ("nk_per_ul", "NK cells (/uL)"),
    "CD8UL": ("cd8_per_ul", "CD8 T cells (/uL)"),
}

_KEYS = ["replicate", "subject", "visit_week"]


def _usubjid(frame: pd.DataFrame) -> pd.Series:
    return "REP" + frame["replicate"].astype(str) + "-" + frame["subject"].astype(str)


def _visit_order(patients: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """``rows`` (positions in ``patients``) in the order of a stable sort by replicate,
    subject and visit week (``sort_values(["replicate", "subject", "visit_week"])``)."""
    keys = [patients[k].to_numpy()[rows] for k in _KEYS]
    if all(k.dtype.kind in "iuf" for k in keys) and not np.isnan(keys[2]).any():
        r, s, w = keys
        same_r = r[1:] == r[:-1]
        ordered = (r[1:] > r[:-1]) | (same_r & (s[1:] > s[:-1]))
        ordered |= same_r & (s[1:] == s[:-1]) & (w[1:] >= w[:-1])
        if ordered.all():  # the layout tregsim writes: nothing to sort
            return rows
    frame = pd.DataFrame({k: v for k, v in zip(_KEYS, keys, strict=True)})
    return rows[frame.sort_values(_KEYS).index.to_numpy()]


def _subject_groups(patients: pd.DataFrame, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group index of every row, position in ``rows`` of each group's first row) for
    ``rows`` sorted by :func:`_visit_order`: a group is one replicate x subject."""
    r = patients["replicate"].to_numpy()[rows]
    s = patients["subject"].to_numpy()[rows]
    start = np.ones(rows.size, dtype=bool)
    start[1:] = (r[1:] != r[:-1]) | (s[1:] != s[:-1])
    return np.cumsum(start) - 1, np.flatnonzero(start)


def _first_per_subject(patients: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``groupby(["replicate", "subject"]).first()`` (first non-missing value of each column
    in visit order) for ``columns``, keys as columns, groups in sorted order."""
    rows = _visit_order(patients, np.arange(len(patients)))
    group, starts = _subject_groups(patients, rows)
    n_groups = starts.size
    out = {k: patients[k].iloc[rows[starts]].reset_index(drop=True) for k in _KEYS[:2]}
    for column in columns:
        series = patients[column]
        missing = series.isna().to_numpy()[rows]
        if not missing.any():
            out[column] = series.iloc[rows[starts]].reset_index(drop=True)
            continue
        where = np.flatnonzero(~missing)
        g = group[where]
        first = np.ones(g.size, dtype=bool)
        first[1:] = g[1:] != g[:-1]
        pick = np.full(n_groups, -1)
        pick[g[first]] = rows[where[first]]
        taken = series.iloc[np.maximum(pick, 0)].reset_index(drop=True)
        out[column] = taken.where(pd.Series(pick >= 0))
    return pd.DataFrame(out)


def make_adsl(patients: pd.DataFrame, study_id: str = "TREGSIM") -> pd.DataFrame:
    """Subject-level analysis dataset."""
    if patients.empty:
        return pd.DataFrame()
    covariates = {
        "age": "AGE",
        "sex": "SEX",
        "bsa_m2": "BSA",
        "weight_kg": "WEIGHT",
        "subtype": "AASUBTYP",
        "episode_years": "EPIDURY",
        "salt_screening": "SALTSCR",
    }
    needed = ["arm", "stratum", *covariates, "status"]
    first = _first_per_subject(patients, [c for c in needed if c in patients])
    every = _visit_order(patients, np.arange(len(patients)))
    every_week = patients["visit_week"].to_numpy(dtype=float)[every]
    base_salt = subject_baselines(
        patients["salt_observed"].to_numpy(dtype=float)[every],
        _subject_groups(patients, every)[0],
        every_week == baseline_week(every_week),
    )
    attended = np.flatnonzero(~patients["dropped_out"].astype(bool).to_numpy())
    rows = _visit_order(patients, attended)
    group, starts = _subject_groups(patients, rows)
    # rows are in visit order, so a subject's last attended row has its latest visit week
    # (NaN weeks sort last and are skipped, as max() skips them)
    week = patients["visit_week"].to_numpy(dtype=float)[rows]
    where = np.flatnonzero(~np.isnan(week))
    g = group[where]
    last_row = np.ones(g.size, dtype=bool)
    last_row[:-1] = g[1:] != g[:-1]
    latest = np.full(starts.size, np.nan)
    latest[g[last_row]] = week[where[last_row]]
    last = pd.Series(
        latest,
        index=pd.MultiIndex.from_arrays(
            [patients[k].to_numpy()[rows[starts]] for k in _KEYS[:2]], names=_KEYS[:2]
        ),
    )
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
    for source, target in covariates.items():
        if source in first:
            out[target] = first[source].to_numpy()
    out["BASESALT"] = base_salt  # subjects in the order of ``first``
    lastwk = last.reindex(pd.MultiIndex.from_frame(first[["replicate", "subject"]])).to_numpy()
    out["LSTVSTWK"] = lastwk
    out["EOSSTT"] = np.where(lastwk >= final_week, "COMPLETED", "DISCONTINUED")
    out["SIMSTAT"] = first["status"].to_numpy()
    return out


def _labels(labels, index: np.ndarray):
    """Text column ``labels[index]`` as an Arrow dictionary array (index -1: missing); the
    CSV writer writes the labels, and nothing is copied per row."""
    import pyarrow as pa

    index = np.asarray(index, dtype=np.int32)
    return pa.DictionaryArray.from_arrays(
        pa.array(index, mask=index < 0), pa.array(list(labels), pa.large_string())
    )


def _constant(label: str, n: int):
    return _labels([label], np.zeros(n, dtype=np.int32))


def _coded(series: pd.Series, rows: np.ndarray):
    """A text column of the patients table (arm, stratum) at ``rows``, dictionary-encoded."""
    codes, uniques = pd.factorize(series)
    return _labels([str(u) for u in uniques], codes[rows])


def _numbers(values: np.ndarray):
    """Arrow array of numbers, NaN as missing (null), as ``pa.Table.from_pandas`` does."""
    import pyarrow as pa

    return pa.array(values, from_pandas=True)


def adeff_table(patients: pd.DataFrame, study_id: str = "TREGSIM"):
    """Efficacy / biomarker data by visit (attended visits only) as a ``pyarrow.Table``:
    the rows and values of :func:`make_adeff`, text columns dictionary-encoded."""
    import pyarrow as pa

    if patients.empty:
        return pa.table({})
    attended = np.flatnonzero(~patients["dropped_out"].astype(bool).to_numpy())
    rows = _visit_order(patients, attended)
    group, starts = _subject_groups(patients, rows)
    n = rows.size
    week = patients["visit_week"].to_numpy()[rows]
    weeks, week_index = np.unique(week, return_inverse=True)
    visit_labels = "WEEK " + pd.Series(weeks, dtype=patients["visit_week"].dtype).astype(str)
    subjects = patients.iloc[rows[starts]][["replicate", "subject"]]
    shared = {
        "STUDYID": _constant(study_id, n),
        "USUBJID": _labels(_usubjid(subjects), group),
        "REPLICATE": _numbers(patients["replicate"].to_numpy()[rows]),
        "TRT01P": _coded(patients["arm"], rows),
        "STRATUM": _coded(patients["stratum"], rows) if "stratum" in patients else pa.nulls(n),
    }
    visit = {
        "AVISIT": _labels(visit_labels, week_index),
        "AVISITN": _numbers(week),
        "ADY": _numbers(patients["day"].to_numpy()[rows]),
    }
    base_week = baseline_week(weeks)
    baseline_visit = week == base_week
    post = week > base_week
    ablfl = _labels(["", "Y"], baseline_visit)
    parts = []
    for code, (column, label) in _PARAMS.items():
        if column not in patients:
            continue
        aval = patients[column].to_numpy(dtype=float)[rows]
        base = subject_baselines(aval, group, baseline_visit)[group]
        chg = np.where(post, aval - base, np.nan)
        pchg = np.where(post, percent_change(base, aval), np.nan)
        part = {
            **shared,
            "PARAMCD": _constant(code, n),
            "PARAM": _constant(label, n),
            **visit,
            "AVAL": _numbers(aval),
            "BASE": _numbers(base),
            "ABLFL": ablfl,
            "CHG": _numbers(chg),
            "PCHG": _numbers(pchg),
        }
        if code in ("SALT", "SALTTRUE"):
            part["CRIT1"] = _constant("SALT50: >= 50% reduction from baseline", n)
            part["CRIT1FL"] = _labels(
                ["", "N", "Y"], np.where(post, np.where(salt_responder(base, aval, 50.0), 2, 1), 0)
            )
        parts.append(part)
    if not parts:
        raise ValueError("the patients table has none of the ADEFF parameter columns.")
    names = list(dict.fromkeys(name for part in parts for name in part))
    columns = {}
    for name in names:
        chunks = [part.get(name) for part in parts]
        kind = next(c.type for c in chunks if c is not None)
        columns[name] = pa.chunked_array(
            [pa.nulls(n, kind) if c is None else c for c in chunks], kind
        )
    return pa.table(columns)


def make_adeff(patients: pd.DataFrame, study_id: str = "TREGSIM") -> pd.DataFrame:
    """Efficacy / biomarker data by visit (attended visits only)."""
    if patients.empty:
        return pd.DataFrame()
    import pyarrow as pa

    table = adeff_table(patients, study_id)
    text = [
        column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column
        for column in table.columns
    ]
    return pa.table(text, names=table.column_names).to_pandas()
