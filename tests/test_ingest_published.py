"""Published indicators (raw/published/): the real SDG files land unchanged, nothing lost;
what real data contains (totals outside F–M, values > 100) is flagged, not rejected."""

from __future__ import annotations

import hashlib
import shutil

import dagster as dg
import polars as pl
import pytest

from pipelines.definitions import defs
from pipelines.ingest import table_files
from pipelines.validation import FLAGS_COLUMN

REAL_FILES = {
    "sdg_131/sdg_131_ilo_series_by_sex.csv": "published_sdg_series_by_sex",
    "sdg_381/sdg_381_uhc_sci_sdgdb.csv": "published_sdg_series",
}


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    return tmp_path / "warehouse"


@pytest.mark.parametrize("rel", sorted(REAL_FILES))
def test_real_published_files_land_unchanged(real_dir, warehouse, rel):
    path = real_dir / rel
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    receipt, changed = table_files.land_published_file(path)
    assert changed
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # never modified
    r = receipt.row(0, named=True)
    assert r["table_name"] == REAL_FILES[rel]
    assert r["file_error"] is None
    assert r["rows_loaded"] + r["rows_quarantined"] == r["rows_received"]
    received = pl.read_csv(path, infer_schema=False).height
    assert r["rows_received"] == received
    landed = pl.read_parquet(warehouse / "landing" / REAL_FILES[rel] / f"{path.stem}.parquet")
    assert landed.height == r["rows_loaded"] == received  # real data: flagged, not rejected
    assert {"source_file", "source_sha256", "loaded_at", "submission_id"} <= set(landed.columns)
    assert landed["source_sha256"].unique().to_list() == [before]
    # identical bytes again: no-op
    assert table_files.land_published_file(path)[1] is False


def test_real_caveats_are_flagged(real_dir, warehouse):
    path = real_dir / "sdg_131/sdg_131_ilo_series_by_sex.csv"
    table_files.land_published_file(path)
    df = pl.read_parquet(warehouse / "landing/published_sdg_series_by_sex" / f"{path.stem}.parquet")
    flags = df[FLAGS_COLUMN].fill_null("")
    # Cabo Verde SI_COV_PENSN 2021 MALE = 132.4
    cpv = df.filter(
        (pl.col("iso3") == "CPV")
        & (pl.col("series_code") == "SI_COV_PENSN")
        & (pl.col("year") == 2021)
        & (pl.col("sex_sdmx") == "M")
    )
    if cpv.height:
        assert "value_above_100" in cpv[FLAGS_COLUMN][0]
    assert flags.str.contains("value_above_100").sum() >= 1
    assert flags.str.contains("total_outside_female_male_range").sum() >= 1
    bol = df.filter(
        (pl.col("iso3") == "BOL")
        & (pl.col("series_code") == "SI_COV_BENFTS")
        & (pl.col("year") == 2021)
        & (pl.col("sex_sdmx") == "_T")
    )
    if bol.height:
        assert "total_outside_female_male_range" in bol[FLAGS_COLUMN][0]


