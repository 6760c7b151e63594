"""ADaM tables: the NumPy/Arrow builders against a plain pandas reference (the groupby /
sort_values definition of each column), DataFrames equal and CSV files byte-identical."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from tregsim.adam import _PARAMS, adeff_table, make_adeff, make_adsl
from tregsim.store import write_csv


def _usubjid(frame):
    return "REP" + frame["replicate"].astype(str) + "-" + frame["subject"].astype(str)


def reference_adsl(patients, study_id="TREGSIM"):
    ordered = patients.sort_values(["replicate", "subject", "visit_week"])
    first = ordered.groupby(["replicate", "subject"], sort=True).first().reset_index()
    attended = ordered[~ordered["dropped_out"].astype(bool)]
    last = attended.groupby(["replicate", "subject"], sort=True)["visit_week"].max()
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
    out["EOSSTT"] = np.where(lastwk >= patients["visit_week"].max(), "COMPLETED", "DISCONTINUED")
    out["SIMSTAT"] = first["status"].to_numpy()
    return out


def reference_adeff(patients, study_id="TREGSIM"):
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


def _patients(seed=3, replicates=3, n=7, weeks=(0.0, 1.0, 12.0, 52.0)):
    """Several replicates with drop-outs, a failed patient (NaN values) and a zero baseline."""
    rng = np.random.default_rng(seed)
    rows = replicates * n * len(weeks)
    m = len(weeks)
    dropped = np.zeros((replicates * n, m), dtype=bool)
    dropped[::3, 2:] = True
    salt = np.round(rng.uniform(0, 100, (replicates * n, m)))
    salt[1, 0] = 0.0  # zero baseline: no percent change
    salt[dropped] = np.nan
    salt[4] = np.nan  # failed simulation
    return pd.DataFrame(
        {
            "replicate": np.repeat(np.arange(replicates), n * m),
            "subject": np.tile(np.repeat(np.arange(n), m), replicates),
            "arm": np.where(rng.random(replicates * n) < 0.5, "il2", "placebo").repeat(m),
            "stratum": "S4",
            "visit_week": np.tile(weeks, replicates * n),
            "day": np.tile(np.array(weeks) * 7 + 1, replicates * n),
            "salt_true": rng.uniform(0, 100, rows),
            "salt_observed": salt.ravel(),
            "treg_pct_cd4_observed": rng.uniform(2, 9, rows),
            "nk_per_ul": rng.uniform(100, 300, rows),
            "cd8_per_ul": rng.uniform(200, 600, rows),
            "dropped_out": dropped.ravel(),
            "status": np.where(np.arange(rows) // m == 4, 2, 0),
            "age": rng.uniform(18, 60, rows).round(1),
            "sex": np.where(rng.random(rows) < 0.5, "F", "M"),
            "salt_screening": rng.uniform(50, 100, rows).round(),
        }
    )


def _variants():
    patients = _patients()
    yield "grid", patients
    shuffled = patients.iloc[np.random.default_rng(9).permutation(len(patients))]
    yield "shuffled", shuffled.reset_index(drop=True)
    text_ids = shuffled.assign(subject=shuffled["subject"].astype(str))
    yield "text subject ids", text_ids.reset_index(drop=True)
    yield "no stratum, no NK", patients.drop(columns=["stratum", "nk_per_ul"])
    holes = patients.copy()
    holes.loc[holes["subject"] == 2, "age"] = np.nan
    holes.loc[(holes["subject"] == 3) & (holes["visit_week"] == 0), "sex"] = np.nan
    yield "missing covariates", holes


def _csv(table, path):
    write_csv(table, path)
    return path.read_bytes()


@pytest.mark.parametrize("name", [name for name, _ in _variants()])
def test_adam_tables_equal_the_pandas_reference(name, tmp_path):
    patients = dict(_variants())[name]
    adsl, expected_adsl = make_adsl(patients), reference_adsl(patients)
    pd.testing.assert_frame_equal(adsl, expected_adsl, check_exact=True)
    expected = reference_adeff(patients)
    pd.testing.assert_frame_equal(make_adeff(patients), expected, check_exact=True)
    table = adeff_table(patients)
    assert table.column_names == list(expected.columns)
    expected_csv = _csv(pa.Table.from_pandas(expected, preserve_index=False), tmp_path / "a.csv")
    assert _csv(table, tmp_path / "b.csv") == expected_csv
    assert b",nan," not in expected_csv  # NaN is written as an empty field


def test_adam_of_an_empty_table():
    empty = _patients().iloc[:0]
    assert make_adsl(empty).empty and make_adeff(empty).empty
    assert adeff_table(empty).num_rows == 0


def test_adeff_text_columns_are_dictionary_encoded_but_written_as_text(tmp_path):
    table = adeff_table(_patients())
    assert pa.types.is_dictionary(table["USUBJID"].type)
    write_csv(table, tmp_path / "adeff.csv")
    back = pa_csv.read_csv(tmp_path / "adeff.csv")
    assert back["USUBJID"][0].as_py() == "REP0-0" and back["PARAMCD"][0].as_py() == "SALT"
