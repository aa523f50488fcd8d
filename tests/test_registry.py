"""Registry microdata (issue 15): the generator, validation at landing, and the exact counts.

Oracles are independent of the code under test: record counts come from the generator's
arguments, rejected records from what was planted by hand in small files, and the unduplicated
counts of the marts from a direct ``count(distinct person_id)`` on the raw files.
"""

from __future__ import annotations

import os
import time

import duckdb
import polars as pl
import pytest

from pipelines.registry import generate as gen
from tests.registry_helpers import PORTABLE_MODELS, dbt_run, land, scratch_warehouse

HEADER_B = "person_id,scheme_id,risk,benefit_type,sex,birth_year\n"
HEADER_C = "person_id,scheme_id,sex,birth_year\n"


def _receipt(results, table):
    (receipt,) = [r for _, r, _ in results]
    return receipt.filter(pl.col("table_name") == table).row(0, named=True)


def test_generator_is_seeded_and_exact(tmp_path):
    a = gen.generate(tmp_path / "a", 5_000, 12_345)
    b = gen.generate(tmp_path / "b", 5_000, 12_345)
    assert a.records == 12_345  # --records is a count
    for part in ("beneficiaries", "contributors"):
        assert (a.folder / f"{part}.parquet").read_bytes() == (
            b.folder / f"{part}.parquet"
        ).read_bytes()
    per_person = duckdb.sql(
        f"""
        select min(n), max(n) from (
            select person_id, count(*) as n from (
                select person_id from '{a.folder}/beneficiaries.parquet'
                union all select person_id from '{a.folder}/contributors.parquet'
            ) group by person_id
        )
        """
    ).fetchall()[0]
    assert per_person == (1, 4)  # every person holds 1-4 records
    with pytest.raises(ValueError):
        gen.generate(tmp_path / "c", 10, 50)  # more than 4 per person


def test_validation_rejects_each_problem_with_its_reason(tmp_path, monkeypatch):
    wh = scratch_warehouse(tmp_path)
    folder = tmp_path / "raw" / "registry" / "WSM_2022"
    folder.mkdir(parents=True)
    (folder / "beneficiaries.csv").write_text(
        HEADER_B
        + "1,WSM-PEN,old_age,cash_periodic,F,1950\n"  # ok
        + "1,WSM-SOCPEN,old_age,cash_periodic,F,1950\n"  # ok: a second scheme
        + "1,WSM-SOCPEN,old_age,cash_periodic,F,1950\n"  # duplicate of the row above
        + "2,WSM-XYZ,unemployment,cash_periodic,M,1990\n"  # unknown scheme
        + "3,WSM-UNEMP,pension,cash_periodic,M,1990\n"  # not a risk code
        + "4,WSM-UNEMP,unemployment,cash_periodic,X,1990\n"  # not a sex code
        + "5,WSM-UNEMP,unemployment,cash_periodic,M,2023\n"  # born after the year
        + "6,WSM-UNEMP,unemployment,cash_periodic,M,19x0\n"  # not a year
        + "=cmd|' /C calc'!A0,WSM-PEN,old_age,cash_periodic,F,1950\n"  # formula
        + "7,WSM-PEN,disability,cash_periodic,F,1970\n"  # sex differs from the contributor row
        + ",WSM-PEN,disability,cash_periodic,F,1970\n",  # empty person_id
        encoding="utf-8",
    )
    (folder / "contributors.csv").write_text(
        HEADER_C + "7,WSM-PEN,M,1970\n" + "8,WSM-PEN,F,1980\n", encoding="utf-8"
    )
    results = land(tmp_path / "raw", wh, monkeypatch)
    b = _receipt(results, "registry_beneficiaries")
    c = _receipt(results, "registry_contributors")
    assert (b["rows_received"], b["rows_loaded"], b["rows_quarantined"]) == (11, 2, 9)
    assert (c["rows_received"], c["rows_loaded"], c["rows_quarantined"]) == (2, 1, 1)
    q = pl.read_parquet(wh / "landing/_quarantine/registry_beneficiaries/WSM_2022.parquet")
    by_row = dict(zip(q["row_number"].to_list(), q["check_name"].to_list(), strict=True))
    assert by_row == {
        3: "duplicate_record",
        4: "known_scheme",
        5: "isin",
        6: "isin",
        7: "born_by_reference_year",
        8: "whole_number",
        9: "formula",
        10: "consistent_person",
        11: "not_nullable",
    }
    assert q["reason"].null_count() == 0 and q["row_json"].null_count() == 0
    accepted = pl.read_parquet(wh / "landing/registry_beneficiaries/WSM_2022.parquet")
    assert accepted["person_id"].to_list() == ["1", "1"]
    assert accepted["submission_id"].unique().to_list() == ["WSM_2022"]