def test_published_hostile_rows_and_unknown_layout(tmp_path, warehouse, monkeypatch):
    raw = tmp_path / "raw"
    (raw / "published").mkdir(parents=True)
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    head = (
        "series_code,series_description,indicator,geo_area_code,geo_area_name,iso3,area_type,"
        "year,nature,units,value\n"
    )
    rows = [
        "SH_ACS_UNHC,UHC index,3.8.1,404,Kenya,KEN,country,2021,E,INDEX,56\n",
        "SH_ACS_UNHC,UHC index,3.8.1,999,Nowhere,XKZ,country,2021,E,INDEX,56\n",  # unknown iso3
        "SH_ACS_UNHC,UHC index,3.8.1,800,Uganda,UGA,country,2041,E,INDEX,50\n",  # future year
        "SH_ACS_UNHC,UHC index,3.8.1,288,Ghana,GHA,country,2021,E,INDEX,-3\n",  # negative
        "SH_ACS_UNHC,UHC index,3.8.1,404,Kenya,KEN,country,2021,E,INDEX,56\n",  # duplicate
    ]
    (raw / "published" / "uhc.csv").write_text(head + "".join(rows), encoding="utf-8")
    (raw / "published" / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    for path in table_files.discover_published():
        receipt, _ = table_files.land_published_file(path)
        r = receipt.row(0, named=True)
        assert r["rows_loaded"] + r["rows_quarantined"] == r["rows_received"]
    q = pl.read_parquet(warehouse / "landing/_quarantine/published_sdg_series/uhc.parquet")
    assert set(q["check_name"].str.replace(r"\(.*", "").to_list()) >= {
        "known_country",
        "less_than_or_equal_to",
        "greater_than_or_equal_to",
        "multiple_fields_uniqueness",
    }
    other = pl.read_parquet(warehouse / "landing/_quarantine/published_file/other.parquet")
    assert other.height == 1 and "matches no known layout" in other["reason"][0]


def test_published_asset_lands_raw_published(real_dir, tmp_path, warehouse, monkeypatch):
    raw = tmp_path / "raw"
    (raw / "published").mkdir(parents=True)
    shutil.copy(real_dir / "sdg_381/sdg_381_uhc_sci_sdgdb.csv", raw / "published")
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    assets = defs.resolve_assets_def(dg.AssetKey(["landing", "published_sdg_series"]))
    result = dg.materialize([assets], raise_on_error=True)
    evals = {(e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()}
    assert evals[("published_sdg_series", "rows_reconcile")].passed
    assert evals[("published_sdg_series", "no_quarantined_rows")].passed


#: a real published value from the 1990s (methodology §8.1): SI_COV_PENSN, Republic of Korea
#: (M49 410), 1996, both sexes, NATURE E, 21 %. UN SDG Global Database as converted by
#: open-numbers/ddf--unstats--sdg_indicators, file
#: ddf--datapoints--si_cov_pensn--by--geo_area--nature--observation_status--sex--units--year.csv
#: (row "410,e,a,bothsex,percent,1996,21", commit 6dbb81f2e2f95e267086eb198bd6591545a8ec97).
#: Korea is in the held-out part of ../shared/data/real/sdg_131, so the row is restated here in
#: the layout of the shared extract.
KOR_1996 = {
    "geo_area_code": "410",
    "geo_area_name": "Republic of Korea",
    "iso3": "KOR",
    "area_type": "country",
    "year": "1996",
    "sex": "BOTHSEX",
    "sex_sdmx": "_T",
    "nature": "E",
    "observation_status": "A",
    "units": "PERCENT",
    "value": "21",
}


def test_published_values_from_the_1990s_land(real_dir, tmp_path, warehouse):
    """A published 1996 value lands (it was quarantined by a "year >= 2000" rule), with every
    real row of the shared extract; 1989 is still refused."""
    real = pl.read_csv(real_dir / "sdg_131/sdg_131_ilo_series_by_sex.csv", infer_schema=False)
    template = real.filter(pl.col("series_code") == "SI_COV_PENSN").head(1)
    kor = template.with_columns(pl.lit(v).alias(k) for k, v in KOR_1996.items())
    early = kor.with_columns(pl.lit("1989").alias("year"), pl.lit("MALE").alias("sex"))
    early = early.with_columns(pl.lit("M").alias("sex_sdmx"))
    path = tmp_path / "sdg_131_ilo_series_by_sex.csv"
    pl.concat([real, kor, early]).write_csv(path)
    receipt, _ = table_files.land_published_file(path)
    r = receipt.row(0, named=True)
    assert (r["rows_received"], r["rows_loaded"]) == (real.height + 2, real.height + 1)
    landed = pl.read_parquet(
        warehouse / "landing/published_sdg_series_by_sex" / f"{path.stem}.parquet"
    )
    row = landed.filter((pl.col("iso3") == "KOR") & (pl.col("year") == 1996))
    assert row.select("series_code", "sex_sdmx", "nature", "value").rows() == [
        ("SI_COV_PENSN", "_T", "E", 21.0)
    ]
    # the real 1990s rows of the shared extract, if a later vintage has some, land too
    nineties = real.filter(pl.col("year").cast(pl.Int32) < 2000).height
    assert landed.filter(pl.col("year") < 2000).height == nineties + 1
    q = pl.read_parquet(
        warehouse / "landing/_quarantine/published_sdg_series_by_sex" / f"{path.stem}.parquet"
    )
    assert q.height == 1 and q["reason"][0] == "year = 1989: must be at least 1990"
