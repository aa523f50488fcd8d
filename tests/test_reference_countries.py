"""The country reference table against the real code lists in ../shared/data/real/reference."""

from __future__ import annotations

import os
from pathlib import Path

import country_converter as coco
import polars as pl
import pytest

from pipelines.reference.countries import (
    COLUMNS,
    ILO_REGIONS,
    SDG_REGIONS,
    build_countries,
    flagship_focus_iso3,
    ilo_region_of,
    write_countries,
)

REAL_DIR = Path(
    os.environ.get(
        "FLOORBOARD_REAL_DATA", Path(__file__).resolve().parents[1].parent / "shared/data/real"
    )
)


@pytest.fixture(scope="module")
def real_dir() -> Path:
    """The real reference data; skipped locally when absent, a failure in CI (``CI`` set)."""
    if not REAL_DIR.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"real data folder {REAL_DIR} is missing (required in CI)")
        pytest.skip(f"real data folder {REAL_DIR} not present")
    return REAL_DIR


@pytest.fixture(scope="module")
def countries() -> pl.DataFrame:
    return build_countries()


def test_columns_and_types(countries: pl.DataFrame) -> None:
    assert tuple(countries.columns) == COLUMNS
    assert countries["m49"].dtype == pl.Int32
    assert countries["sdg_region_code"].dtype == pl.Int32
    assert countries["is_flagship_focus"].dtype == pl.Boolean
    assert countries["iso3"].is_unique().all()
    assert countries.null_count().sum_horizontal().item() == 0
    assert set(countries["income_group"]) == {"LIC", "LMC", "UMC", "HIC"}
    assert set(countries["ilo_region"]) == set(ILO_REGIONS)
    for code, name in zip(countries["sdg_region_code"], countries["sdg_region"], strict=True):
        assert SDG_REGIONS[code] == name


def test_fifty_focus_countries(countries: pl.DataFrame) -> None:
    focus = flagship_focus_iso3()
    assert len(focus) == 50
    assert countries.filter(pl.col("is_flagship_focus")).height == 50
    assert set(countries.filter(pl.col("is_flagship_focus"))["iso3"]) == set(focus)
    assert {"KEN", "PSE", "LAO", "CIV", "COD", "TZA", "SWZ", "CPV"} <= set(focus)
    assert countries.filter(~pl.col("is_flagship_focus")).height >= 25
    by_region = countries.filter(pl.col("is_flagship_focus")).group_by("ilo_region").len()
    assert dict(by_region.iter_rows()) == {
        "Africa": 26,
        "Americas": 5,
        "Arab States": 4,
        "Asia and the Pacific": 10,
        "Europe and Central Asia": 5,
    }


def test_others_cover_regions_and_income_groups(countries: pl.DataFrame) -> None:
    others = countries.filter(~pl.col("is_flagship_focus"))
    assert set(others["ilo_region"]) == set(ILO_REGIONS)
    assert set(others["income_group"]) == {"LIC", "LMC", "UMC", "HIC"}
    assert set(countries["sdg_region_code"]) == set(SDG_REGIONS)


def test_names_are_iso_short_names(countries: pl.DataFrame) -> None:
    names = dict(countries.select("iso3", "name").iter_rows())
    assert names["KEN"] == "Kenya"
    assert names["URY"] == "Uruguay"
    assert names["VNM"] == "Viet Nam"


def test_codes_match_country_codes(real_dir: Path, countries: pl.DataFrame) -> None:
    ref = pl.read_csv(
        real_dir / "reference/country_codes.csv", schema_overrides={"m49": pl.Int64}
    ).select("iso3", "iso2", "m49", "region_code", "sub_region_code", "intermediate_region_code")
    joined = countries.join(ref, on="iso3", how="left", suffix="_ref")
    assert joined["iso2_ref"].null_count() == 0
    assert (joined["iso2"] == joined["iso2_ref"]).all()
    assert (joined["m49"].cast(pl.Int64) == joined["m49_ref"]).all()
    # SDG regions follow the M49 (sub)regions
    sdg_of_sub = {202: 202, 15: 747, 145: 747, 143: 62, 34: 62, 30: 753, 35: 753, 419: 419,
                  53: 53, 54: 543, 57: 543, 61: 543, 21: 513}  # fmt: skip
    for row in joined.iter_rows(named=True):
        expected = 513 if row["region_code"] == 150 else sdg_of_sub[row["sub_region_code"]]
        assert row["sdg_region_code"] == expected, row["iso3"]


def test_ilo_groupings_match(real_dir: Path, countries: pl.DataFrame) -> None:
    ref = pl.read_csv(real_dir / "reference/ilo_country_groupings.csv")
    joined = countries.join(ref, on="iso3", how="inner")
    assert joined.height >= countries.height - 2  # (nearly) all sample countries are listed
    mismatches = joined.filter(
        (pl.col("ilo_region") != pl.col("ilo_region_right"))
        | (pl.col("ilo_subregion") != pl.col("ilo_subregion_broad"))
    )
    assert mismatches.is_empty(), mismatches.select("iso3", "ilo_region", "ilo_subregion")


def test_ilo_rules_reproduce_every_listed_country(real_dir: Path) -> None:
    """The M49-based rule gives the ILO region and broad subregion of all 189 listed countries."""
    ref = pl.read_csv(real_dir / "reference/ilo_country_groupings.csv")
    iso3s = ref["iso3"].to_list()
    subregions = coco.CountryConverter().convert(iso3s, src="ISO3", to="UNregion")
    wrong, unknown = [], []
    for row, sub in zip(ref.iter_rows(named=True), subregions, strict=True):
        if sub == "not found":  # not an ISO 3166 country, e.g. CHA (Channel Islands)
            unknown.append(row["iso3"])
            continue
        got = ilo_region_of(row["iso3"], sub)
        if got != (row["ilo_region"], row["ilo_subregion_broad"]):
            wrong.append((row["iso3"], sub, got))
    assert not wrong, wrong
    assert len(unknown) <= 2, unknown


def test_income_groups_match_world_bank(real_dir: Path, countries: pl.DataFrame) -> None:
    wb = pl.read_csv(real_dir / "reference/wb_country_classification.csv")
    codes = {
        "Low income": "LIC",
        "Lower middle income": "LMC",
        "Upper middle income": "UMC",
        "High income": "HIC",
    }
    joined = countries.join(
        wb.select("iso3", pl.col("wb_income_group").replace_strict(codes, default=None)),
        on="iso3",
        how="left",
    )
    mismatches = joined.filter(pl.col("income_group") != pl.col("wb_income_group"))
    assert joined["wb_income_group"].null_count() == 0
    assert mismatches.is_empty(), mismatches.select("iso3", "income_group", "wb_income_group")


def test_write_countries(tmp_path: Path, countries: pl.DataFrame) -> None:
    path = write_countries(tmp_path / "reference" / "countries.csv", countries)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert "\r" not in text
    back = pl.read_csv(path, schema_overrides={"m49": pl.Int32, "sdg_region_code": pl.Int32})
    assert back.equals(countries)
