"""Indicator values already published by ILO/UN (`raw/published/`), used for reconciliation.

Files are taken as they are published by the UN SDG Global Database (the layout of the extracts
in `../shared/data/real/sdg_131/` and `sdg_381/`). The layout of a file is recognised from its
header row, so a new vintage under another file name lands in the same table:

| layout | landing table | columns |
| --- | --- | --- |
| `sdg_series_by_sex` | `published_sdg_series_by_sex` | SDG series with a sex dimension (1.3.1) |
| `sdg_series` | `published_sdg_series` | SDG series without sex (3.8.1 UHC index) |

Hard checks reject a row (codes, years, negative values, duplicates, unknown countries). What
published data really contains is flagged, not rejected, in ``quality_flags``:
``total_outside_female_male_range`` (the both-sexes value is not between the female and male
values, beyond a rounding tolerance of ``RANGE_TOLERANCE`` points), ``value_above_100``
(a percentage or index above 100), ``country_without_iso3`` (a country row with no ISO3 code,
e.g. Kosovo or "Sudan [former]").
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas import codes
from schemas.ssi import THIS_YEAR

#: rounding tolerance (percentage points) for "total within the female–male range"
RANGE_TOLERANCE = 0.05


def _known_iso3(data: PolarsData) -> pl.LazyFrame:
    """Published data covers every country: ISO 3166-1 and the reference list are accepted."""
    known = sorted(codes.iso3166_countries() | codes.known_countries())
    return data.lazyframe.select(pl.col(data.key).is_null() | pl.col(data.key).is_in(known))


def _join_flags(*flags: tuple[str, pl.Expr]) -> pl.Expr:
    parts = [pl.when(cond.fill_null(False)).then(pl.lit(name)) for name, cond in flags]
    out = pl.concat_str(parts, separator=";", ignore_nulls=True)
    return pl.when(out == "").then(None).otherwise(out)


class SdgSeriesBySex(pa.DataFrameModel):
    """SDG Global Database series by sex (layout of `sdg_131_ilo_series_by_sex.csv`)."""

    series_code: str = pa.Field(str_matches=r"^[A-Z]{2}_[A-Z0-9_]+$")
    series_description: str
    indicator: str = pa.Field(str_matches=r"^\d{1,2}\.[0-9a-z]{1,2}\.\d{1,2}$")
    geo_area_code: int = pa.Field(ge=1, le=999)
    geo_area_name: str
    iso3: str = pa.Field(nullable=True, str_matches=r"^[A-Z]{3}$")
    area_type: str = pa.Field(isin=codes.SDG_AREA_TYPES)
    year: int = pa.Field(ge=codes.MIN_YEAR, le=THIS_YEAR)
    sex: str = pa.Field(isin=tuple(codes.SDG_SEXES))
    sex_sdmx: str = pa.Field(isin=codes.SEXES)
    nature: str = pa.Field(isin=codes.SDG_NATURES)
    observation_status: str = pa.Field(str_matches=r"^[A-Z]{1,2}$")
    units: str = pa.Field(isin=codes.SDG_UNITS)
    value: float = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True
        unique = ["series_code", "geo_area_code", "year", "sex"]

    @pa.check("iso3", name="known_country", error="known_country")
    @classmethod
    def iso3_known(cls, data: PolarsData) -> pl.LazyFrame:
        return _known_iso3(data)

    @pa.dataframe_check(error="sex and sex_sdmx disagree (BOTHSEX=_T, FEMALE=F, MALE=M)")
    @classmethod
    def sex_codes_agree(cls, data: PolarsData) -> pl.LazyFrame:
        mapped = pl.col("sex").replace_strict(codes.SDG_SEXES, default=None)
        return data.lazyframe.select((mapped == pl.col("sex_sdmx")).fill_null(True).alias("ok"))

    @classmethod
    def quality_flags(cls, frame: pl.DataFrame) -> pl.Series:
        key = ["series_code", "geo_area_code", "year"]
        rng = frame.group_by(key).agg(
            pl.col("value").filter(pl.col("sex_sdmx") != "_T").min().alias("_lo"),
            pl.col("value").filter(pl.col("sex_sdmx") != "_T").max().alias("_hi"),
            (pl.col("sex_sdmx") != "_T").sum().alias("_n"),
        )
        rows = frame.join(rng, on=key, how="left", maintain_order="left")
        outside = (
            (pl.col("sex_sdmx") == "_T")
            & (pl.col("_n") >= 2)
            & (
                (pl.col("value") < pl.col("_lo") - RANGE_TOLERANCE)
                | (pl.col("value") > pl.col("_hi") + RANGE_TOLERANCE)
            )
        )
        return rows.select(
            _join_flags(
                ("total_outside_female_male_range", outside),
                ("value_above_100", pl.col("value") > 100),
                (
                    "country_without_iso3",
                    (pl.col("area_type") == "country") & pl.col("iso3").is_null(),
                ),
            ).alias("quality_flags")
        ).to_series()


class SdgSeries(pa.DataFrameModel):
    """SDG Global Database series without sex (layout of `sdg_381_uhc_sci_sdgdb.csv`)."""

    series_code: str = pa.Field(str_matches=r"^[A-Z]{2}_[A-Z0-9_]+$")
    series_description: str
    indicator: str = pa.Field(str_matches=r"^\d{1,2}\.[0-9a-z]{1,2}\.\d{1,2}$")
    geo_area_code: int = pa.Field(ge=1, le=999)
    geo_area_name: str
    iso3: str = pa.Field(nullable=True, str_matches=r"^[A-Z]{3}$")
    area_type: str = pa.Field(isin=codes.SDG_AREA_TYPES)
    year: int = pa.Field(ge=codes.MIN_YEAR, le=THIS_YEAR)
    nature: str = pa.Field(isin=codes.SDG_NATURES)
    units: str = pa.Field(isin=codes.SDG_UNITS)
    value: float = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True
        unique = ["series_code", "geo_area_code", "year"]

    @pa.check("iso3", name="known_country", error="known_country")
    @classmethod
    def iso3_known(cls, data: PolarsData) -> pl.LazyFrame:
        return _known_iso3(data)

    @classmethod
    def quality_flags(cls, frame: pl.DataFrame) -> pl.Series:
        return frame.select(
            _join_flags(
                ("value_above_100", pl.col("value") > 100),
                (
                    "country_without_iso3",
                    (pl.col("area_type") == "country") & pl.col("iso3").is_null(),
                ),
            ).alias("quality_flags")
        ).to_series()


#: layout name -> model; a file's layout is the one whose columns equal its header row
LAYOUTS: dict[str, type[pa.DataFrameModel]] = {
    "sdg_series_by_sex": SdgSeriesBySex,
    "sdg_series": SdgSeries,
}
