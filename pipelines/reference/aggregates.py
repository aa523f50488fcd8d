"""The real reference tables of the regional and global aggregates (issue 14, methodology §7):
``raw/reference/region_memberships.csv``, ``aggregate_populations.csv`` and
``gdp_per_capita.csv``, derived from the public extracts in ``../shared/data/real`` (sources and
licences in ``raw/README.md``). Run once when a source changes:

    .venv/bin/python -m pipelines.reference.aggregates --real ../shared/data/real \
        --out raw/reference

* The universe is every country and territory of UN M49 (``reference/country_codes.csv``) with
  a population (WPP 2019, or WDI for the 48 territories below WPP's 90,000-inhabitant threshold).
* Memberships, one row per country × group: World (1); SDG region and sub-region (M49 codes of
  the SDG regional groupings: the intermediate region in Sub-Saharan Africa and Latin America,
  543 for Oceania without Australia and New Zealand); ILO region and broad subregion (ILOSTAT
  groupings; a territory missing there takes the grouping most of its M49 sub-region has);
  World Bank income group with its fiscal year (only FY2025 is in the public extract); LDC 199,
  LLDC 432, SIDS 722.
* Populations by sex (``_T``/``F``/``M``), the proxies of the series denominators: total, 0-14,
  15-64, 65+, women 15-49; employed and unemployed persons 15+ (ILO modelled rates × population).
  A territory without WPP data: WDI total × the age-sex shares of its
  SDG sub-region.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import polars as pl

log = logging.getLogger(__name__)

YEARS = (2000, 2025)
#: SDG regions (M49 codes of the SDG regional groupings) from the M49 sub-region
SDG_REGION_OF_SUBREGION = {
    "202": "202", "15": "747", "145": "747", "143": "62", "34": "62", "30": "753", "35": "753",
    "419": "419", "53": "9", "54": "9", "57": "9", "61": "9", "21": "513", "39": "513",
    "151": "513", "154": "513", "155": "513",
}  # fmt: skip
OCEANIA_EXCL_ANZ = "543"
INCOME_GROUPS = {
    "Low income": "Low income",
    "Lower middle income": "Lower-middle income",
    "Upper middle income": "Upper-middle income",
    "High income": "High income",
}
WB_FISCAL_YEAR = 2025


def _names(real: Path) -> dict[str, str]:
    areas = pl.read_csv(real / "reference/sdg_geo_areas.csv", infer_schema_length=0)
    return dict(zip(areas["geo_area_code"], areas["geo_area_name"], strict=True))


def memberships(real: Path, universe: list[str]) -> pl.DataFrame:
    codes = pl.read_csv(real / "reference/country_codes.csv", infer_schema_length=0).filter(
        pl.col("iso3").is_in(universe)
    )
    ilo = pl.read_csv(real / "reference/ilo_country_groupings.csv", infer_schema_length=0)
    wb = pl.read_csv(real / "reference/wb_country_classification.csv", infer_schema_length=0)
    names = _names(real)
    rows: list[tuple] = []
    # a territory missing from the ILO groupings: the ILO grouping of most of its M49 sub-region
    codes = codes.with_columns(
        pl.when(pl.col("sub_region_code").is_in(["202", "419"]))
        .then(pl.col("intermediate_region_code"))
        .otherwise(pl.col("sub_region_code"))
        .alias("sdg_subregion")
    )
    joined = codes.join(ilo, on="iso3", how="left")
    majority = (
        joined.filter(pl.col("ilo_region").is_not_null())
        .group_by("sdg_subregion", "ilo_region", "ilo_subregion_broad")
        .len()
        .sort("len", descending=True)
        .unique("sdg_subregion", keep="first")
        .rename({"ilo_region": "ilo_region_m", "ilo_subregion_broad": "ilo_subregion_m"})
        .drop("len")
    )
    joined = joined.join(majority, on="sdg_subregion", how="left").join(
        wb.select("iso3", "wb_income_group"), on="iso3", how="left"
    )
    for r in joined.iter_rows(named=True):

        def add(region_type: str, m49: str | None, region: str | None, fy: int | None = None, r=r):
            if region:
                rows.append((r["iso3"], region_type, int(m49) if m49 else None, region, fy))

        add("world", "1", "World")
        region = SDG_REGION_OF_SUBREGION.get(r["sub_region_code"] or "")
        add("sdg_region", region, names.get(region or ""))
        add("sdg_subregion", r["sdg_subregion"], names.get(r["sdg_subregion"] or ""))
        if region == "9" and r["sub_region_code"] != "53":
            add("sdg_subregion", OCEANIA_EXCL_ANZ, names[OCEANIA_EXCL_ANZ])
        add("ilo_region", None, r["ilo_region"] or r["ilo_region_m"])
        add("ilo_subregion", None, r["ilo_subregion_broad"] or r["ilo_subregion_m"])
        add("income_group", None, INCOME_GROUPS.get(r["wb_income_group"] or ""), WB_FISCAL_YEAR)
        for flag, code in (("ldc", "199"), ("lldc", "432"), ("sids", "722")):
            if r[flag] == "true":
                add(flag, code, names[code])
    return pl.DataFrame(
        rows,
        schema={
            "iso3": pl.String,
            "region_type": pl.String,
            "m49": pl.Int32,
            "region": pl.String,
            "fiscal_year": pl.Int32,
        },
        orient="row",
    ).sort("iso3", "region_type", "m49", "region")


def populations(real: Path) -> pl.DataFrame:
    wpp = pl.read_parquet(real / "population/wpp2019_population_by_sex_age5.parquet").filter(
        pl.col("year").is_between(*YEARS)
    )
    low = pl.col("age_group").str.extract(r"^(\d+)").cast(pl.Int32)
    persons = pl.col("population_thousands") * 1000
    by_sex = (
        wpp.with_columns(
            sex=pl.when(pl.col("sex") == "female").then(pl.lit("F")).otherwise(pl.lit("M"))
        )
        .group_by("iso3", "year", "sex")
        .agg(
            population=persons.sum(),
            children_0_14=persons.filter(low < 15).sum(),
            working_age_15_64=persons.filter((low >= 15) & (low < 65)).sum(),
            older_65_plus=persons.filter(low >= 65).sum(),
            women_15_49=persons.filter((low >= 15) & (low < 50) & (pl.col("sex") == "F")).sum(),
        )
    )
    total = (
        by_sex.group_by("iso3", "year").agg(pl.exclude("sex").sum()).with_columns(sex=pl.lit("_T"))
    )
    return pl.concat([by_sex, total.select(by_sex.columns)])


def small_territories(real: Path, wpp: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """Territories without WPP data: WDI total population × the age-sex shares of their SDG
    sub-region (population-weighted over the sub-region's WPP countries)."""
    wdi = pl.read_csv(real / "population/wdi_population_total.csv").filter(
        pl.col("year").is_between(*YEARS)
    )
    sub = (
        members.filter(pl.col("region_type") == "sdg_subregion")
        .group_by("iso3")
        .agg(pl.col("m49").min().alias("sub"))
    )
    measures = ["population", "children_0_14", "working_age_15_64", "older_65_plus", "women_15_49"]
    shares = (
        wpp.join(sub, on="iso3")
        .group_by("sub", "year", "sex")
        .agg(pl.col(m).sum() for m in measures)
        .join(
            wpp.filter(pl.col("sex") == "_T")
            .join(sub, on="iso3")
            .group_by("sub", "year")
            .agg(pl.col("population").sum().alias("sub_total")),
            on=["sub", "year"],
        )
        .with_columns(pl.col(m) / pl.col("sub_total") for m in measures)
        .drop("sub_total")
    )
    missing = sub.filter(~pl.col("iso3").is_in(wpp["iso3"].unique().implode()))
    out = (
        wdi.select("iso3", "year", pl.col("population").cast(pl.Float64).alias("wdi"))
        .join(missing, on="iso3")
        .join(shares, on=["sub", "year"])
        .with_columns(pl.col(m) * pl.col("wdi") for m in measures)
    )
    return out.select(wpp.columns).cast(dict(wpp.schema))


def labour(real: Path, pops: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """Employed and unemployed persons 15+ (the WKINJRY and UEMP denominators): the ILO modelled
    employment-to-population ratio and unemployment rate (both sexes) × the population 15+ of
    each sex; a country without ILO modelled estimates takes its SDG sub-region's mean rates."""
    rates = pl.read_csv(real / "labour/ilo_modelled_labour_rates_total.csv").select(
        "iso3",
        pl.col("year").cast(pl.Int32),
        (pl.col("employment_to_population_ratio_15plus") / 100).alias("emp"),
        (pl.col("unemployment_rate_15plus") / 100).alias("une"),
        (pl.col("labour_force_participation_rate_15plus") / 100).alias("lfp"),
    )
    sub = (
        members.filter(pl.col("region_type") == "sdg_subregion")
        .group_by("iso3")
        .agg(pl.col("m49").min().alias("sub"))
    )
    rates = rates.join(sub, on="iso3")
    sub_rates = rates.group_by("sub", "year").agg(pl.col("emp", "une", "lfp").mean())
    out = (
        pops.join(sub, on="iso3", how="left")
        .join(rates.drop("sub"), on=["iso3", "year"], how="left")
        .join(sub_rates, on=["sub", "year"], how="left", suffix="_sub")
        .with_columns(
            (pl.col("population") - pl.col("children_0_14")).alias("adults"),
            pl.coalesce("emp", "emp_sub").alias("emp"),
            pl.coalesce("une", "une_sub").alias("une"),
            pl.coalesce("lfp", "lfp_sub").alias("lfp"),
        )
        .with_columns(
            employed=pl.col("adults") * pl.col("emp"),
            unemployed=pl.col("adults") * pl.col("lfp") * pl.col("une"),
        )
    )
    return out.select(*pops.columns, "employed", "unemployed")


def gdp_per_capita(real: Path) -> pl.DataFrame:
    gdp = pl.read_csv(real / "economy/wdi_gdp_current.csv")
    pop = pl.read_csv(real / "population/wdi_population_total.csv")
    return (
        gdp.join(pop.select("iso3", "year", "population"), on=["iso3", "year"])
        .filter(pl.col("year").is_between(*YEARS) & pl.col("gdp_current_usd").is_not_null())
        .select(
            "iso3",
            "year",
            (pl.col("gdp_current_usd") / pl.col("population")).round(1).alias("gdp_per_capita_usd"),
        )
        .sort("iso3", "year")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", type=Path, required=True, help="../shared/data/real")
    parser.add_argument("--out", type=Path, required=True, help="raw/reference")
    args = parser.parse_args(argv)
    wpp = populations(args.real)
    wdi_iso3 = pl.read_csv(args.real / "population/wdi_population_total.csv")["iso3"].unique()
    codes = pl.read_csv(args.real / "reference/country_codes.csv", infer_schema_length=0)
    universe = [i for i in codes["iso3"].to_list() if i in set(wpp["iso3"]) or i in set(wdi_iso3)]
    members = memberships(args.real, universe)
    pops = pl.concat([wpp, small_territories(args.real, wpp, members)])
    # the universe is what has a population; memberships of the others are dropped
    members = members.filter(pl.col("iso3").is_in(pops["iso3"].unique().implode()))
    pops = pops.filter(pl.col("iso3").is_in(members["iso3"].unique().implode()))
    pops = labour(args.real, pops, members)
    gdp = gdp_per_capita(args.real).filter(pl.col("iso3").is_in(members["iso3"].unique().implode()))
    args.out.mkdir(parents=True, exist_ok=True)
    members.write_csv(args.out / "region_memberships.csv")
    pops.with_columns(pl.exclude("iso3", "year", "sex").round(0).cast(pl.Int64)).sort(
        "iso3", "year", "sex"
    ).write_csv(args.out / "aggregate_populations.csv")
    gdp.write_csv(args.out / "gdp_per_capita.csv")
    log.info("%d countries, %d memberships", members["iso3"].n_unique(), members.height)
    print(
        f"{members['iso3'].n_unique()} countries, {members.height} memberships, "
        f"{pops.height} population rows, {gdp.height} GDP rows"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
