"""Read the published observations once, for every extract: country values from
``marts.sdg_indicators`` and regional aggregates from ``marts.agg_regional``, with names and codes
from ``marts.dim_country``. Values are never recomputed; they are only rounded here (the one
place, design.md "rounded only at extract time").

Rounding rule: half away from zero on the decimal value, 1 decimal for percentages (``PT``, as
the UN SDG Global Database publishes SDG 1.3.1) and 0 decimals for the UHC index (``IX``, as WHO
publishes SDG 3.8.1).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import polars as pl

from pipelines.extracts.selection import ExtractSelection

#: decimals kept per UNIT_MEASURE
DECIMALS: dict[str, int] = {"PT": 1, "IX": 0}

#: regional aggregates that have an M49 code (REF_AREA): the world and the SDG regions; ILO
#: regions and income groups have none and appear in the human-friendly downloads only
M49_REGION_TYPES = ("world", "sdg_region")
WORLD_M49 = "1"

COLUMNS = {
    "area_type": pl.String,  # country | aggregate
    "region_type": pl.String,  # null for countries; world, sdg_region, ilo_region, ...
    "ref_area": pl.String,  # M49 code; null for aggregates without one
    "iso3": pl.String,
    "area_name": pl.String,
    "is_flagship_focus": pl.Boolean,
    "series_code": pl.String,
    "time_period": pl.Int64,
    "sex": pl.String,
    "age": pl.String,
    "value": pl.Float64,  # as published in the warehouse, unrounded
    "obs_value": pl.String,  # rounded, formatted with DECIMALS[unit_measure] decimals
    "unit_measure": pl.String,
    "unit_mult": pl.Int64,
    "nature": pl.String,
    "time_detail": pl.String,  # TIME_DETAIL: the year ("2020") or a range ("2016-2020")
    "obs_status": pl.String,
    "source_detail": pl.String,
    "comment_obs": pl.String,
    "population_coverage": pl.Float64,  # aggregates only
    "n_reporting": pl.Int64,
    "n_countries": pl.Int64,
}
SORT = ["series_code", "area_type", "region_type", "ref_area_sort", "area_name", "time_period",
        "sex", "age"]  # fmt: skip


def round_value(value: float, unit_measure: str) -> str:
    """The published text of a value: half away from zero at the unit's decimals."""
    if unit_measure not in DECIMALS:
        raise ValueError(f"no rounding rule for UNIT_MEASURE {unit_measure!r}")
    places = DECIMALS[unit_measure]
    quantum = Decimal(1).scaleb(-places)
    return str(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def connect(warehouse_path: Path) -> duckdb.DuckDBPyConnection:
    """The published warehouse, read-only."""
    return duckdb.connect(str(warehouse_path), read_only=True)


_COUNTRY_SQL = """
select
    'country' as area_type,
    cast(null as varchar) as region_type,
    cast(s.m49 as varchar) as ref_area,
    s.iso3,
    c."name" as area_name,
    coalesce(c.is_flagship_focus, false) as is_flagship_focus,
    s.series_code,
    cast(s.time_period as bigint) as time_period,
    s.sex,
    coalesce(s.age, '_T') as age,
    cast(s."value" as double) as "value",
    s.unit_measure,
    cast(s.unit_mult as bigint) as unit_mult,
    s.nature,
    s.time_detail,
    s.obs_status,
    s.source_detail,
    s.comment_obs,
    cast(null as double) as population_coverage,
    cast(null as bigint) as n_reporting,
    cast(null as bigint) as n_countries
from marts.sdg_indicators as s
left join marts.dim_country as c on s.iso3 = c.iso3
where s."value" is not null
"""

# value is null when suppressed (population coverage < 50 %, methodology §7): no data, no row
_AGGREGATE_SQL = """
with sdg_codes as (
    select distinct sdg_region, cast(sdg_region_code as varchar) as code
    from marts.dim_country where sdg_region_code is not null
)
select
    'aggregate' as area_type,
    a.region_type,
    case
        when a.region_type = 'world' then '1'
        when a.region_type in ('sdg_region', 'sdg_subregion') then g.code
    end as ref_area,
    cast(null as varchar) as iso3,
    a.region as area_name,
    false as is_flagship_focus,
    a.series_code,
    cast(a.time_period as bigint) as time_period,
    a.sex,
    '_T' as age,
    cast(a."value" as double) as "value",
    a.unit_measure,
    cast(0 as bigint) as unit_mult,
    a.nature,
    a.time_detail,
    'A' as obs_status,
    cast(null as varchar) as source_detail,
    cast(null as varchar) as comment_obs,
    cast(a.population_coverage as double) as population_coverage,
    cast(a.n_reporting as bigint) as n_reporting,
    cast(a.n_countries as bigint) as n_countries
from marts.agg_regional as a
-- SDMX codes: the SDG groupings of the reference countries (pinned in the DSD code list), by
-- their M49 code (53 and 543 are SDG sub-regions of Oceania in agg_regional)
left join sdg_codes as g
    on a.region_type in ('sdg_region', 'sdg_subregion') and cast(a.m49 as varchar) = g.code
where a."value" is not null
"""


def _aggregate_texts(frame: pl.DataFrame) -> pl.DataFrame:
    """SOURCE_DETAIL and COMMENT_OBS of aggregates, from the published counts and coverage."""
    is_agg = pl.col("area_type") == "aggregate"
    source = pl.format(
        "Floorboard regional aggregate (methodology §7): reporting countries only, weighted by "
        "the series denominator; {} of {} countries reporting",
        pl.col("n_reporting"),
        pl.col("n_countries"),
    )
    comment = pl.format(
        "Population coverage {} %",
        pl.col("population_coverage").map_elements(
            lambda v: round_value(v, "PT"), return_dtype=pl.String
        ),
    )
    return frame.with_columns(
        pl.when(is_agg).then(source).otherwise(pl.col("source_detail")).alias("source_detail"),
        pl.when(is_agg).then(comment).otherwise(pl.col("comment_obs")).alias("comment_obs"),
    )


def read(warehouse_path: Path, selection: ExtractSelection | None = None) -> pl.DataFrame:
    """Every published observation (countries and aggregates) restricted to ``selection``, with
    ``obs_value`` rounded, in a fixed order."""
    selection = selection or ExtractSelection()
    con = connect(warehouse_path)
    try:
        countries = con.sql(_COUNTRY_SQL).pl()
        aggregates = con.sql(_AGGREGATE_SQL).pl()
        known = {r[0]: bool(r[1]) for r in con.execute(
            "select iso3, coalesce(is_flagship_focus, false) from marts.dim_country"
        ).fetchall()}  # fmt: skip
    finally:
        con.close()
    if selection.countries is not None:
        unknown = sorted(set(selection.countries) - set(known))
        if unknown:
            raise ValueError(f"countries not in marts.dim_country: {', '.join(unknown)}")
    read_columns = {k: v for k, v in COLUMNS.items() if k != "obs_value"}
    frame = pl.concat([countries.cast(read_columns), aggregates.cast(read_columns)], how="vertical")
    frame = _aggregate_texts(frame)
    if selection.series is not None:
        frame = frame.filter(pl.col("series_code").is_in(list(selection.series)))
    if selection.years is not None:
        frame = frame.filter(pl.col("time_period").is_in(list(selection.years)))
    if selection.restricts_countries:
        frame = frame.filter(pl.col("area_type") == "country")
    if selection.countries is not None:
        frame = frame.filter(pl.col("iso3").is_in(list(selection.countries)))
    if selection.flagship_only:
        frame = frame.filter(pl.col("is_flagship_focus"))
    frame = frame.with_columns(
        pl.struct("value", "unit_measure")
        .map_elements(lambda r: round_value(r["value"], r["unit_measure"]), return_dtype=pl.String)
        .alias("obs_value"),
        pl.col("ref_area").cast(pl.Int64, strict=False).fill_null(-1).alias("ref_area_sort"),
    )
    frame = frame.sort(SORT, nulls_last=True).drop("ref_area_sort")
    return frame.select(list(COLUMNS))