def test_hostile_entries_are_refused_unread(tmp_path, monkeypatch):
    wh = scratch_warehouse(tmp_path)
    folder = tmp_path / "raw" / "registry" / "WSM_2022"
    folder.mkdir(parents=True)
    (folder / "beneficiaries.csv").write_text(
        HEADER_B + "1,WSM-PEN,old_age,cash_periodic,F,1950\n", encoding="utf-8"
    )
    os.symlink("/dev/zero", folder / "contributors.csv")  # never opened
    os.mkfifo(folder / "beneficiaries-2.csv")  # a FIFO would hang a reader
    (folder / "notes.xlsx").write_bytes(b"PK\x03\x04")
    start = time.monotonic()
    results = land(tmp_path / "raw", wh, monkeypatch)
    assert time.monotonic() - start < 30
    assert _receipt(results, "registry_beneficiaries")["rows_loaded"] == 1
    assert _receipt(results, "registry_file")["quarantine_records"] == 3
    q = pl.read_parquet(wh / "landing/_quarantine/registry_file/WSM_2022.parquet")
    reasons = " ".join(q["reason"].to_list())
    assert "symbolic link" in reasons and "FIFO" in reasons and "notes.xlsx" in reasons


def test_unreadable_file_refuses_the_registry(tmp_path, monkeypatch):
    wh = scratch_warehouse(tmp_path)
    folder = tmp_path / "raw" / "registry" / "WSM_2022"
    folder.mkdir(parents=True)
    (folder / "beneficiaries.parquet").write_bytes(b"PAR1 this is not parquet")
    results = land(tmp_path / "raw", wh, monkeypatch)
    b = _receipt(results, "registry_beneficiaries")
    assert b["file_error"] and "could not be read" in b["file_error"]
    assert not (wh / "landing/registry_beneficiaries/WSM_2022.parquet").exists()


def test_no_ssi_submission_quarantines_every_record(tmp_path, monkeypatch):
    wh = scratch_warehouse(tmp_path)
    gen.generate(tmp_path / "raw" / "registry", 300, 700, iso3="WSM", year=2021)
    results = land(tmp_path / "raw", wh, monkeypatch)
    b = _receipt(results, "registry_beneficiaries")
    assert b["rows_loaded"] == 0 and b["rows_quarantined"] == b["rows_received"] > 0


@pytest.mark.slow
def test_unduplicated_equals_distinct_persons_on_the_files(tmp_path, monkeypatch):
    """Done-criterion of issue 15: "any benefit" by sex = count(distinct person_id) computed
    directly on the raw files (cash benefits only), and contributing-or-receiving too."""
    wh = scratch_warehouse(tmp_path)
    g = gen.generate(tmp_path / "raw" / "registry", 20_000, 50_000)
    land(tmp_path / "raw", wh, monkeypatch)
    done = dbt_run(wh, tmp_path, "run", "--select", *PORTABLE_MODELS)
    assert done.returncode == 0, done.stdout[-4000:]
    b, c = g.folder / "beneficiaries.parquet", g.folder / "contributors.parquet"
    direct = dict(
        duckdb.sql(
            f"""select sex, count(distinct person_id) from '{b}'
                where benefit_type in ('cash_periodic', 'cash_lump_sum') group by sex"""
        ).fetchall()
    )
    direct["_T"] = sum(direct.values())
    either = dict(
        duckdb.sql(
            f"""select sex, count(distinct person_id) from (
                    select person_id, sex from '{b}'
                    where benefit_type in ('cash_periodic', 'cash_lump_sum')
                    union all select person_id, sex from '{c}') group by sex"""
        ).fetchall()
    )
    either["_T"] = sum(either.values())
    con = duckdb.connect(str(tmp_path / "floorboard.duckdb"), read_only=True)
    marts = {
        measure: dict(
            con.execute(
                """select sex, persons from marts.fct_registry_unduplicated
                   where measure = ? and age_group = '_T'""",
                [measure],
            ).fetchall()
        )
        for measure in ("any_benefit", "contributing_or_receiving")
    }
    assert marts["any_benefit"] == direct
    assert marts["contributing_or_receiving"] == either
    # the 5-year groups add up to the total (each person is in one group)
    (parts,) = con.execute(
        """select sum(persons) from marts.fct_registry_unduplicated
           where measure = 'any_benefit' and sex = '_T' and age_group <> '_T'"""
    ).fetchone()
    assert parts == direct["_T"]


