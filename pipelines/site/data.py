"""Queries of the site: read the published warehouse (marts schema) and nothing else.

Every rate shown on the site is read from a mart; nothing is recomputed here. Each function
returns plain rows (lists of dicts), always in a fixed order so that the pages are
byte-for-byte reproducible. The Flagship tables are optional: they are read only when they
exist in the warehouse (``has_table``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

Row = dict[str, Any]


@contextmanager
def connect(warehouse_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def rows(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> list[Row]:
    cur = con.execute(query, params or [])
    names = [d[0] for d in cur.description]
    data = cur.fetchall()
    if not data:
        return []
    # a column's values share one Python type (its SQL type's): only the columns whose first
    # value is a decimal or a date are converted, not every value (70,000 rows per build)
    columns = [list(values) for values in zip(*data, strict=True)]
    for i, values in enumerate(columns):
        first = next((v for v in values if v is not None), None)
        if isinstance(first, Decimal | date | datetime):
            columns[i] = [_plain(v) for v in values]
    return [dict(zip(names, r, strict=True)) for r in zip(*columns, strict=True)]


def _plain(value: Any) -> Any:
    """JSON-ready scalars: decimals as floats, dates as ISO strings."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def has_table(con: duckdb.DuckDBPyConnection, name: str, schema: str = "marts") -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return found[0][0] > 0


# --- reference -------------------------------------------------------------------------------


def countries_with_data(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """dim_country rows of the countries that appear in at least one fact of the site."""
    facts = [
        "fct_effective_coverage",
        "fct_legal_coverage",
        "fct_expenditure",
        "sdg_indicators",
    ]
    if has_table(con, "fct_flagship_results"):
        facts.append("fct_flagship_results")
    union = " union ".join(f"select iso3 from marts.{t}" for t in facts)
    return rows(
        con,
        f"""
        select c.iso3, c.name, c.ilo_region, c.ilo_subregion, c.sdg_region, c.income_group,
               coalesce(c.is_flagship_focus, false) as is_flagship_focus
        from marts.dim_country c
        where c.iso3 in ({union})
        order by c.iso3
        """,
    )


def region_memberships(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """(iso3, region_type) -> the region ``agg_regional`` counts the country in, in its latest
    year (income groups change with the fiscal year). Read from the warehouse's membership
    table, never derived here: dim_country's labels (income codes, SDG regions without
    Oceania's sub-regions) are not the aggregates' region names."""
    if not has_table(con, "int_region_memberships", schema="intermediate"):
        return {}
    found = rows(
        con,
        """
        select iso3, region_type, region
        from intermediate.int_region_memberships
        qualify row_number() over (partition by iso3, region_type order by "year" desc) = 1
        """,
    )
    return {(r["iso3"], r["region_type"]): r["region"] for r in found}


def risk_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {r["risk"]: r["label"] for r in rows(con, "select risk, label from marts.dim_risk")}


# --- country ---------------------------------------------------------------------------------
#
# Each query runs once for all countries (a query per country and page cost a second of every
# build, issue 13): ``{iso3}`` is the country column of the query; its rows come back grouped
# by country, each country's in the order of the query.


def _by_country(con: duckdb.DuckDBPyConnection, query: str, iso3: str) -> dict[str, list[Row]]:
    found = rows(con, query.format(iso3=f"{iso3} as _country,", first=f"{iso3},"))
    out: dict[str, list[Row]] = {}
    for r in found:
        out.setdefault(r.pop("_country"), []).append(r)
    return out


def effective_coverage(con: duckdb.DuckDBPyConnection) -> dict[str, list[Row]]:
    return _by_country(
        con,
        """
        select {iso3} "year", risk, sex, series_code, covered, reference_population,
               coverage_rate, is_above_100, is_estimated
        from marts.fct_effective_coverage
        where coverage_rate is not null
        order by {first} "year", risk, sex
        """,
        "iso3",
    )


def legal_vs_effective(con: duckdb.DuckDBPyConnection) -> dict[str, list[Row]]:
    """Headline (mandatory) legal coverage next to effective coverage, same year, risk, sex."""
    return _by_country(
        con,
        """
        select {iso3} l."year", l.risk, l.sex, l.legal_coverage_rate, e.coverage_rate
        from marts.fct_legal_coverage l
        left join marts.fct_effective_coverage e
          on e.iso3 = l.iso3 and e."year" = l."year" and e.risk = l.risk and e.sex = l.sex
        where l.scope = 'mandatory' and l.legal_coverage_rate is not null
        order by {first} l."year", l.risk, l.sex
        """,
        "l.iso3",
    )


def expenditure(con: duckdb.DuckDBPyConnection) -> dict[str, list[Row]]:
    """Expenditure by function, all scheme types (scheme_type = '_T')."""
    return _by_country(
        con,
        """
        select {iso3} "year", "function", expenditure_lcu, currency, pct_gdp, per_capita_usd,
               pct_gov_expenditure
        from marts.fct_expenditure
        where scheme_type = '_T'
        order by {first} "year", "function"
        """,
        "iso3",
    )


def sdg_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[Row]]:
    return _by_country(
        con,
        """
        select {iso3} series_code, sex, age, time_period as "year", value, nature, obs_status,
               source_detail, comment_obs
        from marts.sdg_indicators
        order by {first} series_code, sex, age, time_period
        """,
        "iso3",
    )


# --- regions ---------------------------------------------------------------------------------


def regional_aggregates(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return rows(
        con,
        """
        select region_type, region, time_period as "year", series_code, sex, value,
               value_unsuppressed, is_suppressed, population_coverage, n_countries, n_reporting,
               unit_measure, nature
        from marts.agg_regional
        order by region_type, region, series_code, sex, time_period
        """,
    )


# --- Flagship (optional tables) --------------------------------------------------------------


def flagship_results(con: duckdb.DuckDBPyConnection) -> dict[str, list[Row]] | None:
    """Results by country, or None when the warehouse has no Flagship table."""
    if not has_table(con, "fct_flagship_results"):
        return None
    return _by_country(
        con,
        """
        select {iso3} result_id, "year", cast(result_date as varchar) as result_date, phase,
               result_type, step, impact_type, risk, sex, persons, description, source,
               thematic_area, is_joint
        from marts.fct_flagship_results
        order by {first} result_date, result_id, risk, sex
        """,
        "iso3",
    )


def flagship_scorecard(con: duckdb.DuckDBPyConnection) -> list[Row] | None:
    if not has_table(con, "fct_flagship_scorecard"):
        return None
    return rows(
        con,
        """
        select phase, measure, unit, risk, sex, achieved, achieved_source, achieved_computed,
               ambition, share_of_ambition, is_reference_phase
        from marts.fct_flagship_scorecard
        order by phase, measure, risk, sex
        """,
    )
