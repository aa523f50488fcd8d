"""Open SDG files of the sample warehouse (issue 5, methodology §8.3): the sdg-build checks pass
on every file written, a broken file fails them, and the values are the warehouse's."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.extracts import codelists, observations, open_sdg


@pytest.fixture(scope="module")
def open_sdg_dir(sample_warehouse: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("open_sdg")
    obs = observations.read(sample_warehouse / "floorboard.duckdb")
    open_sdg.write(obs, out, codelists.load())
    return out


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


def test_every_file_passes_the_open_sdg_checks(open_sdg_dir: Path, sample_warehouse: Path) -> None:
    assert open_sdg.check_folder(open_sdg_dir) == []
    con = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    try:
        per_country = dict(con.execute(
            "select iso3, count(*) from marts.sdg_indicators group by iso3"
        ).fetchall())  # fmt: skip
    finally:
        con.close()
    assert sorted(p.name for p in open_sdg_dir.iterdir()) == sorted(per_country)
    for iso3, n in per_country.items():
        files = sorted((open_sdg_dir / iso3 / "data").glob("indicator_*.csv"))
        assert sum(len(_rows(f)) - 1 for f in files) == n, iso3
        for indicator in ("1-3-1", "3-8-1"):
            meta = yaml.safe_load((open_sdg_dir / iso3 / "meta" / f"{indicator}.yml").read_text())
            has_csv = (open_sdg_dir / iso3 / "data" / f"indicator_{indicator}.csv").exists()
            assert meta["reporting_status"] == ("complete" if has_csv else "notstarted")


def test_layout_headline_and_values(open_sdg_dir: Path, sample_warehouse: Path) -> None:
    rows = _rows(open_sdg_dir / "KEN" / "data" / "indicator_1-3-1.csv")
    assert rows[0] == ["Year", "Series", "Units", "Sex", "NATURE", "TIME_DETAIL", "COMMENT_OBS",
                       "Value"]  # fmt: skip
    # NATURE E (a ratio computed from national inputs, methodology §8.1); TIME_DETAIL the year
    assert {r[4] for r in rows[1:]} == {"E"}
    assert all(r[5] == r[0] for r in rows[1:])
    # the headline: SI_COV_BENFTS, national total (empty Sex), comes first
    assert rows[1][1:4] == ["SI_COV_BENFTS", "PT", ""]
    headline = [r for r in rows[1:] if r[3] == ""]
    assert {r[1] for r in headline} >= {"SI_COV_BENFTS", "SI_COV_PENSN"}
    assert {r[3] for r in rows[1:]} <= {"", "F", "M"}
    maternity = {
        r[3]
        for f in open_sdg_dir.glob("*/data/indicator_1-3-1.csv")
        for r in _rows(f)[1:]
        if r[1] == "SI_COV_MATNL"
    }
    assert maternity == {"F"}
    uhc = _rows(open_sdg_dir / "KEN" / "data" / "indicator_3-8-1.csv")
    assert uhc[0] == ["Year", "Series", "Units", "NATURE", "TIME_DETAIL", "COMMENT_OBS", "Value"]
    assert {r[1] for r in uhc[1:]} == {"SH_ACS_UNHC"} and {r[2] for r in uhc[1:]} == {"IX"}

    con = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    try:
        expected = {
            (str(y), s, "" if sex == "_T" else sex): v
            for s, y, sex, v in con.execute(
                "select series_code, time_period, sex, value from marts.sdg_indicators "
                "where iso3 = 'KEN' and series_code like 'SI_COV_%'"
            ).fetchall()
        }
    finally:
        con.close()
    got = {(r[0], r[1], r[3]): r[-1] for r in rows[1:]}
    assert set(got) == set(expected)
    for key, text in got.items():
        assert len(text.partition(".")[2]) == 1
        assert abs(float(text) - expected[key]) <= 0.05 + 1e-9, key


@pytest.mark.parametrize(
    ("breakage", "problem"),
    [
        (lambda r: [[" Year", *r[0][1:]], *r[1:]], "not 'Year'"),
        (lambda r: [[*r[0][:-1], "Value "], *r[1:]], "surrounding whitespace"),
        (lambda r: [[r[0][-1], *r[0][1:-1], r[0][0]], *r[1:]], "not 'Value'"),
        (lambda r: [r[0], [*r[1][:-1], "n/a"], *r[2:]], "is not numeric"),
        (lambda r: [r[0], [*r[1][:-1], ""], *r[2:]], "is not numeric"),
        (lambda r: [r[0], [r[1][0], r[1][1] + " ", *r[1][2:]], *r[2:]], "leading/trailing"),
        (lambda r: [r[0], [" " + r[1][0], *r[1][1:]], *r[2:]], "leading/trailing"),
        (lambda r: [r[0], [""] * len(r[0]), *r[1:]], "empty row"),
        (lambda r: [r[0], *[[*x[:3], x[3] or "F", *x[4:]] for x in r[1:]]], "no headline"),
        (lambda r: [r[0], r[1][:-1], *r[2:]], "cells for"),
        (lambda r: [r[0]], "no data rows"),
    ],
)
def test_a_broken_file_fails_the_checks(
    open_sdg_dir: Path, tmp_path: Path, breakage, problem: str
) -> None:
    good = _rows(open_sdg_dir / "KEN" / "data" / "indicator_1-3-1.csv")
    assert open_sdg.check_csv(_write(tmp_path / "indicator_1-3-1.csv", good)) == []
    broken = _write(tmp_path / "indicator_1-3-1.csv", breakage(good))
    problems = open_sdg.check_csv(broken)
    assert any(problem in p for p in problems), problems


def test_1990s_years_pass_the_checks(open_sdg_dir: Path, tmp_path: Path) -> None:
    """Any reference year from 1990 on (methodology §8.1) passes the Open SDG checks."""
    good = _rows(open_sdg_dir / "KEN" / "data" / "indicator_1-3-1.csv")
    early = [good[0], *[[y, *r[1:5], y, *r[6:]] for y in ("1990", "1996") for r in good[1:3]]]
    assert open_sdg.check_csv(_write(tmp_path / "indicator_1-3-1.csv", early)) == []


def test_broken_metadata_fails_the_checks(open_sdg_dir: Path, tmp_path: Path) -> None:
    meta = yaml.safe_load((open_sdg_dir / "KEN" / "meta" / "1-3-1.yml").read_text())
    assert open_sdg.check_metadata(meta) == []
    assert open_sdg.check_metadata({}) and open_sdg.check_metadata([1])
    assert open_sdg.check_metadata({**meta, "reporting_status": "done"})
    assert open_sdg.check_metadata({k: v for k, v in meta.items() if k != "graph_type"})
    assert open_sdg.check_metadata({k: v for k, v in meta.items() if k != "graph_title"})
    no_flag = {k: v for k, v in meta.items() if k != "data_non_statistical"}
    assert open_sdg.check_metadata(no_flag)
    assert open_sdg.check_metadata({"reporting_status": "notstarted"}) == []

    # a folder whose metadata says complete but has no data file
    country = tmp_path / "KEN"
    shutil.copytree(open_sdg_dir / "KEN", country)
    (country / "data" / "indicator_1-3-1.csv").unlink()
    assert any("no data file" in p for p in open_sdg.check_folder(country))
