"""Human-friendly downloads (issue 5): the workbook has one sheet per series and a metadata sheet,
values are numbers equal to the warehouse's after rounding, the bytes are stable, and hostile
text (country names, source details that look like formulas) is neutralized in the workbook and
the CSV."""

from __future__ import annotations

import csv
import os
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.extracts import codelists, downloads, observations
from pipelines.extracts.selection import ExtractSelection
from pipelines.extracts.write import DOWNLOAD_CSV, WORKBOOK, write_extracts

PREPARED = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
HOSTILE = {
    "source": [
        '=HYPERLINK("http://evil.example","click")',
        "+1",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1",
        "\r=1",
    ],
    "name": '=HYPERLINK("http://evil.example","Kenya")',
}
#: not a formula, but not XML-safe: SDMX-ML must still be written
CONTROL = "bell\x07 and\nnew line"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Kenya", "Kenya"),
        ("", ""),
        (None, ""),
        ("a=b", "a=b"),
    ],
)
def test_neutralize(text: str | None, expected: str) -> None:
    assert downloads.neutralize(text) == expected


def test_workbook_sheets_metadata_and_values(sample_warehouse: Path, tmp_path: Path) -> None:
    warehouse = sample_warehouse / "floorboard.duckdb"
    selection = ExtractSelection(countries=("KEN", "URY"))
    obs = observations.read(warehouse, selection)
    risks = {"SI_COV_PENSN": ("old_age", "Old age")}
    cl = codelists.load()
    a = downloads.write_workbook(obs, tmp_path / "a.xlsx", risks, cl, "r1", PREPARED)
    b = downloads.write_workbook(obs, tmp_path / "b.xlsx", risks, cl, "r1", PREPARED)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert len({i.date_time for i in z.infolist()}) == 1  # fixed entry timestamps
        core = z.read("docProps/core.xml").decode()
    assert "<dcterms:created" in core and "2026-11-27T04:00:00Z" in core

    wb = openpyxl.load_workbook(a)
    series = sorted(set(obs["series_code"]))
    assert wb.sheetnames == ["metadata", *series]
    meta = [[c.value for c in row] for row in wb["metadata"].iter_rows()]
    header = meta[0]
    pensn = dict(zip(header, next(r for r in meta if r[0] == "SI_COV_PENSN"), strict=True))
    assert pensn["risk"] == "old_age" and "pensionable age" in pensn["definition"]
    assert pensn["name"].startswith("Proportion of population above statutory pensionable age")
    assert pensn["decimals"] == 1
    assert any(r[1] == "r1" for r in meta if r[0] == "release_id")

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        expected = {
            (i, y, s): v
            for i, y, s, v in con.execute(
                "select iso3, time_period, sex, value from marts.sdg_indicators "
                "where series_code = 'SI_COV_PENSN' and iso3 in ('KEN', 'URY')"
            ).fetchall()
        }
    finally:
        con.close()
    ws = wb["SI_COV_PENSN"]
    cols = [c.value for c in ws[1]]
    got = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        r = dict(zip(cols, row, strict=True))
        assert isinstance(r["value"], float | int) and isinstance(r["year"], float | int)
        got[(r["iso3"], int(r["year"]), r["sex"])] = r["value"]
    assert set(got) == set(expected)
    assert all(abs(got[k] - expected[k]) <= 0.05 + 1e-9 for k in got)


def _hostile_warehouse(warehouse_copy: Path) -> Path:
    """The copy with a hostile country name and hostile source details for KEN."""
    path = warehouse_copy / "floorboard.duckdb"
    os.chmod(path, os.stat(path).st_mode | stat.S_IWUSR)  # the published file is read-only
    con = duckdb.connect(str(path))
    try:
        con.execute("update marts.dim_country set name = ? where iso3 = 'KEN'", [HOSTILE["name"]])
        keys = con.execute(
            "select series_code, time_period, sex from marts.sdg_indicators where iso3 = 'KEN' "
            "order by all limit ?",
            [len(HOSTILE["source"]) + 1],
        ).fetchall()
        for text, (series, year, sex) in zip([*HOSTILE["source"], CONTROL], keys, strict=True):
            con.execute(
                "update marts.sdg_indicators set source_detail = ? where iso3 = 'KEN' and "
                "series_code = ? and time_period = ? and sex = ?",
                [text, series, year, sex],
            )
    finally:
        con.close()
    return path


def test_formula_injection_is_neutralized(warehouse_copy: Path, tmp_path: Path) -> None:
    warehouse = _hostile_warehouse(warehouse_copy)
    write_extracts(warehouse, tmp_path, "hostile", PREPARED, ExtractSelection(("KEN", "URY")))

    # workbook: no formula cells; every text cell that would trigger a formula starts with '
    wb = openpyxl.load_workbook(tmp_path / WORKBOOK)
    seen = set()
    numbers = 0
    for ws in wb.worksheets:
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            for name, cell in zip(header, row, strict=False):
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(TRIGGERS), (ws.title, cell.value)
                    seen.add(cell.value)
                elif name == "value":
                    numbers += isinstance(cell.value, float | int)
    assert numbers > 0
    assert "'" + HOSTILE["name"] in seen
    # a CR may come back as the OOXML escape _x000D_ (openpyxl leaves it in inline strings)
    assert {"'" + t for t in HOSTILE["source"]} <= {v.replace("_x000D_", "\r") for v in seen}

    # CSV: the same for text columns; values stay plain numbers
    with (tmp_path / DOWNLOAD_CSV).open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    text_columns = [n for n, kind in downloads.COLUMNS if kind == "text"]
    cells = {r[c] for r in rows for c in text_columns}
    assert not [c for c in cells if c.startswith(TRIGGERS)]
    assert "'" + HOSTILE["name"] in cells
    assert {"'" + t for t in HOSTILE["source"]} <= cells
    for r in rows:
        float(r["value"])
        assert not r["value"].startswith("'")

    # SDMX keeps text as is, on one line and without control characters
    sdmx_text = (tmp_path / "sdg_sdmx.csv").read_text(encoding="utf-8")
    assert "bell and new line" in sdmx_text and "\x07" not in sdmx_text
    assert "\x07" not in (tmp_path / "sdg_sdmx.xml").read_text(encoding="utf-8")