def test_readme_generate_command_writes_both_parts(tmp_path):
    """`floorboard registry generate --persons N --records M`, as the README writes it (into a
    raw folder of its own through FLOORBOARD_RAW_DIR), makes both parts with M records."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import pyarrow.parquet as pq

    raw = tmp_path / "raw"
    env = {**os.environ, "FLOORBOARD_RAW_DIR": str(raw)}
    exe = Path(sys.executable).parent / "floorboard"
    args = ["registry", "generate", "--persons", "1000", "--records", "2500"]
    proc = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = raw / "registry" / "WSM_2022"
    parts = [folder / "beneficiaries.parquet", folder / "contributors.parquet"]
    assert sum(pq.read_metadata(p).num_rows for p in parts) == 2500
    bad = subprocess.run(
        [str(exe), "registry", "generate", "--persons", "10", "--records", "50"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--records" in bad.stderr


def test_an_unchanged_registry_is_validated_again_when_its_ssi_schemes_change(
    tmp_path, monkeypatch
):
    """A registry's scheme ids are checked against the SSI schemes of its country-year. When a
    revision of that submission adds a scheme, the same registry bytes are validated again: its
    records of the new scheme are no longer unknown. Unchanged bytes and schemes: not again."""
    wh = scratch_warehouse(tmp_path, ["WSM-PEN"])
    folder = tmp_path / "raw" / "registry" / "WSM_2022"
    folder.mkdir(parents=True)
    (folder / "beneficiaries.csv").write_text(
        HEADER_B
        + "1,WSM-PEN,old_age,cash_periodic,F,1950\n"
        + "2,WSM-UNEMP,unemployment,cash_periodic,M,1990\n",  # a scheme the SSI lacks
        encoding="utf-8",
    )
    results = land(tmp_path / "raw", wh, monkeypatch)
    b = _receipt(results, "registry_beneficiaries")
    assert (b["rows_loaded"], b["rows_quarantined"]) == (1, 1)
    assert [changed for *_, changed in land(tmp_path / "raw", wh, monkeypatch)] == [False]
    # the revision WSM_2022_r2 adds the scheme
    pl.DataFrame({"scheme_id": ["WSM-PEN", "WSM-UNEMP"]}).write_parquet(
        wh / "landing" / "ssi_schemes" / "WSM_2022_r2.parquet"
    )
    results = land(tmp_path / "raw", wh, monkeypatch)
    assert [changed for *_, changed in results] == [True]
    b = _receipt(results, "registry_beneficiaries")
    assert (b["rows_loaded"], b["rows_quarantined"]) == (2, 0)


def test_nothing_to_land_says_when_an_ssi_only_build_may_leave_the_registry_models(
    tmp_path, monkeypatch
):
    """``land.nothing_to_land`` (issue 13): true only when ``land_all`` would land, validate
    again or withdraw nothing. Then a build in which only SSI submissions changed leaves the
    models built from the registry landing alone as published (``runner.ssi_dependents``);
    ``fct_registry_coverage_comparison``, built from SSI models too, is rebuilt all the same."""
    from pipelines import runner
    from pipelines.registry import land as land_mod

    wh = scratch_warehouse(tmp_path, ["WSM-PEN"])
    raw = tmp_path / "raw"
    folder = raw / "registry" / "WSM_2022"
    folder.mkdir(parents=True)
    (folder / "beneficiaries.csv").write_text(
        HEADER_B + "1,WSM-PEN,old_age,cash_periodic,F,1950\n", encoding="utf-8"
    )
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    assert not land_mod.nothing_to_land()  # never landed
    land(raw, wh, monkeypatch)
    assert land_mod.nothing_to_land()
    # an SSI revision of its country-year with another scheme list: validated again
    revision = wh / "landing" / "ssi_schemes" / "WSM_2022_r2.parquet"
    pl.DataFrame({"scheme_id": ["WSM-PEN", "WSM-UNEMP"]}).write_parquet(revision)
    assert not land_mod.nothing_to_land()
    land(raw, wh, monkeypatch)
    assert land_mod.nothing_to_land()
    # an SSI submission of another country changes nothing for it
    pl.DataFrame({"scheme_id": ["KEN-PEN"]}).write_parquet(revision.with_name("KEN_2022.parquet"))
    assert land_mod.nothing_to_land()
    # its files changed, or it left raw/registry: landed or withdrawn again
    (folder / "beneficiaries.csv").write_text(
        HEADER_B + "2,WSM-PEN,old_age,cash_periodic,M,1950\n", encoding="utf-8"
    )
    assert not land_mod.nothing_to_land()
    land(raw, wh, monkeypatch)
    assert land_mod.nothing_to_land()
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    assert not land_mod.nothing_to_land()
    land(raw, wh, monkeypatch)
    assert land_mod.nothing_to_land()

    def names(keys) -> set[str]:
        return {k.path[-1] for k in keys}

    every = names(runner.ssi_dependents("build_warehouse"))
    left = every - names(runner.ssi_dependents("build_warehouse", registries_landed=True))
    assert left == {
        "int_registry_unduplicated",
        "int_registry_coverage_numerators",
        "fct_registry_persons",
        "fct_registry_unduplicated",
    }
    assert {"fct_registry_coverage_comparison", "registry_beneficiaries"} <= every - left
